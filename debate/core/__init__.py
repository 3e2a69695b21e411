"""The app's plumbing: configuration, Flask extensions, and what every request shares."""
