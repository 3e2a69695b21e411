"""JSON shapes of the API's objects. Public and private fields are kept apart here."""

from .. import settings as settings_mod
from ..core.extensions import db
from ..core.web import public_link
from ..models import Tournament
from ..models.tournament import LANGUAGES


def tournament_json(t):
    return {"id": t.id, "name": t.name, "names": {lang: t.name_in(lang) for lang in LANGUAGES}, "stage": t.stage,
            "start_date": t.start_date.isoformat() if t.start_date else None,
            "end_date": t.end_date.isoformat() if t.end_date else None, "venue": t.venue,
            "qualifies_for_id": t.qualifies_for_id,
            "anonymised_at": t.anonymised_at.isoformat() if t.anonymised_at else None,
            "leagues": [{"id": lg.id, "language": lg.language, "name": lg.name} for lg in t.leagues],
            "settings": settings_mod.effective(t)}


def team_json(team, private=False, secrets=False):
    """private: what the tournament's staff see (grades, genders, seeds, access needs);
    secrets: the coach's contact too, for those models.people.may_see_secrets allows."""
    out = {"id": team.id, "league_id": team.league_id, "name": team.name,
           "school": ({"name": team.school.name, "region": team.school.region_code, "rural": team.school.rural}
                      if team.school else None),
           "coach": {"name": team.coach.name} if team.coach else None,
           "speakers": [{"id": s.id, "name": s.name} for s in team.speakers if not s.reserve],
           "reserve": next(({"id": s.id, "name": s.name} for s in team.speakers if s.reserve), None),
           "active": team.active}
    if secrets:  # the team's key, like an adjudicator's, and the coach's contact: directors only
        if team.coach:
            out["coach"]["contact"] = team.coach.contact
        out["private_key"] = team.private_key
        out["private_url"] = public_link(db.session.get(Tournament, team.tournament_id), "feedback.team_home",
                                         key=team.private_key)
    if private:
        for s, js in zip([s for s in team.speakers if not s.reserve], out["speakers"]):
            js.update(grade=s.grade, gender=s.gender)
        out["seed_rank"] = team.seed_rank
        out["needs_access"] = team.needs_access
    return out


def private_url(adj) -> str:
    return public_link(db.session.get(Tournament, adj.tournament_id), "judge.home", key=adj.private_key)


def adjudicator_json(adj, secrets=False):
    """secrets (the private key, link and contact): only for models.people.may_see_secrets."""
    out = {"id": adj.id, "name": adj.name, "region": adj.region_code, "school": adj.school,
           "languages": list(adj.languages or []), "rating": adj.rating, "available": adj.available,
           "needs_access": adj.needs_access,
           "conflicts": {"team_ids": sorted(c.team_id for c in adj.team_conflicts),
                         "schools": sorted(c.school_name for c in adj.school_conflicts)}}
    if secrets:
        out.update(private_key=adj.private_key, private_url=private_url(adj), contact=adj.contact)
    return out


def room_json(room):
    return {"id": room.id, "name": room.name, "accessible": room.accessible, "priority": room.priority}
