"""JSON API v1 (contract: shared/spec/api-v1.md). The blueprint and its error handlers are in
`common.py`; importing the endpoint modules registers their routes on it."""
from . import auth, ballots, feedback, meta, participants, rounds, standings, tournaments  # noqa: F401
from .common import api_bp

__all__ = ["api_bp"]
