"""`flask --app wsgi debate ...` commands."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db
from .models import User

debate_cli = AppGroup("debate", help="Tab system commands.")


@debate_cli.command("create-director")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_director(username, password):
    """Create a director account (or reset its password)."""
    from .services.accounts import create_user
    if len(password) < 8:
        raise click.ClickException("The password must have at least 8 characters.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user:
        user.set_password(password)
        click.echo(f"Password changed for {username}.")
    else:
        create_user(username, password)
        click.echo(f"Director {username} created.")
    db.session.commit()


@debate_cli.command("demo")
@click.option("--username", default="demo")
@click.option("--password", default=None, help="Default: a random password, printed.")
@click.option("--reuse", is_flag=True, help="Keep an existing demo tournament; only print a new password.")
def demo(username, password, reuse):
    """Create a republican-stage tournament like the 2023 one, with a demo director."""
    from .demo import create_demo, existing_demo
    found = existing_demo(username) if reuse else None
    if found:
        t, user, pw = found[0], found[1], password or __import__("secrets").token_urlsafe(9)
        user.set_password(pw)
    else:
        t, user, pw = create_demo(username, password)
    db.session.commit()
    click.echo(f"Demo tournament #{t.id}: {t.name}")
    click.echo(f"Director login: {user.username} / {pw}")
