"""Checks tracer/catalog/controls.yml against shared/reference/controls.md.

Every citation must occur in its control's cell of the reference's master table, every
cell's ids must be cited, and the qualifiers ((gen.), (A)/(R), [PR], [P]) must match.
"""
from __future__ import annotations

import collections
import re
from pathlib import Path

import yaml

REF_MD = ""  # set by check()
CATALOG = ""

COLS = ["id", "meaning", "PCI-DSS", "HIPAA", "GDPR", "SOC2", "SOX", "ASVS", "TOP10", "CWE", "NIST"]
FRAMEWORKS = ["PCI-DSS", "HIPAA", "GDPR", "SOC2", "SOX"]
VOCAB = {"authentication", "authorization", "payment", "personal_data", "health_data",
         "financial_records", "database", "file_upload", "third_party_api", "cryptography",
         "logging_audit", "session"}
THEMES = {"authentication", "session", "access_control", "encryption", "data_protection",
          "payment_data", "input_handling", "logging", "privacy", "secure_development"}
PREFIX = {
    "PCI-DSS": r"PCI DSS v4\.0\.1 ",
    "HIPAA": r"45 CFR ",
    "GDPR": r"GDPR Art\. ",
    "SOC2": r"SOC 2 TSC ",
    "SOX": r"",
    "ASVS": r"OWASP ASVS v(4\.0\.3|5\.0\.0)-",
    "TOP10": r"OWASP Top 10 ",
    "CWE": r"",
    "NIST": r"NIST SP 800-53r5 ",
}
FUTURE_DATED = {"8.3.6", "8.4.2", "6.4.3", "11.6.1", "8.6.2"}  # named in controls.md
KNOWN_DEVIATIONS = {("mfa", "HIPAA", "164.312(d)")}  # "(does not mandate MFA)" treated as general

errors: list[str] = []
warnings: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


# ---------------------------------------------------------------- parse the master table
def master_rows() -> list[dict[str, str]]:
    lines = Path(REF_MD).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| control id |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLS), line
        rows.append(dict(zip(COLS, cells, strict=False)))
    return rows


def is_empty(cell: str) -> bool:
    return cell.startswith("—") and not re.search(r"·\s*[A-Z0-9]", cell)


def expand_range(a: str, b: str) -> list[str]:
    pa, pb = a.split("."), b.split(".")
    assert pa[:-1] == pb[:-1], (a, b)
    return [".".join([*pa[:-1], str(n)]) for n in range(int(pa[-1]), int(pb[-1]) + 1)]


# Each parser returns {identifier: set(markers)}
def parse_pci(cell: str) -> dict[str, set[str]]:
    if is_empty(cell):
        return {}
    out: dict[str, set[str]] = {}
    for seg in cell.split(";"):
        marks = {"gen"} if "(gen.)" in seg else set()
        for m in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)+)(?:–(\d+(?:\.\d+)+))?", seg):
            key = m.group(1) + ("-" + m.group(2) if m.group(2) else "")
            out[key] = marks
    return out


def parse_hipaa(cell: str) -> dict[str, set[str]]:
    if is_empty(cell):
        return {}
    out: dict[str, set[str]] = {}
    for seg in cell.split(";"):
        marks = set()
        if "(gen.)" in seg:
            marks.add("gen")
        if "[PR]" in seg:
            marks.add("privacy-rule")
        if re.search(r"\s\(A\)", seg):
            marks.add("addressable")
        if re.search(r"\s\(R\)", seg):
            marks.add("required")
        if "documentation only" in seg:
            marks.add("documentation-only")
        if "does not mandate" in seg:
            marks.add("not-mandated")
        for m in re.finditer(r"(16\d\.\d+)((?:\([0-9a-zA-Z]+\))*)((?:,\s*\([A-Za-z]\))*)", seg):
            base = m.group(1) + m.group(2)
            out[base] = marks
            for extra in re.findall(r"\(([A-Za-z])\)", m.group(3)):
                out[re.sub(r"\([A-Za-z]\)$", f"({extra})", base)] = marks
        for m in re.finditer(r"(16\d\.\d+), incl\. ((?:\([0-9a-z]+\))+)", seg):
            out[m.group(1) + m.group(2)] = marks
    return out


