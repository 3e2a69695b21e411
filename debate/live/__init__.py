"""What spectators see change by itself: live events (Socket.IO) and the public cache."""
