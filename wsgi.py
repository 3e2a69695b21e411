"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from debate import create_app

app = create_app()