def parse_gdpr(cell: str) -> dict[str, set[str]]:
    if is_empty(cell):
        return {}
    out: dict[str, set[str]] = {}
    for seg in cell.split(";"):
        marks = {"gen"} if "(gen.)" in seg else set()
        for part in seg.split(","):
            part = part.strip()
            part = re.sub(r"^Art\.\s*", "", part)
            m = re.match(r"(\d+(?:\([0-9a-z]+\))*)", part)
            if m:
                out["Art. " + m.group(1)] = marks
    return out


def parse_soc2(cell: str) -> dict[str, set[str]]:
    if is_empty(cell):
        return {}
    out: dict[str, set[str]] = {}
    for seg in cell.split(";"):
        marks = {"gen"} if "(gen.)" in seg else set()
        for m in re.finditer(r"\b(CC\d\.\d|A1\.\d|PI1\.\d|C1\.\d|P\d\.\d)\b", seg):
            out[m.group(1)] = marks
    return out


def parse_sox(cell: str) -> dict[str, set[str]]:
    if is_empty(cell):
        return {}
    out: dict[str, set[str]] = {}
    for seg in cell.split(";"):
        marks = {"practice"} if "[P]" in seg else set()
        for m in re.finditer(r"ITGC-[A-Z]+", seg):
            out[m.group(0)] = marks
        if "IT application (input) controls" in seg:
            out["IT application (input) controls"] = marks
        if "Principle 10" in seg:
            out["Principle 10"] = marks
        elif "§404" in seg:
            out["§404"] = marks
        if "§802" in seg:
            out["§802"] = marks
        if "Rule 2-06" in seg:
            out["Rule 2-06"] = marks
    return out


