from flask import current_app, jsonify
from sqlalchemy import select, text

from ..core.extensions import db
from ..models import Region
from .common import api_bp
from .openapi import build_spec


@api_bp.get("/regions")
def regions():
    rows = db.session.scalars(select(Region).order_by(Region.kind.desc(), Region.code))
    return jsonify([{"code": r.code, "kind": r.kind, "names": {"kk": r.name_kk, "ru": r.name_ru, "en": r.name_en}}
                    for r in rows])


def health():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify({"status": "ok", "db": "ok"})
    except Exception:  # any database failure makes the service unhealthy
        db.session.rollback()
        return jsonify({"status": "error", "db": "error"}), 503


api_bp.add_url_rule("/healthz", "healthz", health)


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec(current_app))
