from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.helpers import catalog_check
from tracer.catalog import CATALOG_PATH, load_catalog
from tracer.errors import InputError
from tracer.model import FRAMEWORKS, INDICATORS

REFERENCE = SHARED / "reference" / "controls.md"
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_file(), reason="shared/reference/controls.md is not beside the repo"
)


def reference_ids() -> list[str]:
    text = REFERENCE.read_text(encoding="utf-8")
    table = text.split("| control id |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| ([a-z_]+) \|", table, flags=re.M)


@needs_reference
def test_catalog_has_every_control_of_the_reference_in_order() -> None:
    assert load_catalog().ids() == tuple(reference_ids())


@needs_reference
def test_every_citation_matches_the_reference_table() -> None:
    errors, _ = catalog_check.check(str(REFERENCE), str(CATALOG_PATH))
    assert errors == []


def test_catalog_vocabulary_is_closed() -> None:
    for control in load_catalog().controls:
        assert set(control.indicators) <= set(INDICATORS), control.id
        assert set(control.required_by) <= set(FRAMEWORKS), control.id
        assert control.verification in {"code", "manual"}, control.id
        assert control.check in {"presence", "absence"}, control.id
        for spec in control.params:
            assert spec.stricter in {"higher", "lower", "newer"}, (control.id, spec.name)


def test_policy_values_are_never_presented_as_a_standard() -> None:
    # bcrypt cost 12 is an organisation's choice; the standard's floor (ASVS) is 10.
    spec = next(p for p in load_catalog().get("password_hashing").params if p.name == "bcrypt_cost")
    assert spec.policy == 12
    assert {(f.value, f.citation) for f in spec.floors} == {
        (10, "OWASP ASVS v4.0.3-2.4.4"),
        (10, "OWASP ASVS v5.0.0-11.4.2"),
    }


def test_pci_idle_timeout_floor_is_8_2_8() -> None:
    spec = next(p for p in load_catalog().get("session_timeout").params if p.name == "idle_timeout_minutes")
    pci = [f for f in spec.floors if f.framework == "PCI-DSS"]
    assert [(f.value, f.citation) for f in pci] == [(15, "PCI DSS v4.0.1 8.2.8")]


def test_unknown_control_id_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as raised:
        load_catalog().get("password_hashin")
    assert "unknown control id 'password_hashin'" in raised.value.message
    assert "password_hashing" in raised.value.hint


def test_generated_controls_doc_is_current(repo_root: Path) -> None:
    from tracer.docs import controls_markdown

    assert (repo_root / "docs" / "controls.md").read_text(encoding="utf-8") == controls_markdown()


LANGUAGES = ("python", "javascript", "java", "go")


def test_every_code_verifiable_control_has_an_evidence_rule_in_every_language(repo_root: Path) -> None:
    from tracer import locate

    rules_root = repo_root / "semgrep-rules"
    gaps = []
    for control in load_catalog().controls:
        if control.verification != "code" or control.check == "absence":
            continue  # absence controls hold when no violation is found: violation rules suffice
        for language in LANGUAGES:
            rules = locate.collect_rules([control.id], [language], rules_root)
            if not any(rule["metadata"]["kind"] == "evidence" for rule in rules):
                gaps.append(f"{control.id}/{language}")
    assert gaps == []
