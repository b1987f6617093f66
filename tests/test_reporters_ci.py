"""SARIF, JUnit and GitLab Code Quality: the formats CI systems read (golden files in test_reporters.py)."""
from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from tests.helpers.golden import assert_golden
from tests.helpers.samples import sample
from tracer.model import Location, Status, Ticket, TraceNode, TraceResult, Waiver
from tracer.reporters import DOCUMENT_SETS, REPORTERS, RenderOptions, codequality, render_many, sarif
from tracer.reporters.formats import REPORT_FORMATS

SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
CI_FORMATS = ("sarif", "junit", "gitlab-codequality")
HOSTILE = '<script>alert(1)</script> ]]> & "quoted" \x00\x07\x1b[2J\u202egnp.exe\r\nFAKE: PASS'
HOSTILE_KEY = 'PAY-1"><x y="\x01'


def render(fmt: str, *results: TraceResult) -> str:
    if len(results) == 1:
        return REPORTERS[fmt](results[0], RenderOptions())
    return render_many(fmt, list(results), RenderOptions())


def sarif_doc(*results: TraceResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render("sarif", *results))
    return data


def with_nodes(result: TraceResult, nodes: list[TraceNode]) -> TraceResult:
    return replace(result, nodes=tuple(nodes))


def node(result: TraceResult, control_id: str) -> TraceNode:
    return next(n for n in result.nodes if n.requirement.control.id == control_id)


def violation(path: str = "app/orders.py", line: int = 88, snippet: str = 'db.execute(f"SELECT … {user_id}")',
              rule: str = "vibeward.python.parameterized_queries.fstring") -> Location:
    return Location(path, line, line, rule, snippet, "SQL built with an f-string")


def with_violations(result: TraceResult, *locations: Location) -> TraceResult:
    nodes = [replace(n, violations=tuple(locations)) if n.requirement.control.id == "parameterized_queries" else n
             for n in result.nodes]
    return with_nodes(result, nodes)


def second_ticket() -> TraceResult:
    base = sample()
    assert base.ticket is not None
    return replace(base, ticket=replace(base.ticket, key="PAY-102", title="Refunds"))


# ---------------------------------------------------------------- registration


def test_the_ci_formats_are_registered_under_their_cli_names() -> None:
    for fmt in CI_FORMATS:
        assert fmt in REPORT_FORMATS and fmt in REPORTERS and fmt in DOCUMENT_SETS


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_several_tickets_make_one_document(fmt: str, update_golden: bool) -> None:
    text = render(fmt, sample(), second_ticket())
    suffix = {"sarif": "sarif", "junit": "junit.xml", "gitlab-codequality": "codequality.json"}[fmt]
    assert_golden(f"reporters/two-tickets.{suffix}", text, update_golden)
    if fmt == "junit":
        assert len(ET.fromstring(text).findall("testsuite")) == 2
    else:
        json.loads(text)  # one JSON document, not two concatenated


# ---------------------------------------------------------------- SARIF


