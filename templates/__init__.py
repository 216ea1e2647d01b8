"""Built-in report templates (Jinja2), shipped as package data."""
