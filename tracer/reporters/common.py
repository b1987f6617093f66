"""Small helpers that several reporters share: which citations to print, status marks."""
from __future__ import annotations

from tracer.model import FRAMEWORKS, Citation, Param, Requirement, Status

STATUS_MARK = {
    Status.IMPLEMENTED: "✓",
    Status.MISSING: "✗",
    Status.VIOLATED: "!",
    Status.MANUAL: "?",
    Status.WAIVED: "~",
}


def headline_citations(requirement: Requirement, limit: int = 3) -> tuple[Citation, ...]:
    """The citations a one-line view prints: the frameworks' own, then OWASP Top 10:2021 and one CWE."""
    framework = [c for c in requirement.citations if c.source in FRAMEWORKS and not c.general]
    top10 = [c for c in requirement.citations if c.source == "TOP10" and c.ref.endswith(":2021")]
    cwe = [c for c in requirement.citations if c.source == "CWE"]
    if not framework:
        framework = [c for c in requirement.citations if c.source == "ASVS" and "v5.0.0" in c.ref][:1]
    return tuple(framework[:limit] + top10[:1] + cwe[:1])


def param_text(param: Param) -> str:
    """`bcrypt_cost ≥ 12 (org policy …) · standard floor 10 (OWASP ASVS v4.0.3-2.4.4)`."""
    sign = {"higher": "≥", "lower": "≤", "newer": "≥"}.get(param.stricter, "=")
    unit = f" {param.unit}" if param.unit else ""
    text = f"{param.name} {sign} {param.value}{unit} ({param.set_by})"
    if param.floor is not None and param.is_policy:
        text += f" · standard floor {param.floor.value}{unit} ({param.floor.citation})"
    return text
