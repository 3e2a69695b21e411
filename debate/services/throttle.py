"""Throttling of guesses (passwords, appeal codes) with growing delays, never a lock.

Failures are kept in the database (`login_attempts`) so every worker process agrees. They are
counted per address and per (subject, address) within a window: after `free_per_subject`
failures for one account (or team) from one address, or `free_per_address` failures for any
subjects from one address, the next guess from that address must wait `base_seconds`, and each
further failure doubles the wait (up to `max_seconds`). Another address is never affected, so
someone guessing a director's password from elsewhere cannot keep the director out
(docs/security.md "## Throttling").
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from ..core.extensions import db
from ..models import LoginAttempt


@dataclass(frozen=True)
class Policy:
    scope: str  # "login" or "appeal": failures of one scope never slow down the other
    free_per_subject: int
    free_per_address: int
    base_seconds: float
    max_seconds: float
    window_seconds: float


def _aware(dt):
    return dt if dt is None or dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def _subject(subject) -> str:
    # The column holds 80 characters; a lone surrogate cannot be stored (PostgreSQL refuses it).
    return str(subject).encode("utf-8", "replace").decode("utf-8")[:80]


def _address(address) -> str:
    return (address or "")[:64]


def _delay(policy: Policy, count: int, last, free: int, now) -> int:
    if count < free or last is None:
        return 0
    wait = min(policy.base_seconds * 2 ** (count - free), policy.max_seconds)
    remaining = (_aware(last) + timedelta(seconds=wait) - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0


def wait_seconds(policy: Policy, subject, address, now: datetime) -> int:
    """0 if a guess for this subject from this address may be checked now, else the seconds to wait."""
    since = now - timedelta(seconds=policy.window_seconds)
    base = select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.scope == policy.scope, LoginAttempt.address == _address(address), LoginAttempt.at >= since)
    n_addr, last_addr = db.session.execute(base).one()
    wait = _delay(policy, n_addr, last_addr, policy.free_per_address, now)
    if subject is not None:
        n_subj, last_subj = db.session.execute(base.where(LoginAttempt.username == _subject(subject))).one()
        wait = max(wait, _delay(policy, n_subj, last_subj, policy.free_per_subject, now))
    return wait


def record_failure(policy: Policy, subject, address, now: datetime) -> None:
    """Count a wrong guess (the caller commits, also when it refuses); failures older than the
    window are dropped on the way."""
    db.session.execute(delete(LoginAttempt).where(
        LoginAttempt.scope == policy.scope, LoginAttempt.at < now - timedelta(seconds=policy.window_seconds)))
    db.session.add(LoginAttempt(scope=policy.scope, username=_subject(subject), address=_address(address), at=now))


def clear(policy: Policy, subject, address) -> None:
    """A right guess forgets that subject's failures from that address (not the address's others)."""
    db.session.execute(delete(LoginAttempt).where(
        LoginAttempt.scope == policy.scope, LoginAttempt.username == _subject(subject),
        LoginAttempt.address == _address(address)))
