"""ASGI middleware at the HTTP edge, one module each; `graph_api.app` puts them in order."""
