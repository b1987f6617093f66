"""bench/bench_classify.py --input: real tickets streamed from a JSON Lines file, read again
from the start until --tickets have been classified; a file without a ticket is an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench" / "bench_classify.py"

TICKETS = [
    {"id": "B-1", "title": "Card numbers are written to the payment log in full", "description": ""},
    {"id": "B-2", "title": "Sidebar colours are hard to read in dark mode", "description": ""},
    {"id": "B-3", "title": "Enforce MFA for all administrators", "description": ""},
]


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=120, check=False)


def test_input_is_read_again_until_the_count_and_bad_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    lines = [json.dumps(TICKETS[0]), "{not json", json.dumps(TICKETS[1]), json.dumps(TICKETS[2])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_bench("--input", str(path), "--tickets", "7")
    assert result.returncode == 0, result.stderr
    # 7 tickets = the 3 good ones twice and the first once more: the two security tickets
    # count 2 + 2 + 1 times, the dark-mode one twice, the bad line never.
    assert f"tickets:               7 from {path}" in result.stdout
    assert "5 security-relevant" in result.stdout
    assert "with reading" in result.stdout
    assert "tickets per CPU-second" in result.stdout
    # made or read a few at a time, the same tickets are classified
    in_twos = run_bench("--input", str(path), "--tickets", "7", "--batch", "2")
    assert in_twos.returncode == 0, in_twos.stderr
    assert f"tickets:               7 from {path}" in in_twos.stdout
    assert "5 security-relevant" in in_twos.stdout
    assert "2 tickets made or read at a time" in in_twos.stdout
    assert run_bench("--input", str(path), "--batch", "0").returncode == 2  # a usage error


def test_a_file_without_a_ticket_is_an_error_not_a_loop(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("{not json\n\n", encoding="utf-8")
    result = run_bench("--input", str(path), "--tickets", "3")
    assert result.returncode != 0
    assert f"{path}: no ticket to classify" in result.stderr
