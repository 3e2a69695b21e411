"""Public pages: only what a spectator may see."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Tournament

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    tournaments = db.session.scalars(select(Tournament).order_by(Tournament.created_at.desc()).limit(50)).all()
    return render_template("public/home.html", tournaments=tournaments, user=current_user)
