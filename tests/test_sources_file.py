from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracer.errors import InputError
from tracer.sources.file import FileSource, iter_ticket_file, read_ticket_file


def test_yaml_ticket_with_all_fields(tmp_path: Path) -> None:
    path = tmp_path / "PAY-1.yml"
    path.write_text(
        "key: PAY-1\ntitle: Card payment\ndescription: |\n  two\n  lines\nlabels: [pci]\n"
        "components: [checkout]\npriority: High\nissue_type: Story\nstatus: Open\nurl: https://t/PAY-1\n",
        encoding="utf-8",
    )
    ticket = read_ticket_file(path)
    assert ticket.key == "PAY-1"
    assert ticket.description == "two\nlines\n"
    assert ticket.labels == ("pci",)
    assert ticket.components == ("checkout",)
    assert ticket.priority == "High"


def test_json_ticket_with_id_and_null_fields(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"id": "D1", "title": None, "description": None, "labels": None}), encoding="utf-8")
    ticket = read_ticket_file(path)
    assert (ticket.key, ticket.title, ticket.description, ticket.labels) == ("D1", "", "", ())


def test_jira_shaped_fields_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    data = {"key": "A-1", "title": "x", "components": [{"name": "payments"}], "priority": {"name": "High"}}
    path.write_text(json.dumps(data), encoding="utf-8")
    ticket = read_ticket_file(path)
    assert ticket.components == ("payments",)
    assert ticket.priority == "High"


def test_project_from_its_field_or_from_a_repository_source(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    rows = [
        {"key": "A-1", "title": "x", "project": {"name": "EHR Platform"}},
        {"key": "A-2", "title": "x", "source": "openemr/openemr#7123"},  # the labeled sets' credit line
        {"key": "A-3", "title": "x", "source": "group/sub/shop#7", "project": "Shop"},  # the field wins
        {"key": "A-4", "title": "x", "source": "jira"},  # not a repository
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    projects = [line.ticket.project for line in iter_ticket_file(path, keep_going=False) if line.ticket]
    assert projects == ["EHR Platform", "openemr/openemr", "Shop", ""]


def test_control_characters_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"key": "A-1", "title": "pay\u0000ment\u001b[31m"}), encoding="utf-8")
    assert read_ticket_file(path).title == "payment[31m"
    # Every C0 control goes but tab, newline and carriage return; CRLF becomes a newline.
    every = "".join(chr(code) for code in range(0x21)) + "\x7f\u2028x\r\ny"
    path.write_text(json.dumps({"key": "A-1", "description": every}), encoding="utf-8")
    assert read_ticket_file(path).description == "\t\n\r \x7f\u2028x\ny"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.yml", None, "ticket file not found"),
        ("bad.yml", "key: [unclosed\n", "invalid YAML"),
        ("bad.json", "{", "invalid JSON"),
        ("empty.yml", "", "ticket file is empty"),
        ("nokey.yml", "title: x\n", "no `key`"),
        ("list.yml", "- a\n", "must be a mapping"),
        ("labels.yml", "key: A-1\nlabels: {a: 1}\n", "`labels` must be a list"),
    ],
)
def test_bad_ticket_files_name_the_file(tmp_path: Path, name: str, content: str | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_ticket_file(path)
    assert str(path) in raised.value.message
    assert message in raised.value.message


def test_invalid_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_bytes(b"key: A-1\ntitle: \xff\xfe\n")
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_ticket_file(path)


def test_jsonl_bad_line_stops_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"id": "A-1", "title": "a"}\n{oops\n{"id": "A-3", "title": "c"}\n')
    with pytest.raises(InputError, match=rf"{path}:2: invalid JSON"):
        list(iter_ticket_file(path, keep_going=False))


def test_jsonl_keep_going_reports_and_continues(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"id": "A-1", "title": "a"}\n\xff\n{"title": "no id"}\n{"id": "A-4", "title": "d"}\n')
    results = list(iter_ticket_file(path, keep_going=True))
    assert [r.ticket.key for r in results if r.ticket] == ["A-1", "A-4"]
    assert [(r.line, r.error.split(": ", 1)[1]) for r in results if r.error] == [
        (2, "not valid UTF-8"),
        (3, "ticket has no `key` (or `id`)"),
    ]


def test_folder_source_finds_by_file_name_and_by_key(tmp_path: Path) -> None:
    folder = tmp_path / ".vibeward" / "tickets"
    folder.mkdir(parents=True)
    (folder / "SEC-7.yml").write_text("key: SEC-7\ntitle: by name\n", encoding="utf-8")
    (folder / "batch.jsonl").write_text('{"key": "SEC-8", "title": "by key"}\n', encoding="utf-8")
    source = FileSource(folder)
    assert source.fetch("SEC-7").title == "by name"
    assert source.fetch("SEC-8").title == "by key"
    with pytest.raises(InputError, match="ticket SEC-9 not found"):
        source.fetch("SEC-9")
