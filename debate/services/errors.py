"""The one way a service says no. A refusal carries an HTTP status, a code that
`debate/messages.py` turns into words in the user's language, parameters for those words and,
for a form or a request body, the fields in error ({field: code or (code, params)}).

Views and the API do not catch refusals one by one: `debate/web.py` registers one handler for
pages (roll back, say why, go back) and `debate/api/__init__.py` one for the API (roll back,
answer `{"error": {"code", "message", "fields"}}`). A view catches a refusal itself only when it
does something else with it (a form shown again with its errors beside the fields)."""


class Refused(Exception):
    def __init__(self, status: int, code: str, params: dict | None = None, fields: dict | None = None):
        super().__init__(code)
        self.status, self.code = status, code
        self.params = params or {}
        self.fields = fields or {}
