"""Presentation: formatting, language, chart style, HTML rendering and the report outputs."""
