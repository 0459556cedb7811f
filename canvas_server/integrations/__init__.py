"""Server-side integrations with outside services (Spotify OAuth)."""
