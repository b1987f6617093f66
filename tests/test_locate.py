"""The real semgrep engine on small repositories made in temporary folders."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers.builders import write_files
from tracer import engine, locate
from tracer.env import Env
from tracer.errors import ConfigError, EngineError, InputError

pytestmark = pytest.mark.slow

RULES = {
    "password_hashing/python.yml": """
        rules:
          - id: vibeward.python.password_hashing.test-bcrypt
            languages: [python]
            severity: INFO
            message: bcrypt.hashpw with cost $COST
            metadata: {control: password_hashing, kind: evidence, param: {name: bcrypt_cost, metavariable: $COST}}
            pattern: bcrypt.hashpw($P, bcrypt.gensalt(rounds=$COST))
          - id: vibeward.python.password_hashing.test-md5
            languages: [python]
            severity: ERROR
            message: password hashed with md5
            metadata: {control: password_hashing, kind: violation}
            pattern: hashlib.md5($PW.encode())
    """,
    "rate_limiting/python.yml": """
        rules:
          - id: vibeward.python.rate_limiting.test-limit
            languages: [python]
            severity: INFO
            message: flask-limiter limit
            metadata: {control: rate_limiting, kind: evidence}
            pattern: limiter.limit(...)
    """,
}


def env() -> Env:
    return Env.from_environ({"PATH": os.environ.get("PATH", "")})


@pytest.fixture
def rules_root(tmp_path: Path) -> Path:
    return write_files(tmp_path / "rules", RULES)


def scan(root: Path, rules_root: Path, controls: tuple[str, ...], environ: Env | None = None) -> locate.ScanResult:
    request = engine.ScanRequest(root=root, controls=controls, rules_root=rules_root)
    return locate.scan(request, environ or env())


def test_findings_carry_control_kind_location_snippet_and_param(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(
        tmp_path / "app",
        {
            "auth.py": """
                import bcrypt, hashlib

                def register(password):
                    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10))

                def legacy(password):
                    return hashlib.md5(password.encode()).hexdigest()
            """,
        },
    )
    result = scan(app, rules_root, ("password_hashing",))
    assert [(f.kind, f.path, f.start_line, f.param_value) for f in result.findings] == [
        ("evidence", "auth.py", 4, "10"),
        ("violation", "auth.py", 7, ""),
    ]
    evidence = result.findings[0]
    assert evidence.message == "bcrypt.hashpw with cost 10"  # the hidden param mark is stripped
    assert evidence.param_name == "bcrypt_cost"
    assert "bcrypt.gensalt(rounds=10)" in evidence.snippet
    assert result.languages == ("python",)
    assert result.covered_controls == ("password_hashing",)


def test_a_rule_matching_one_line_twice_is_one_location(tmp_path: Path) -> None:
    rules = write_files(
        tmp_path / "rules",
        {
            "input_validation/python.yml": """
                rules:
                  - id: vibeward.python.input_validation.test-validators
                    languages: [python]
                    severity: INFO
                    message: WTForms field validators
                    metadata: {control: input_validation, kind: evidence}
                    patterns:
                      - pattern: '$FIELD(..., validators=[..., $V(...), ...], ...)'
                      - focus-metavariable: $V
            """,
        },
    )
    app = write_files(
        tmp_path / "app",
        {"forms.py": "card = StringField('card', validators=[DataRequired(), Length(max=100)])\n"},
    )
    request = engine.ScanRequest(root=app, controls=("input_validation",), rules_root=rules)
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # uncached, cold, warm
        result = locate.scan(replace(request, cache_dir=cache), env())
        assert [(f.path, f.start_line, f.message) for f in result.findings] == [
            ("forms.py", 1, "WTForms field validators")
        ]


def test_only_the_required_controls_rules_run(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(tmp_path / "app", {"a.py": "limiter.limit('5/minute')\nhashlib.md5(pw.encode())\n"})
    result = scan(app, rules_root, ("rate_limiting",))
    assert [f.control for f in result.findings] == ["rate_limiting"]
    assert result.rules_run == 2  # the control's rule and the annotation rule


def test_annotations_in_any_comment_syntax(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(
        tmp_path / "app",
        {
            "limits.py": "# vibeward: implements rate_limiting\ndef throttle():\n    pass\n",
            "web/limits.js": "const x = 1; // vibeward: implements rate_limiting, csrf_protection\n",
            "db/schema.sql": "-- vibeward: implements encryption_at_rest\nCREATE TABLE t (x int);\n",
        },
    )
    result = scan(app, rules_root, ("rate_limiting", "encryption_at_rest"))
    found = sorted((f.control, f.path, f.start_line, f.end_line) for f in result.findings)
    assert found == [
        ("encryption_at_rest", "db/schema.sql", 1, 2),
        ("rate_limiting", "limits.py", 1, 2),
        ("rate_limiting", "web/limits.js", 1, 1),
    ]


def test_default_exclusions_leave_out_tests_and_vendored_code(tmp_path: Path, rules_root: Path) -> None:
    code = "limiter.limit('1/second')\n"
    app = write_files(
        tmp_path / "app",
        {"app.py": code, "tests/test_app.py": code, "node_modules/x/index.py": code, "migrations/0001.py": code},
    )
    result = scan(app, rules_root, ("rate_limiting",))
    assert [f.path for f in result.findings] == ["app.py"]
    assert "tests" in result.excluded


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_path_problems_are_input_errors(tmp_path: Path, rules_root: Path, make: str) -> None:
    target = tmp_path / "repo"
    if make == "empty":
        target.mkdir()
    with pytest.raises(InputError):
        scan(target, rules_root, ("rate_limiting",))


def fake_engine(tmp_path: Path, body: str) -> Env:
    script = tmp_path / "fake-semgrep"
    script.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return Env.from_environ({"PATH": os.environ.get("PATH", ""), "VIBEWARD_SEMGREP": str(script)})


def test_engine_missing(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(tmp_path / "app", {"a.py": "x = 1\n"})
    broken = Env.from_environ({"VIBEWARD_SEMGREP": str(tmp_path / "no-such-semgrep")})
    with pytest.raises(EngineError, match="semgrep not found"):
        scan(app, rules_root, ("rate_limiting",), broken)


def test_engine_crash_is_an_engine_error_with_its_message(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(tmp_path / "app", {"a.py": "x = 1\n"})
    crashing = fake_engine(tmp_path, "import sys\nsys.stderr.write('Fatal: out of memory\\n')\nsys.exit(2)")
    with pytest.raises(EngineError, match=r"semgrep failed \(exit 2\): Fatal: out of memory"):
        scan(app, rules_root, ("rate_limiting",), crashing)


def test_engine_garbage_output_is_never_a_pass(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(tmp_path / "app", {"a.py": "x = 1\n"})
    garbage = fake_engine(tmp_path, "print('not json')")
    with pytest.raises(EngineError, match="semgrep failed"):
        scan(app, rules_root, ("rate_limiting",), garbage)


def test_engine_timeout(tmp_path: Path, rules_root: Path) -> None:
    app = write_files(tmp_path / "app", {"a.py": "x = 1\n"})
    slow = fake_engine(tmp_path, "import time\ntime.sleep(30)")
    request = engine.ScanRequest(root=app, controls=("rate_limiting",), rules_root=rules_root, timeout=1)
    with pytest.raises(EngineError, match="did not finish within 1 s"):
        locate.scan(request, slow)


def test_rule_without_control_metadata_is_rejected(tmp_path: Path) -> None:
    rules = write_files(
        tmp_path / "rules",
        {"rate_limiting/python.yml": "rules:\n  - id: r\n    languages: [python]\n    message: m\n    pattern: x\n"},
    )
    app = write_files(tmp_path / "app", {"a.py": "x = 1\n"})
    with pytest.raises(ConfigError, match="metadata needs control: rate_limiting"):
        scan(app, rules, ("rate_limiting",))


def test_language_detection_ignores_excluded_folders(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.py": "", "web/x.tsx": "", "node_modules/m/i.js": "", "svc/Main.java": ""})
    files = engine.walk_files(tmp_path, engine.DEFAULT_EXCLUDES)
    assert engine.languages_of(path for path, _, _ in files) == ("java", "python", "typescript")
    assert len(files) == 3


def test_rule_files_are_chosen_by_the_languages_present(tmp_path: Path) -> None:
    rule = (
        "rules:\n  - id: {id}\n    languages: [{lang}]\n    message: m\n    pattern: x\n"
        "    metadata: {{control: mfa, kind: evidence}}\n"
    )
    rules = write_files(
        tmp_path,
        {
            "mfa/python.yml": rule.format(id="py", lang="python"),
            "mfa/java.yml": rule.format(id="java", lang="java"),
            "mfa/java-properties.yml": rule.format(id="props", lang="generic"),
            "mfa/any-nginx.yml": rule.format(id="nginx", lang="generic"),
            "mfa/javascript.yml": rule.format(id="js", lang="javascript"),
        },
    )
    ids = lambda langs: sorted(r["id"] for r in locate.collect_rules(["mfa"], langs, rules))  # noqa: E731
    assert ids(["python"]) == ["nginx", "py"]
    assert ids(["java"]) == ["java", "nginx", "props"]
    assert ids(["typescript"]) == ["js", "nginx"]  # JS rules run on TypeScript too


def test_a_rule_may_state_the_value_it_implies(tmp_path: Path) -> None:
    rules = write_files(
        tmp_path / "rules",
        {
            "password_hashing/go.yml": """
                rules:
                  - id: vibeward.go.password_hashing.test-default-cost
                    languages: [go]
                    severity: INFO
                    message: bcrypt default cost
                    metadata: {control: password_hashing, kind: evidence, param: {name: bcrypt_cost, value: 10}}
                    pattern: bcrypt.GenerateFromPassword($PW, bcrypt.DefaultCost)
            """,
        },
    )
    app = write_files(
        tmp_path / "app",
        {"main.go": "package main\n\nfunc h(p []byte) { bcrypt.GenerateFromPassword(p, bcrypt.DefaultCost) }\n"},
    )
    (finding,) = scan(app, rules, ("password_hashing",)).findings
    assert (finding.param_name, finding.param_value) == ("bcrypt_cost", "10")


def test_manifests_name_the_stack() -> None:
    found = engine.languages_of(["go.mod", "web/package.json", "svc/pom.xml", "README.md"])
    assert found == ("go", "java", "javascript")
    assert engine.languages_of(["app/tsconfig.json"]) == ("typescript",)
