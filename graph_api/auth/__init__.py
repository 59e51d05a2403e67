"""Who may write: API keys and OpenID Connect tokens make a `Caller`, and the permission rules judge it."""
