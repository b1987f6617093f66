"""The sample TraceResult every reporter's tests render: one of each status but waived."""
from __future__ import annotations

from datetime import date

from tracer import config, requirements, trace
from tracer.catalog import load_catalog
from tracer.model import (
    Classification,
    Evidence,
    Finding,
    FrameworkHit,
    IndicatorHit,
    RiskFactor,
    RiskScore,
    ScanResult,
    Ticket,
    TraceResult,
)


def sample(title: str = "Add credit card payment to checkout", description: str = "") -> TraceResult:
    ticket = Ticket(key="PAY-101", title=title, description=description, labels=("payments",),
                    url="https://jira.example.com/browse/PAY-101")
    classification = Classification(
        security_relevant=True,
        indicators=(
            IndicatorHit("payment", 3.0, (Evidence("title", "credit card", 8, 19, 3.0, "pay.card"),)),
            IndicatorHit("authentication", 1.5, (Evidence("description", "login", 0, 5, 1.0, "auth.login"),)),
        ),
        frameworks=(FrameworkHit("PCI-DSS", "trigger", (Evidence("title", "credit card", 8, 19, 3.0, "pci"),)),),
        risk=RiskScore(7.5, "high", (RiskFactor("payment", 3.0, "payment indicator"),), ("require security review",)),
    )
    req = requirements.derive(classification, load_catalog(), config.load(None), today=date(2026, 11, 29))
    wanted = {"password_hashing", "rate_limiting", "parameterized_queries", "tokenization", "session_timeout"}
    req = requirements.RequirementSet(tuple(r for r in req.requirements if r.control.id in wanted))
    scan = ScanResult(
        findings=(
            Finding("password_hashing", "evidence", "vibeward.python.password_hashing.bcrypt", "app/auth.py", 45, 52,
                    "bcrypt.hashpw with cost 12", "bcrypt.hashpw(pw, bcrypt.gensalt(rounds=12))", "bcrypt_cost", "12"),
            Finding("parameterized_queries", "violation", "vibeward.python.parameterized_queries.fstring",
                    "app/orders.py", 88, 88, "SQL built with an f-string", 'db.execute(f"SELECT … {user_id}")'),
            Finding("session_timeout", "evidence", "vibeward.python.session_timeout.flask", "app/config.py", 17, 17,
                    "PERMANENT_SESSION_LIFETIME = 15 minutes", "", "idle_timeout_minutes", "15"),
        ),
        files_scanned=12,
        languages=("python",),
        rules_run=20,
        engine="scan --experimental",
        covered_controls=("password_hashing", "parameterized_queries", "rate_limiting", "session_timeout"),
    )
    nodes = trace.build_nodes(req, scan)
    return TraceResult(
        ticket=ticket,
        classification=classification,
        nodes=nodes,
        verdict=trace.verdict(nodes),
        scan=scan,
        repo_url="https://github.com/acme/shop",
        commit="0123456789abcdef0123456789abcdef01234567",
    )