def parse_asvs(cell: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    parts = cell.split("·")
    for part in parts:
        part = part.strip()
        m = re.match(r"(4\.0\.3|5\.0):\s*(.*)", part)
        if not m:
            if part not in ("—", ""):
                raise ValueError(part)
            continue
        ver = "4.0.3" if m.group(1) == "4.0.3" else "5.0.0"
        body = m.group(2)
        for mm in re.finditer(r"(?<![\w.])(\d+\.\d+\.(?:\d+|x))(?:–(\d+\.\d+\.\d+))?", body):
            ids = expand_range(mm.group(1), mm.group(2)) if mm.group(2) else [mm.group(1)]
            for i in ids:
                out[f"v{ver}-{i}"] = set()
    return out


def parse_top10(cell: str) -> dict[str, set[str]]:
    return {m: set() for m in re.findall(r"A\d\d:20(?:21|25)", cell)}


def parse_cwe(cell: str) -> dict[str, set[str]]:
    return {m: set() for m in re.findall(r"CWE-\d+", cell)}


def parse_nist(cell: str) -> dict[str, set[str]]:
    if is_empty(cell):
        return {}
    out: dict[str, set[str]] = {}
    for m in re.finditer(r"\b([A-Z]{2}-\d+(?:\(\d+\))?)( \(gen\.\))?", cell):
        out[m.group(1)] = {"gen"} if m.group(2) else set()
    return out


PARSERS = {"PCI-DSS": parse_pci, "HIPAA": parse_hipaa, "GDPR": parse_gdpr, "SOC2": parse_soc2,
           "SOX": parse_sox, "ASVS": parse_asvs, "TOP10": parse_top10, "CWE": parse_cwe,
           "NIST": parse_nist}


def ref_identifier(key: str, ref: str) -> str | None:
    m = re.match(PREFIX[key], ref)
    if not m:
        return None
    rest = ref[m.end():]
    if key == "ASVS":
        return f"v{m.group(1)}-{rest}"
    if key == "GDPR":
        return "Art. " + rest
    if key == "SOX":
        for pat in (r"ITGC-[A-Z]+", r"IT application \(input\) controls", r"Principle 10",
                    r"§404", r"§802", r"Rule 2-06"):
            mm = re.search(pat, rest)
            if mm:
                return mm.group(0)
        return None
    return rest


FORMAT = {
    "PCI-DSS": r"PCI DSS v4\.0\.1 \d+(\.\d+)+(-\d+(\.\d+)+)?$",
    "HIPAA": r"45 CFR 16\d\.\d+(\([0-9a-zA-Z]+\))*$",
    "GDPR": r"GDPR Art\. \d+(\([0-9a-z]+\))*$",
    "SOC2": r"SOC 2 TSC (CC\d\.\d|A1\.\d|PI1\.\d|C1\.\d|P\d\.\d)$",
    "SOX": (
        r"(ITGC-(AC|PC|PD|OPS)|IT application \(input\) controls|COSO 2013 Principle 10 under §404"
        r"|SOX §404 \(15 U\.S\.C\. 7262\)|SOX §802 \(18 U\.S\.C\. 1519, 1520\)|SEC Reg\. S-X Rule 2-06)$"
    ),
    "ASVS": r"OWASP ASVS v(4\.0\.3|5\.0\.0)-\d+\.\d+\.(\d+|x)$",
    "TOP10": r"OWASP Top 10 A(0[1-9]|10):20(21|25)$",
    "CWE": r"CWE-\d+$",
    "NIST": r"NIST SP 800-53r5 [A-Z]{2}-\d+(\(\d+\))?$",
}
SCOPE = {"A1": "Availability", "PI1": "Processing Integrity", "C1": "Confidentiality", "P": "Privacy"}


def main() -> int:
    rows = master_rows()
    cat = yaml.safe_load(Path(CATALOG).read_text(encoding="utf-8"))
    assert cat["schema"] == "vibeward.catalog/v1"
    assert set(cat["frameworks"]) == set(FRAMEWORKS), cat["frameworks"]
    ids = [c["id"] for c in cat["controls"]]
    table_ids = [r["id"] for r in rows]
    if ids != table_ids:
        err(f"control ids/order differ from table:\n  table={table_ids}\n  yaml ={ids}")
    by_id = {r["id"]: r for r in rows}
    n_cit = 0
    n_params = 0
    per_ind: dict[str, list[str]] = collections.defaultdict(list)
    for c in cat["controls"]:
        cid = c["id"]
        row = by_id.get(cid)
        if row is None:
            err(f"{cid}: not in master table")
            continue
        for f in ("title", "theme", "statement", "verification", "check", "severity",
                  "indicators", "required_by", "citations"):
            if f not in c:
                err(f"{cid}: missing field {f}")
        extra = set(c) - {"id", "title", "theme", "statement", "verification", "check",
                          "severity", "indicators", "required_by", "citations", "params"}
        if extra:
            err(f"{cid}: unknown fields {extra}")
        if c["theme"] not in THEMES:
            err(f"{cid}: bad theme {c['theme']}")
        if c["verification"] not in ("code", "manual"):
            err(f"{cid}: bad verification")
        if c["check"] not in ("presence", "absence"):
            err(f"{cid}: bad check")
        if c["severity"] not in ("critical", "high", "medium", "low"):
            err(f"{cid}: bad severity")
        if not c["indicators"] or set(c["indicators"]) - VOCAB:
            err(f"{cid}: indicators {c['indicators']} not in vocabulary / empty")
        if len(set(c["indicators"])) != len(c["indicators"]):
            err(f"{cid}: duplicate indicators")
        for ind in c["indicators"]:
            per_ind[ind].append(cid)
        if not isinstance(c["statement"], str) or c["statement"].count(". ") > 0:
            warnings.append(f"{cid}: statement may be more than one sentence")
        cits = c["citations"]
        if set(cits) - set(PARSERS):
            err(f"{cid}: unknown citation keys {set(cits) - set(PARSERS)}")
        all_refs: set[str] = set()
        required_expected = set()
        for key, parser in PARSERS.items():
            cell_ids = parser(row[key])
            given = cits.get(key, [])
            seen = set()
            for cit in given:
                n_cit += 1
                ref = cit["ref"]
                all_refs.add(ref)
                if set(cit) - {"ref", "note", "general", "practice", "effective_from"}:
                    err(f"{cid}/{key}: unknown citation keys {set(cit)}")
                if not re.match(FORMAT[key], ref):
                    err(f"{cid}/{key}: bad print format {ref!r}")
                ident = ref_identifier(key, ref)
                if ident is None or ident not in cell_ids:
                    err(f"{cid}/{key}: {ref!r} (id {ident!r}) not in table cell {row[key]!r}")
                    continue
                if ident in seen:
                    err(f"{cid}/{key}: duplicate {ref}")
                seen.add(ident)
                marks = cell_ids[ident]
                general = bool(cit.get("general"))
                deviation = (cid, key, ident) in KNOWN_DEVIATIONS
                if general != ("gen" in marks) and not deviation:
                    err(f"{cid}/{key}: {ref} general={general} but cell marks {marks}")
                if key == "HIPAA":
                    want = ("documentation-only" if "documentation-only" in marks else
                            "privacy-rule" if "privacy-rule" in marks else
                            "addressable" if "addressable" in marks else
                            "required" if "required" in marks else None)
                    note = cit.get("note")
                    if deviation:
                        note = None if note == "does not mandate MFA" else note
                    if note != want:
                        err(f"{cid}/HIPAA: {ref} note={cit.get('note')!r}, cell implies {want!r}")
                if key == "SOX":
                    practice = bool(cit.get("practice"))
                    if practice != ("practice" in marks) and ident != "Principle 10":
                        err(f"{cid}/SOX: {ref} practice={practice} but cell marks {marks}")
                if key == "SOC2":
                    pre = re.match(r"(A1|PI1|C1|P)\d?", ident)
                    if pre and not ident.startswith("CC"):
                        cat_name = SCOPE["P" if ident.startswith("P") and not ident.startswith("PI") else pre.group(1)]
                        if cit.get("note") != f"only if {cat_name} in scope":
                            err(f"{cid}/SOC2: {ref} lacks scope note for {cat_name}")
                if "effective_from" in cit:
                    if key != "PCI-DSS" or ident not in FUTURE_DATED:
                        err(f"{cid}: effective_from on {ref} not named as future-dated")
                    if str(cit["effective_from"]) != "2025-03-31":
                        err(f"{cid}: bad effective_from {cit['effective_from']}")
                if (key in FRAMEWORKS and not general and not deviation) and (
                    key != "SOX" or re.match(r"ITGC-|§|Rule 2-06", ident)
                ):
                    required_expected.add(key)
            missing = set(cell_ids) - seen
            if missing:
                err(f"{cid}/{key}: table ids not cited: {sorted(missing)}")
        if set(c["required_by"]) != required_expected:
            err(f"{cid}: required_by {c['required_by']} != expected {sorted(required_expected)}")
        if [f for f in FRAMEWORKS if f in c["required_by"]] != c["required_by"]:
            warnings.append(f"{cid}: required_by not in canonical framework order")
        for p in c.get("params", []) or []:
            n_params += 1
            if set(p) != {"name", "unit", "stricter", "policy", "floors"}:
                err(f"{cid}: param keys {set(p)}")
            if p["stricter"] not in ("higher", "lower", "newer"):
                err(f"{cid}/{p['name']}: bad stricter")
            for fl in p["floors"]:
                if set(fl) - {"value", "citation", "framework", "note"}:
                    err(f"{cid}/{p['name']}: floor keys {set(fl)}")
                if fl["citation"] not in all_refs:
                    err(f"{cid}/{p['name']}: floor citation {fl['citation']!r} not among the control's refs")
                if fl["framework"] not in (None, *FRAMEWORKS):
                    err(f"{cid}/{p['name']}: bad framework {fl['framework']}")
                if fl["framework"] is None and not fl["citation"].startswith("OWASP ASVS"):
                    err(f"{cid}/{p['name']}: null framework for non-ASVS floor")
                if fl["framework"] is not None:
                    ck = fl["citation"]
                    exp = {"PCI DSS": "PCI-DSS", "45 CFR": "HIPAA", "GDPR": "GDPR"}
                    if not any(ck.startswith(k) and v == fl["framework"] for k, v in exp.items()):
                        err(f"{cid}/{p['name']}: framework {fl['framework']} vs citation {ck}")
                if p["stricter"] == "newer" and not isinstance(fl["value"], str):
                    err(f"{cid}/{p['name']}: version floor should be a string")
    names = [p["name"] for c in cat["controls"] for p in c.get("params") or []]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        err(f"param names not unique across the catalog: {dup}")
    print(f"controls={len(ids)} citations={n_cit} params={n_params}")
    print("controls per indicator:")
    for ind in sorted(VOCAB):
        print(f"  {ind:18} {len(per_ind[ind]):2}  {', '.join(per_ind[ind])}")
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


def check(ref_md: str, catalog: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) of the catalog checked against the reference table."""
    global REF_MD, CATALOG
    REF_MD, CATALOG = ref_md, catalog
    errors.clear()
    warnings.clear()
    main()
    return list(errors), list(warnings)
