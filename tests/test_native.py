"""The compiled classifier (tracer/native.py): used only when current, and alike to the plain one."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED, require_native_build
from tracer import native

SUFFIX = native._SUFFIX
DEV = SHARED / "data" / "tickets" / "dev.jsonl"


def _fake_build(tmp_path: Path) -> tuple[Path, Path]:
    """A package with the compiled modules' sources and a build that matches them."""
    source = tmp_path / "tracer"
    built = tmp_path / "native"
    (built / "tracer").mkdir(parents=True)
    source.mkdir()
    for module in native.MODULES:
        (source / f"{module}.py").write_text(f"# {module}\n", encoding="utf-8")
        (built / "tracer" / f"{module}{SUFFIX}").write_bytes(b"")
    for module in native.C_MODULES:
        (source / f"{module}.c").write_text(f"/* {module} */\n", encoding="utf-8")
        (built / "tracer" / f"{module}{SUFFIX}").write_bytes(b"")
    # The compiled modules' own imports count too, however they are written.
    (source / "lexicon.py").write_text("from tracer import yamlsafe\nfrom tracer.errors import ConfigError\n", "utf-8")
    (source / "yamlsafe.py").write_text("import tracer.model\n", encoding="utf-8")
    (source / "errors.py").write_text("class ConfigError(Exception): ...\n", encoding="utf-8")
    (source / "model.py").write_text("# records\n", encoding="utf-8")
    digests = {name: native._digest(source / name) for name in native._sources(source)}
    manifest = {"python": SUFFIX, "modules": list(native.MODULES), "sources": digests}
    (built / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return built, source


def test_a_build_is_current_only_for_the_sources_and_python_it_was_made_from(tmp_path: Path) -> None:
    built, source = _fake_build(tmp_path)
    assert native.current(built, source)

    (source / "lexicon.py").write_text("# lexicon, edited\n", encoding="utf-8")
    assert not native.current(built, source)  # an edited module runs as Python, never stale

    built, source = _fake_build(tmp_path / "c")
    (source / "_scan.c").write_text("/* the C scanner, edited */\n", encoding="utf-8")
    assert not native.current(built, source)

    built, source = _fake_build(tmp_path / "imports")
    assert {"yamlsafe.py", "errors.py", "model.py"} <= native._imported_sources(source)
    (source / "model.py").write_text("# records, edited\n", encoding="utf-8")
    assert not native.current(built, source)  # a module the compiled ones import, two steps away

    built, source = _fake_build(tmp_path / "again")
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    (built / "manifest.json").write_text(json.dumps({**manifest, "python": "cpython-39"}), encoding="utf-8")
    assert not native.current(built, source)

    built, source = _fake_build(tmp_path / "half")
    (built / "tracer" / f"classify{SUFFIX}").unlink()
    assert not native.current(built, source)

    built, source = _fake_build(tmp_path / "broken")
    (built / "manifest.json").write_text("{not json", encoding="utf-8")
    assert not native.current(built, source)
    (built / "manifest.json").unlink()
    assert not native.current(built, source)


def test_activation_puts_a_current_build_first_unless_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built, source = _fake_build(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    path = [str(source)]
    monkeypatch.setenv(native.ENV_SWITCH, "0")
    assert not native.activate(path, built, source)
    assert path == [str(source)]

    monkeypatch.delenv(native.ENV_SWITCH)
    monkeypatch.setattr(native, "active", False)
    assert native.activate(path, built, source)
    assert path == [str(built / "tracer"), str(source)]
    assert str(built) in sys.path

    (source / "risk.py").write_text("# risk, edited\n", encoding="utf-8")
    assert not native.activate(path := [str(source)], built, source)
    assert path == [str(source)]


def _run(args: list[str], *, compiled: bool, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, native.ENV_SWITCH: "1" if compiled else "0"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=REPO, input=stdin, check=False
    )


def test_a_current_build_is_what_runs() -> None:
    require_native_build()
    probe = "import tracer.classify, tracer.native; print(tracer.native.active, tracer.classify.__file__)"
    compiled = _run(["-c", probe], compiled=True)
    plain = _run(["-c", probe], compiled=False)
    assert compiled.stdout.split() == ["True", str(native.NATIVE_DIR / "tracer" / f"classify{SUFFIX}")]
    assert plain.stdout.split() == ["False", str(REPO / "tracer" / "classify.py")]
    # and a user can tell which one runs
    assert _run(["-m", "tracer", "--version"], compiled=True).stdout.rstrip().endswith("(classifier compiled)")
    assert _run(["-m", "tracer", "--version"], compiled=False).stdout.rstrip().endswith("(classifier plain Python)")


def _generated_tickets(count: int) -> list[dict[str, object]]:
    """The benchmark's tickets, and tickets in each markup the normaliser reads."""
    spec = importlib.util.spec_from_file_location("bench_classify", REPO / "bench" / "bench_classify.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    tickets: list[dict[str, object]] = [
        {
            "key": t.key, "title": t.title, "description": t.description, "labels": list(t.labels),
            "priority": t.priority, "issuetype": t.issue_type,
        }
        for t in bench.generate(count, 11)
    ]
    adf = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": "Store the patient's "},
        {"type": "text", "text": "ssn", "marks": [{"type": "code"}]},
        {"type": "text", "text": " and card number in the audit log"},
    ]}]}
    tickets += [
        {"key": "M-1", "title": "Checkout: PAN shown", "description": json.dumps(adf)},
        {"key": "M-2", "title": "h1. Login",
         "description": "{code}password = 'x'{code}\n*Stripe* webhook [link|http://x]"},
        {"key": "M-3", "title": "`token` in lexer",
         "description": "```\nat com.acme.Auth.login(Auth.java:42)\n```\nPHI"},
        {"key": "M-4", "title": "İİİ pätient dätä", "project": "x/openemr",
         "description": "\u00a0GDPR\u2019s right to erasure \u2014 delete user"},
        {"key": "M-5", "title": "verifyPaymentIntent fails", "labels": ["payments", "security"],
         "description": "    indented code\n> quoted: MFA"},
    ]
    return tickets


