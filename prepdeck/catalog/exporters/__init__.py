"""Exporters: turn questions (already fetched by ``selectors.questions_for_export``) into files."""
