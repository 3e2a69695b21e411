"""The data model. One database holds a whole season of tournaments."""
from .people import User, ApiToken, TournamentMember, LoginAttempt, LoginSession
from .tournament import Region, Tournament, League, STAGES, LANGUAGES
from .participants import (School, Coach, Team, Speaker, Adjudicator, AdjudicatorTeamConflict,
                           AdjudicatorSchoolConflict, Room)
from .rounds import Round, RoundLeague, Motion, Debate, DebateAdjudicator, Bye, BreakSeed, ROUND_KINDS, RoundAttendance
from .ballots import Ballot, AuditEntry, ProblemReport
from .awards import Award, DiplomaTieChoice, NominationChoice, Promotion, TeamAppealCode, Appeal
from .feedback import Feedback

__all__ = [
    "User", "ApiToken", "LoginSession", "TournamentMember", "LoginAttempt", "Region", "Tournament", "League",
    "STAGES", "LANGUAGES", "School", "Coach", "Team", "Speaker", "Adjudicator",
    "AdjudicatorTeamConflict", "AdjudicatorSchoolConflict", "Room", "Round", "RoundLeague",
    "Motion", "Debate", "DebateAdjudicator", "Bye", "BreakSeed", "ROUND_KINDS", "Ballot",
    "AuditEntry", "ProblemReport", "Award", "DiplomaTieChoice", "NominationChoice", "Promotion", "TeamAppealCode",
    "Appeal", "Feedback", "RoundAttendance",
]
