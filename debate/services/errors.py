"""The one way a service says no. A refusal carries an HTTP status, a code that
`debate/text/messages.py` turns into words in the user's language, parameters for those words and,
for a form or a request body, the fields in error ({field: code or (code, params)}).

Views and the API do not catch refusals one by one: `debate/core/web.py` registers one handler for
pages (roll back, say why, go back) and `debate/api/__init__.py` one for the API (roll back,
answer `{"error": {"code", "message", "fields"}}`). A view catches a refusal itself only when it
does something else with it (a form shown again with its errors beside the fields)."""


class Refused(Exception):
    def __init__(self, status: int, code: str, params: dict | None = None, fields: dict | None = None):
        super().__init__(code)
        self.status, self.code = status, code
        self.params = params or {}
        self.fields = fields or {}


# SQLite: another process holds the write lock past busy_timeout. PostgreSQL: lock_not_available
# (lock_timeout), serialization_failure, deadlock_detected, query_canceled (statement_timeout).
_BUSY_SQLITE = ("database is locked", "database is busy", "database table is locked")
_BUSY_PGCODES = {"55P03", "40001", "40P01", "57014"}


def database_busy(exc: BaseException) -> bool:
    """True if a database error means "busy, try again" rather than a fault: the request is then
    answered 503 with Retry-After (the phone's outbox retries; nothing is lost)."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) in _BUSY_PGCODES or getattr(orig, "pgcode", None) in _BUSY_PGCODES:
        return True
    text = str(orig).casefold()
    return any(s in text for s in _BUSY_SQLITE)
