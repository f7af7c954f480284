"""The web server: app factory and HTTP API (app), staff gate (auth), shared services, and the Gradio pages."""
