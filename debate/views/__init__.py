"""Blueprints for people: sign-in, the director's pages, adjudicators' private pages, public pages.
One module per subject, matching `services/`."""
from ..api.meta import health
from . import (
    appeals,
    auth,
    awards,
    director,
    exports,
    feedback,
    judge,
    live,
    paper,
    participants,
    public,
    reports,
    results,
    rounds,
    season,
    staff,
    tabs,
)

BLUEPRINTS = (auth, director, participants, judge, public, rounds, results, tabs, live, awards, season, reports,
              appeals, exports, staff, feedback, paper)


def register_views(app):
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
    app.add_url_rule("/healthz", "healthz", health)
