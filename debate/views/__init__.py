"""Blueprints for people: sign-in, the director's pages, adjudicators' private pages, public pages."""


def register_views(app):
    from .auth import bp as auth_bp
    from .director import bp as director_bp
    from .participants import bp as participants_bp
    from .judge import bp as judge_bp
    from .public import bp as public_bp
    from .rounds import bp as rounds_bp
    from .results import bp as results_bp
    from .tabs import bp as tabs_bp
    from .live import bp as live_bp
    for bp in (auth_bp, director_bp, participants_bp, judge_bp, public_bp, rounds_bp, results_bp, tabs_bp, live_bp):
        app.register_blueprint(bp)
    app.register_blueprint(__import__("debate.views.awards", fromlist=["bp"]).bp)  # awards, season, reports, appeals
    app.register_blueprint(__import__("debate.views.exports", fromlist=["bp"]).bp)  # CSV/XLSX exports
    app.register_blueprint(__import__("debate.views.staff", fromlist=["bp"]).bp)  # tab staff of a tournament
    from .. import api  # noqa: F401
    from ..api.meta import health
    app.add_url_rule("/healthz", "healthz", health)