def test_compiled_and_plain_classify_alike_byte_for_byte(tmp_path: Path) -> None:
    require_native_build()
    tickets = tmp_path / "tickets.jsonl"
    lines = [json.dumps(ticket) for ticket in _generated_tickets(3000)]
    if DEV.is_file():
        lines += DEV.read_text(encoding="utf-8").splitlines()
    tickets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["-m", "tracer", "classify", "--input", str(tickets), "--format", "json"]
    compiled, plain = _run(args, compiled=True), _run(args, compiled=False)
    assert compiled.returncode == plain.returncode == 0, compiled.stderr + plain.stderr
    records = [json.loads(line) for line in compiled.stdout.splitlines()]
    assert len(records) == len(lines)
    assert 0.2 < sum(record["security_relevant"] for record in records) / len(records) < 0.8
    assert any(record["frameworks"] for record in records)
    assert compiled.stdout == plain.stdout  # evidence, offsets, weights and risk included


def test_without_a_compiler_the_build_says_so_and_leaves_no_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built, source = _fake_build(tmp_path)
    (source / "classify.py").write_text("# edited: the build is not current\n", encoding="utf-8")
    (built / "manifest.json").unlink()
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    assert native.build(built, source) == 0  # plain Python is a correct fallback, not a failure
    assert "no C compiler found" in capsys.readouterr().out
    assert not (built / "manifest.json").exists()


def test_a_failed_build_reports_the_compiler_output_and_leaves_no_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built, source = _fake_build(tmp_path)
    (source / "classify.py").write_text("def broken(:\n", encoding="utf-8")
    cwd = Path.cwd()
    assert native.build(built, source) == 1
    err = capsys.readouterr().err
    assert "vibeward: the native build failed" in err and "build.log" in err
    assert "classify.py:1" in err  # the compiler's own words, not only ours
    assert not (built / "manifest.json").exists()
    assert Path.cwd() == cwd
