"""`flask --app wsgi debate ...` commands."""
import json as _json
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .demo import create_demo, existing_demo
from .extensions import db
from .models import TournamentMember, User
from .services.accounts import create_user, set_password
from .services.transfer import ImportRefused, dumps, export_tournament, import_tournament

debate_cli = AppGroup("debate", help="Tab system commands.")


@debate_cli.command("create-director")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_director(username, password):
    """Create a director account (or reset its password)."""
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user:
        set_password(user, password)
        click.echo(f"Password changed for {username}; their sessions and API tokens have ended.")
    else:
        create_user(username, password)
        click.echo(f"Director {username} created.")
    db.session.commit()


@debate_cli.command("reset-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def reset_password(username, password):
    """Set a new password for an account (director or staff); ends all its sessions and API tokens."""
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No account named {username}.")
    set_password(user, password)
    db.session.commit()
    click.echo(f"Password changed for {username}; their sessions and API tokens have ended.")


@debate_cli.command("demo")
@click.option("--username", default="demo")
@click.option("--password", default=None, help="Default: a random password, printed.")
@click.option("--reuse", is_flag=True, help="Keep an existing demo tournament; only print a new password.")
def demo(username, password, reuse):
    """Create a republican-stage tournament like the 2023 one, with a demo director."""
    found = existing_demo(username) if reuse else None
    if found:
        t, user, pw = found[0], found[1], password or secrets.token_urlsafe(9)
        set_password(user, pw)
    else:
        t, user, pw = create_demo(username, password)
    db.session.commit()
    click.echo(f"Demo tournament #{t.id}: {t.name}")
    click.echo(f"Director login: {user.username} / {pw}")


@debate_cli.command("export")
@click.argument("tournament_id", type=int)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file (default: standard output).")
def export_cmd(tournament_id, output):
    """Write a whole tournament as JSON (see docs/backup.md)."""
    try:
        data = export_tournament(tournament_id)
    except LookupError as e:
        raise click.ClickException(str(e))
    output.write(dumps(data))
    output.write("\n")


@debate_cli.command("import")
@click.argument("path", type=click.File("r", encoding="utf-8"))
@click.option("--name", default=None, help="Name the imported tournament (default: the name in the file).")
@click.option("--director", default=None, help="Also make this existing account a director of the import.")
def import_cmd(path, name, director):
    """Create a tournament from a JSON export, as a new tournament with new ids."""

    try:
        data = _json.load(path)
    except ValueError as e:
        raise click.ClickException(f"Not valid JSON: {e}")
    try:
        tid, counts = import_tournament(data, name=name)
        if director:
            user = db.session.scalar(select(User).where(User.username == director))
            if user is None:
                raise ImportRefused(f"No account {director!r}.")
            if user.role_in(tid) is None:
                db.session.add(TournamentMember(user_id=user.id, tournament_id=tid, role="director"))
        db.session.commit()
    except ImportRefused as e:
        db.session.rollback()
        raise click.ClickException(str(e))
    click.echo(f"Imported as tournament #{tid}: {counts.get('teams', 0)} teams, {counts.get('ballots', 0)} ballots, "
               f"{counts.get('audit_log', 0)} audit entries.")
    if counts["reissued_keys"] or counts["reissued_codes"]:
        click.echo(f"Re-issued {counts['reissued_keys']} adjudicator keys and {counts['reissued_codes']} codes "
                   "already used by another tournament in this database.")
