"""The audit log: every change to the record is written here in the same transaction."""
from ..extensions import db
from ..models import AuditEntry


def audit(tournament_id, action, obj, user=None, adjudicator_id=None, **details):
    db.session.add(AuditEntry(tournament_id=tournament_id, user_id=user.id if user else None,
                              adjudicator_id=adjudicator_id, action=action, object_type=type(obj).__name__.lower(),
                              object_id=obj.id, details=details))
