"""The names of the report formats, importable without loading any reporter (fast CLI start)."""
from __future__ import annotations

REPORT_FORMATS: tuple[str, ...] = ("text", "markdown", "json", "sarif", "junit", "gitlab-codequality")
