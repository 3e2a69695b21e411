"""`flask --app wsgi debate ...` commands."""
import io
import json as _json
import secrets
import socket

import click
import qrcode
from flask.cli import AppGroup
from sqlalchemy import select

from ..core.extensions import db
from ..models import TournamentMember, User
from ..services.accounts import create_user, set_password
from ..services.transfer import ImportRefused, dumps, export_tournament, import_tournament
from .demo import create_demo, existing_demo

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


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on its networks (not loopback), most likely first: the one
    the system would use to reach another network, then the rest the host name resolves to."""
    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    return [a for i, a in enumerate(found) if not a.startswith("127.") and a != "0.0.0.0" and a not in found[:i]]


@debate_cli.command("addresses")
@click.option("--port", default=5000, type=int)
@click.option("--first", is_flag=True, help="Print only the first address (for scripts), nothing if none.")
def addresses(port, first):
    """The addresses phones in the hall can open, with a QR code of the first for the director's phone."""
    urls = [f"http://{a}:{port}" for a in lan_addresses()]
    if first:
        if urls:
            click.echo(urls[0])
        return
    if not urls:
        click.echo(f"No network found: only this computer can open http://127.0.0.1:{port} . "
                   "Connect the laptop to the hall's Wi-Fi (or share a hotspot) and start again.")
        return
    click.echo("Phones on the same network open:")
    for url in urls:
        click.echo(f"  {url}")
    qr = qrcode.QRCode(border=1)
    qr.add_data(urls[0])
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    click.echo(out.getvalue())
    click.echo(f"Scan it with the director's phone to open {urls[0]} . On this laptop: http://127.0.0.1:{port}")
