"""The data model. One database holds a whole season of tournaments."""
from .awards import Appeal, Award, DiplomaTieChoice, NominationChoice, Promotion, TeamAppealCode
from .ballots import AuditEntry, Ballot, ProblemReport
from .feedback import Feedback
from .participants import (
    Adjudicator,
    AdjudicatorSchoolConflict,
    AdjudicatorTeamConflict,
    Coach,
    Room,
    School,
    Speaker,
    Team,
)
from .people import ApiToken, LoginAttempt, LoginSession, TournamentMember, User
from .rounds import ROUND_KINDS, BreakSeed, Bye, Debate, DebateAdjudicator, Motion, Round, RoundAttendance, RoundLeague
from .tournament import LANGUAGES, STAGES, League, Region, Tournament

__all__ = [
    "User", "ApiToken", "LoginSession", "TournamentMember", "LoginAttempt", "Region", "Tournament", "League",
    "STAGES", "LANGUAGES", "School", "Coach", "Team", "Speaker", "Adjudicator",
    "AdjudicatorTeamConflict", "AdjudicatorSchoolConflict", "Room", "Round", "RoundLeague",
    "Motion", "Debate", "DebateAdjudicator", "Bye", "BreakSeed", "ROUND_KINDS", "Ballot",
    "AuditEntry", "ProblemReport", "Award", "DiplomaTieChoice", "NominationChoice", "Promotion", "TeamAppealCode",
    "Appeal", "Feedback", "RoundAttendance",
]
