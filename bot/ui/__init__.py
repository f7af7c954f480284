"""Web interfaces (Gradio)."""