def validate_sarif(data: dict[str, Any]) -> None:
    """The official schema, then GitHub's own requirements (docs: SARIF support for code scanning)."""
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["$schema"] and data["version"] == "2.1.0"
    assert 1 <= len(data["runs"]) <= 20
    for run in data["runs"]:
        driver = run["tool"]["driver"]
        assert driver["name"] == "vibeward" and driver["version"]
        rules = driver["rules"]
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids))
        for rule in rules:
            assert rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= 1024
            assert rule["fullDescription"]["text"] and len(rule["fullDescription"]["text"]) <= 1024
            assert rule["help"]["text"] and rule["help"]["markdown"]
            assert len(rule["name"]) <= 255
            tags = rule["properties"]["tags"]
            assert "security" in tags and len(tags) <= 20 and len(tags) == len(set(tags))
            assert 0.1 <= float(rule["properties"]["security-severity"]) <= 10.0
            assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
            assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert len(run["results"]) <= 25_000
        for result in run["results"]:
            assert result["ruleId"] in ids and ids[result["ruleIndex"]] == result["ruleId"]
            assert result["message"]["text"]
            assert result["partialFingerprints"]["primaryLocationLineHash"]
            physical = result["locations"][0]["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            parts = urlsplit(uri)
            assert not parts.scheme and not parts.netloc and not uri.startswith("/"), uri
            assert ".." not in uri.split("/") and "\\" not in uri and " " not in uri
            assert physical["region"]["startLine"] >= 1
            assert physical["region"]["endLine"] >= physical["region"]["startLine"]
        category, _, run_id = run["automationDetails"]["id"].rpartition("/")
        assert category.startswith("vibeward") and run_id


def test_sarif_is_valid_for_the_schema_and_for_github() -> None:
    validate_sarif(sarif_doc(sample()))
    validate_sarif(sarif_doc(sample(), second_ticket()))
    validate_sarif(sarif_doc(with_nodes(sample(), [])))


def test_the_schema_check_has_teeth() -> None:
    data = sarif_doc(sample())
    del data["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(data)
    data = sarif_doc(sample())
    data["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif(data)


@pytest.mark.parametrize("fmt", CI_FORMATS)
def test_one_ticket_renders_the_same_alone_or_as_a_set(fmt: str) -> None:
    assert render_many(fmt, [sample()], RenderOptions()) == REPORTERS[fmt](sample(), RenderOptions())


def test_sarif_maps_each_status() -> None:
    run = sarif_doc(sample())["runs"][0]
    # violated -> a result; missing with no file -> a notification (GitHub needs a location);
    # implemented and manual -> nothing.
    assert [r["ruleId"] for r in run["results"]] == ["vibeward/parameterized_queries"]
    result = run["results"][0]
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("SQL built with an f-string. ")
    assert "PAY-101" in result["message"]["text"] and "PCI DSS v4.0.1 6.2.4" in result["message"]["text"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notes] == ["vibeward/rate_limiting"]
    assert notes[0]["level"] == "error"
    unanchored = run["properties"]["missingWithoutLocation"]
    assert unanchored == [{"control": "vibeward/rate_limiting", "tickets": ["PAY-101"]}]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "vibeward/parameterized_queries", "vibeward/rate_limiting"
    ]
    assert run["automationDetails"]["id"] == "vibeward/PAY-101"


def test_sarif_rule_carries_severity_tags_and_help() -> None:
    rules = {r["id"]: r for r in sarif_doc(sample())["runs"][0]["tool"]["driver"]["rules"]}
    rule = rules["vibeward/parameterized_queries"]
    assert rule["properties"]["security-severity"] == "9.5"  # critical
    assert rules["vibeward/rate_limiting"]["properties"]["security-severity"] == "8.0"  # high
    assert {"security", "PCI-DSS", "PCI-DSS-6.2.4", "external/cwe/cwe-089"} <= set(rule["properties"]["tags"])
    assert "vibeward: implements parameterized_queries" in rule["help"]["text"]
    assert "waivers:" in rule["help"]["markdown"] and "How to fix" in rule["help"]["text"]
    assert rule["fullDescription"]["text"] == node(sample(), "parameterized_queries").requirement.control.statement


def test_sarif_uri_is_relative_to_the_repository_root() -> None:
    moved = replace(with_violations(sample(), violation(path="app/my orders.py")), root="services/api")
    run = sarif_doc(moved)["runs"][0]
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/api/app/my%20orders.py"
    assert run["automationDetails"]["id"] == "vibeward/services/api/PAY-101"
    assert codequality_issues(moved)[0]["location"]["path"] == "services/api/app/my orders.py"


def test_a_missing_control_with_a_location_is_a_result() -> None:
    base = sample()
    anchored = replace(node(base, "rate_limiting"), locations=(violation(path="app/login.py", line=3, snippet="",
                                                                         rule="vibeward.annotation.implements"),))
    result = with_nodes(base, [anchored if n.requirement.control.id == "rate_limiting" else n for n in base.nodes])
    run = sarif_doc(result)["runs"][0]
    assert {r["ruleId"] for r in run["results"]} == {"vibeward/parameterized_queries", "vibeward/rate_limiting"}
    assert run["invocations"][0]["toolExecutionNotifications"] == []
    missing = next(r for r in run["results"] if r["ruleId"] == "vibeward/rate_limiting")
    assert "is missing" in missing["message"]["text"]


def test_waived_and_manual_controls_are_not_alerts() -> None:
    base = sample()
    pq = node(base, "parameterized_queries")
    waived = replace(pq, status=Status.WAIVED, note="legacy report, read-only (approved by security-lead)",
                     requirement=replace(pq.requirement, waiver=Waiver("parameterized_queries", "legacy report")))
    result = with_nodes(base, [waived if n is pq else n for n in base.nodes])
    assert sarif_doc(result)["runs"][0]["results"] == []
    assert codequality_issues(result) == []


def test_sarif_fingerprint_survives_moved_code_but_not_changed_code() -> None:
    def fingerprint(location: Location) -> str:
        run = sarif_doc(with_violations(sample(), location))["runs"][0]
        return str(run["results"][0]["partialFingerprints"]["primaryLocationLineHash"])

    assert fingerprint(violation(line=88)) == fingerprint(violation(line=140))
    reindented = violation(line=88, snippet='db.execute(f"SELECT …   {user_id}")')
    assert fingerprint(violation(line=88)) == fingerprint(reindented)
    assert fingerprint(violation(line=88)) != fingerprint(violation(line=88, snippet='db.execute(f"DELETE {x}")'))
    assert fingerprint(violation()) != fingerprint(violation(path="app/other.py"))


def test_identical_code_twice_in_a_file_gets_two_fingerprints() -> None:
    doubled = with_violations(sample(), violation(line=88), violation(line=95))
    results = sarif_doc(doubled)["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(hashes) == 2 and hashes[0].split(":")[0] == hashes[1].split(":")[0] and hashes[0] != hashes[1]
    prints = [i["fingerprint"] for i in codequality_issues(doubled)]
    assert len(set(prints)) == 2


def test_two_tickets_share_one_run_and_one_alert_per_line() -> None:
    data = sarif_doc(sample(), second_ticket())
    assert len(data["runs"]) == 1
    run = data["runs"][0]
    assert run["automationDetails"]["id"] == "vibeward/PAY-101+PAY-102"
    assert len(run["results"]) == 1
    assert run["results"][0]["properties"]["tickets"] == ["PAY-101", "PAY-102"]
    assert "PAY-101, PAY-102" in run["results"][0]["message"]["text"]
    assert [t["key"] for t in run["properties"]["tickets"]] == ["PAY-101", "PAY-102"]


def test_sarif_keeps_the_result_limit() -> None:
    many = [violation(line=i, snippet=f"db.execute(f'q{i}')") for i in range(1, sarif.MAX_RESULTS + 11)]
    run = sarif_doc(with_violations(sample(), *many))["runs"][0]
    assert len(run["results"]) == sarif.MAX_RESULTS
    assert run["properties"]["resultsLeftOut"] == 10
    assert any("10 more results left out" in n["message"]["text"]
               for n in run["invocations"][0]["toolExecutionNotifications"])


def test_sarif_tags_stay_within_githubs_limit() -> None:
    controls = [n.requirement.control for n in sample().nodes]
    many = replace(controls[0], citations=controls[0].citations * 10 + tuple(
        replace(controls[0].citations[0], ref=f"CWE-{i}", source="CWE") for i in range(40)
    ))
    tags = sarif.tags(many)
    assert len(tags) == 20 and tags[0] == "security"


# ---------------------------------------------------------------- JUnit


def junit_tree(*results: TraceResult) -> ET.Element:
    return ET.fromstring(render("junit", *results))


def test_junit_counts_and_cases() -> None:
    root = junit_tree(sample())
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "vibeward PAY-101"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"password_hashing", "parameterized_queries", "rate_limiting", "session_timeout",
                          "tokenization"}
    assert all(c.get("classname") == "vibeward.PCI-DSS" for c in cases.values())
    counts = (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors"))
    assert counts == ("5", "2", "1", "0")
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("5", "2", "1")
    violated = cases["parameterized_queries"].find("failure")
    assert violated is not None and violated.get("type") == "violated"
    assert "app/orders.py:88" in (violated.text or "") and "PCI DSS v4.0.1 6.2.4" in (violated.text or "")
    missing = cases["rate_limiting"].find("failure")
    assert missing is not None and missing.get("type") == "missing"
    skipped = cases["tokenization"].find("skipped")
    assert skipped is not None and "reviewer" in (skipped.get("message") or "")
    assert cases["password_hashing"].find("failure") is None and cases["password_hashing"].find("skipped") is None


def test_junit_waived_is_skipped_with_its_reason_and_advisory_is_not_a_failure() -> None:
    base = sample()
    pq, rl = node(base, "parameterized_queries"), node(base, "rate_limiting")
    waived = replace(pq, status=Status.WAIVED, note="legacy report, read-only (approved by security-lead)")
    advisory = replace(rl, requirement=replace(rl.requirement, mandatory=False))
    swap = {pq.requirement.control.id: waived, rl.requirement.control.id: advisory}
    suite = junit_tree(with_nodes(base, [swap.get(n.requirement.control.id, n) for n in base.nodes])).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "0", "3")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    reason = cases["parameterized_queries"].find("skipped")
    assert reason is not None
    assert "legacy report, read-only (approved by security-lead)" in (reason.get("message") or "")
    advised = cases["rate_limiting"].find("skipped")
    assert advised is not None and (advised.get("message") or "").startswith("advisory, not mandatory")


def test_junit_several_tickets_add_up() -> None:
    root = junit_tree(sample(), second_ticket())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["vibeward PAY-101", "vibeward PAY-102"]
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("10", "4", "2")


def test_junit_no_ticket_and_no_requirements() -> None:
    root = junit_tree(replace(with_nodes(sample(), []), ticket=None))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "0"
    assert suite.get("name") == "vibeward (controls requested directly)"


# ---------------------------------------------------------------- GitLab Code Quality


def codequality_issues(*results: TraceResult) -> list[dict[str, Any]]:
    data = json.loads(render("gitlab-codequality", *results))
    assert isinstance(data, list)
    return data


def test_codequality_issues_have_what_gitlab_needs() -> None:
    issues = codequality_issues(sample())
    assert len(issues) == 1  # the violation; rate_limiting has no file to attach to
    issue = issues[0]
    assert issue["check_name"] == "vibeward.parameterized_queries"
    assert issue["severity"] == "blocker"  # critical control, mandatory
    assert issue["location"] == {"path": "app/orders.py", "lines": {"begin": 88, "end": 88}}
    assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert issue["description"].startswith("SQL built with an f-string.")
    text = render("gitlab-codequality", sample())
    assert not text.startswith("\ufeff")


def test_codequality_keys_severities_and_unique_fingerprints() -> None:
    many = with_violations(sample(), *(violation(line=i, snippet=f"q{i % 3}") for i in range(1, 30)))
    for issues in (codequality_issues(many), codequality_issues(many, second_ticket())):
        for issue in issues:
            assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
            assert issue["severity"] in codequality.SEVERITIES
            assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
            assert not issue["location"]["path"].startswith("/")
        prints = [issue["fingerprint"] for issue in issues]
        assert len(prints) == len(set(prints))


def test_codequality_fingerprint_survives_moved_code() -> None:
    def fingerprint(location: Location) -> str:
        return str(codequality_issues(with_violations(sample(), location))[0]["fingerprint"])

    assert fingerprint(violation(line=88)) == fingerprint(violation(line=300))
    assert fingerprint(violation(line=88)) != fingerprint(violation(line=88, snippet="cursor.execute(q % x)"))


def test_codequality_severity_follows_control_and_mandate() -> None:
    base = sample()
    pq = node(base, "parameterized_queries")
    advisory = replace(pq, requirement=replace(pq.requirement, mandatory=False))
    issues = codequality_issues(with_nodes(base, [advisory if n is pq else n for n in base.nodes]))
    assert issues[0]["severity"] == "critical"
    sarif_run = sarif_doc(with_nodes(base, [advisory if n is pq else n for n in base.nodes]))["runs"][0]
    assert sarif_run["results"][0]["level"] == "warning"


# ---------------------------------------------------------------- untrusted ticket text


def hostile() -> TraceResult:
    base = sample(title=HOSTILE)
    return replace(base, ticket=Ticket(key=HOSTILE_KEY, title=HOSTILE, url="javascript:alert(1)"),
                   warnings=(f"ticket says {HOSTILE}",))


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def no_control_characters(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n" for ch in text)


@pytest.mark.parametrize("fmt", ["sarif", "gitlab-codequality"])
def test_hostile_ticket_text_is_escaped_in_json_formats(fmt: str) -> None:
    text = render(fmt, hostile())
    assert "<" not in text and ">" not in text and "&" not in text  # HTML-safe JSON: \u003c ...
    data = json.loads(text)
    for value in strings(data):
        assert no_control_characters(value), repr(value)
    if fmt == "sarif":
        validate_sarif(data)
        run = data["runs"][0]
        ticket = run["properties"]["tickets"][0]
        assert ticket["title"].startswith("<script>alert(1)</script> ]]> & \"quoted\"")  # kept, as data
        assert "url" not in ticket  # not an http(s) link
        assert all("<script>" not in rule["help"]["markdown"] for rule in run["tool"]["driver"]["rules"])


def test_hostile_ticket_text_is_escaped_in_junit() -> None:
    text = render("junit", hostile())
    assert "<script>" not in text and "\x00" not in text and "\x1b" not in text and "\x01" not in text
    root = ET.fromstring(text)  # well-formed
    suite = root.find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (props["title"] or "").startswith('<script>alert(1)</script> ]]> & "quoted"')
    assert "url" not in props
    assert no_control_characters(props["title"] or "") and no_control_characters(suite.get("name") or "")
    err = suite.find("system-err")
    assert err is not None and "<script>" in (err.text or "")  # escaped in the file, intact once parsed


def test_junit_replaces_characters_xml_cannot_carry_in_code() -> None:
    result = with_violations(sample(), violation(snippet="x = '\x00\x08\ud800'  # \x1b[31m"))
    root = ET.fromstring(render("junit", result).encode("utf-8", "surrogatepass"))
    failure = next(c for c in root.iter("testcase") if c.get("name") == "parameterized_queries").find("failure")
    assert failure is not None and "\ufffd" in (failure.text or "")
