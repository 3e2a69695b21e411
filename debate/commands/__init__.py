"""`flask --app wsgi debate ...` commands and the demo tournament."""
