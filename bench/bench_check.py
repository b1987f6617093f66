"""vibeward check against the raw semgrep engine, side by side, in one run.

  python bench/bench_check.py --files 5000 --changed 20          # generated repository
  python bench/bench_check.py --repo PATH --controls a,b,c        # any real repository
  python bench/bench_check.py --files 50000 --changed 20,200,2000 --no-cold  # warm time vs change size
  python bench/bench_check.py --ticket-file examples/tickets/PAY-101.yml   # the whole check of a ticket

Generated files look like application code (60-200 lines of functions and classes); a block
holds security evidence with probability --evidence-share (default 0.15).
A --repo is copied first (the warm cases edit files).

Each case is timed over --runs interleaved repetitions (vibeward, engine, vibeward, …);
the table shows medians, min–max, the ratio of medians, and peak memory (the summed resident
memory of the process tree, sampled every 10 ms). The engine runs with the same generated rule file and
the same files, so the ratio is vibeward's own overhead.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tracer import locate  # noqa: E402
from tracer.engine import (  # noqa: E402
    DEFAULT_EXCLUDES,
    engine_argv,
    engine_command,
    engine_environ,
    languages_of,
    walk_files,
)
from tracer.env import Env  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_CONTROLS = (
    "password_hashing,parameterized_queries,csrf_protection,rate_limiting,audit_logging,"
    "encryption_at_rest,session_timeout,secrets_management,tokenization,security_headers"
)

# Each language: a file header, blocks that hold security evidence (parameterised SQL, audit
# logs), password hashing (with a cost parameter: in the first file of each 500 only, as
# account code is in a real code base) and plain business-logic blocks; a file is a header
# plus 6-14 blocks (about 60-200 lines), each a security one with probability --evidence-share.
LANGUAGES: dict[str, dict[str, Any]] = {
    ".py": {
        "header": "import bcrypt, logging\naudit = logging.getLogger('audit')\n",
        "auth": [
            "\ndef register_{n}(db, email, password):\n"
            "    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12))\n"
            "    db.execute(\"INSERT INTO users (email, hash) VALUES (?, ?)\", (email, hashed))\n"
            "    audit.info(\"user registered\")\n",
        ],
        "security": [
            "\ndef search_{n}(db, term):\n"
            "    rows = db.execute(\"SELECT id FROM items WHERE name = ?\", (term,))\n"
            "    return [r[0] for r in rows]\n",
        ],
        "plain": [
            "\ndef total_{n}(items):\n    return sum(i.price * i.qty for i in items if i.qty > 0)\n",
            "\ndef label_{n}(order, locale='en'):\n    parts = [order.number, order.customer.name]\n"
            "    if order.express:\n        parts.append('express')\n    return ' / '.join(str(p) for p in parts)\n",
            "\nclass Cart{n}:\n    def __init__(self):\n        self.lines = {{}}\n\n"
            "    def add(self, sku, qty=1):\n        self.lines[sku] = self.lines.get(sku, 0) + qty\n"
            "        return self\n\n    def count(self):\n        return sum(self.lines.values())\n",
        ],
        "footer": "",
    },
    ".js": {
        "header": "const bcrypt = require(\"bcrypt\");\n",
        "auth": [
            "\nasync function register{n}(db, email, password) {{\n  const hash = await bcrypt.hash(password, 12);\n"
            "  await db.query(\"INSERT INTO users (email, hash) VALUES ($1, $2)\", [email, hash]);\n}}\n",
        ],
        "security": [
            "\nasync function find{n}(db, id) {{\n"
            "  return db.query(\"SELECT id, name FROM items WHERE id = $1\", [id]);\n}}\n",
        ],
        "plain": [
            "\nfunction total{n}(items) {{\n"
            "  return items.filter((i) => i.qty > 0).reduce((s, i) => s + i.price * i.qty, 0);\n}}\n",
            "\nfunction label{n}(order) {{\n  const parts = [order.number, order.customer.name];\n"
            "  if (order.express) {{\n    parts.push(\"express\");\n  }}\n  return parts.join(\" / \");\n}}\n",
            "\nclass Cart{n} {{\n  constructor() {{\n    this.lines = new Map();\n  }}\n  add(sku, qty = 1) {{\n"
            "    this.lines.set(sku, (this.lines.get(sku) || 0) + qty);\n    return this;\n  }}\n}}\n",
        ],
        "footer": "",
    },
    ".java": {
        "header": "package app;\nimport org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;\n"
        "public class Service{file} {{\n",
        "auth": [
            "    private final BCryptPasswordEncoder encoder{n} = new BCryptPasswordEncoder(12);\n"
            "    public String hash{n}(String password) {{ return encoder{n}.encode(password); }}\n",
        ],
        "security": [
            "    public java.sql.ResultSet find{n}(java.sql.Connection c, long id) throws java.sql.SQLException {{\n"
            "        java.sql.PreparedStatement ps = c.prepareStatement(\"SELECT id FROM items WHERE id = ?\");\n"
            "        ps.setLong(1, id);\n        return ps.executeQuery();\n    }}\n",
        ],
        "plain": [
            "    public int total{n}(int[] prices) {{\n        int s = 0;\n        for (int p : prices) {{\n"
            "            s += p;\n        }}\n        return s;\n    }}\n",
            "    public String label{n}(String number, String name, boolean express) {{\n"
            "        StringBuilder b = new StringBuilder(number).append(\" / \").append(name);\n"
            "        if (express) {{\n            b.append(\" / express\");\n        }}\n"
            "        return b.toString();\n    }}\n",
        ],
        "footer": "}}\n",
    },
    ".go": {
        "header": "package app\n\nimport (\n\t\"database/sql\"\n\t\"fmt\"\n\n\t\"golang.org/x/crypto/bcrypt\"\n)\n",
        "auth": [
            "\nfunc Hash{n}(password string) ([]byte, error) {{\n"
            "\treturn bcrypt.GenerateFromPassword([]byte(password), 12)\n}}\n",
        ],
        "security": [
            "\nfunc Find{n}(db *sql.DB, id int) *sql.Row {{\n"
            "\treturn db.QueryRow(\"SELECT id FROM items WHERE id = $1\", id)\n}}\n",
        ],
        "plain": [
            "\nfunc Total{n}(prices []int) int {{\n\ts := 0\n\tfor _, p := range prices {{\n\t\ts += p\n\t}}\n"
            "\treturn s\n}}\n",
            "\nfunc Label{n}(number, name string, express bool) string {{\n\tparts := []string{{number, name}}\n"
            "\tif express {{\n\t\tparts = append(parts, \"express\")\n\t}}\n\treturn fmt.Sprint(parts)\n}}\n",
        ],
        "footer": "",
    },
}


def generate(root: Path, files: int, seed: int, evidence_share: float) -> list[str]:
    rng = random.Random(seed)
    suffixes = list(LANGUAGES)
    paths = []
    for n in range(files):
        suffix = suffixes[n % len(suffixes)]
        language = LANGUAGES[suffix]
        blocks = []
        if n % 500 < len(suffixes):  # the package's account code: password hashing, rare in a code base
            blocks.append(language["auth"][0].format(n=f"{n}_auth"))
        for b in range(rng.randint(6, 14)):
            pool = language["security"] if rng.random() < evidence_share else language["plain"]
            blocks.append(rng.choice(pool).format(n=f"{n}_{b}"))
        text = language["header"].format(file=n) + "".join(blocks) + language["footer"].format()
        rel = f"pkg{n // 500:03d}/mod{n}{suffix}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(rel)
    return paths


def change(root: Path, paths: list[str], count: int, round_: int) -> list[str]:
    chosen = paths[:count]
    for rel in chosen:
        path = root / rel
        marker = "#" if rel.endswith(".py") else "//"
        path.write_text(path.read_text() + f"{marker} change {round_}\n")
    return chosen


def tree_rss(root_pid: int) -> int:
    """Resident memory (KiB) of a process and all its descendants right now, from /proc."""
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE_KIB
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total


PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def timed(command: list[str], cwd: Path, env: dict[str, str], executable: str | None = None) -> tuple[float, float]:
    """Wall seconds, and the peak of the whole process tree's summed RSS (MiB), sampled every 10 ms.

    A sum, not the largest process: vibeward's Python process holds its memory while its engine
    child runs, and both count.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, executable=executable, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.01):
            peak = max(peak, tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {proc.stderr.read().decode()[-400:]}")
    return elapsed, max(peak, usage.ru_maxrss) / 1024


def rule_file(root: Path, controls: list[str], folder: Path) -> Path:
    languages = languages_of(path for path, _, _ in walk_files(root, DEFAULT_EXCLUDES))
    rules = locate.collect_rules(controls, languages, locate.rules_dir())
    rules.append(locate._ANNOTATION_RULE)
    path = folder / "rules.yml"
    path.write_text(json.dumps({"rules": rules}))
    return path


def engine(rules: Path, targets: list[str] | None, native: bool = True) -> list[str]:
    mode = ["--experimental"] if native else []
    excludes = [f"--exclude={p}" for p in DEFAULT_EXCLUDES]
    where = ["--", *targets] if targets else ["."]
    return [str(BIN / "semgrep"), "scan", *mode, "--config", str(rules), "--json", "--metrics=off",
            "--disable-version-check", "--quiet", "--timeout", "30", *excludes, *where]


def binary_timed(rules: Path, targets: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """The native binary started directly, as vibeward starts it (no `semgrep` script before it)."""
    command = [engine_command(Env.from_environ(env))[0], *engine(rules, targets)[1:]]  # the binary vibeward starts
    program, argv = engine_argv(command)
    return timed(argv, cwd, engine_environ(Env.from_environ(env), command), executable=program)


def vibeward(what: list[str], cache: bool) -> list[str]:
    return [str(BIN / "vibeward"), "check", ".", *what, "--format", "json", *([] if cache else ["--no-cache"])]


def bench_config(folder: Path) -> Path:
    """A config outside the repository: no scan time limit to hit on 50,000 files, nothing else changed."""
    path = folder / "compliance-config.yml"
    path.write_text("scan:\n  timeout: 86400\n")
    return path


def ticket_controls(ticket_file: Path, config_file: Path) -> list[str]:
    """The controls `check` derives for the ticket, so the engine runs the same rules."""
    from datetime import date

    from tracer import pipeline
    from tracer.sources.file import read_ticket_file

    org = pipeline.load_config(config_file.parent, config_file)
    _, required = pipeline.plan(read_ticket_file(ticket_file), (), org, date.today())
    return list(required.control_ids)


def row(name: str, ours: list[tuple[float, float]], theirs: list[tuple[float, float]], vs: str) -> str:
    def med(samples: list[tuple[float, float]]) -> float:
        return statistics.median(s[0] for s in samples)

    def span(samples: list[tuple[float, float]]) -> str:
        return f"{min(s[0] for s in samples):.2f}–{max(s[0] for s in samples):.2f}"

    mem_ours, mem_theirs = max(s[1] for s in ours), max(s[1] for s in theirs)
    return (f"| {name} | {med(ours):.2f} s ({span(ours)}) | {vs} {med(theirs):.2f} s ({span(theirs)}) | "
            f"**{med(ours) / med(theirs):.2f}×** | {mem_ours:.0f} / {mem_theirs:.0f} MiB "
            f"({mem_ours / mem_theirs:.2f}×) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--changed", default="20")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--controls", default=DEFAULT_CONTROLS)
    parser.add_argument("--ticket-file", type=Path,
                        help="check this ticket (classified, requirements derived, evidence recorded), not --controls")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold full-check rows (large repositories)")
    parser.add_argument("--change-suffix", default="",
                        help="change only files with this ending (e.g. .py: a pull request in one language)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--evidence-share", type=float, default=0.15,
                        help="chance that a generated block holds security evidence (1.0: every block)")
    parser.add_argument("--workdir", type=Path,
                        help="keep the generated repository and its cache here, and reuse them next time (same "
                             "--files, --seed, --evidence-share): a large repository's warm rows then skip the fill")
    args = parser.parse_args()
    work = args.workdir.resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="vibeward-bench-"))
    try:
        if args.repo:
            root = work / "repo"  # a copy: the warm cases edit files
            # What the scan leaves out (.git, node_modules, .venv, tests, ...) is not copied either.
            ignore = shutil.ignore_patterns(*DEFAULT_EXCLUDES)
            shutil.copytree(args.repo.resolve(), root, symlinks=True, ignore=ignore)
            paths = [p for p, _, _ in walk_files(root, DEFAULT_EXCLUDES)]
            label = str(args.repo.resolve())
        else:
            root = work / "repo"
            stamp = work / "generated.json"
            made = {"files": args.files, "seed": args.seed, "share": args.evidence_share}
            kept = json.loads(stamp.read_text()) if args.workdir and stamp.is_file() else {}
            if kept.get("made") == made:
                paths = kept["paths"]
            else:
                shutil.rmtree(root, ignore_errors=True)
                shutil.rmtree(work / "cache", ignore_errors=True)
                paths = generate(root, args.files, args.seed, args.evidence_share)
                stamp.write_text(json.dumps({"made": made, "paths": paths}))
            label = f"generated, {args.files} files (py, js, java, go; evidence share {args.evidence_share})"
        env = {**os.environ, "VIBEWARD_CACHE_DIR": str(work / "cache"), "SEMGREP_ENABLE_VERSION_CHECK": "0"}
        # Timed as installed: with compiled bytecode (pip writes it; a shell may forbid writing it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        compileall.compile_dir(REPO / "tracer", quiet=1)
        config_file = bench_config(work)
        if args.ticket_file:
            controls = ticket_controls(args.ticket_file.resolve(), config_file)
            what = ["--ticket-file", str(args.ticket_file.resolve())]
            subject = f"ticket {args.ticket_file.name} ({len(controls)} controls)"
        else:
            controls = args.controls.split(",")
            what = ["--controls", args.controls]
            subject = f"{len(controls)} controls"
        rules = rule_file(root, controls, work)
        what += ["--config", str(config_file)]
        print(f"# vibeward check vs raw semgrep engine — {label}, {subject}, "
              f"{args.runs} interleaved runs, {os.cpu_count()} cores\n")
        print("| case | vibeward | engine | ratio | peak memory (vibeward / engine) |")
        print("|---|---|---|---|---|")
        if not args.no_cold:
            cold, raw = [], []
            for _ in range(args.runs):
                cold.append(timed(vibeward(what, cache=False), root, env))
                raw.append(timed(engine(rules, None), root, env))
            print(row("full check, cold", cold, raw, "`semgrep scan --experimental`"), flush=True)
        timed(vibeward(what, cache=True), root, env)  # fill the cache
        for count in (int(c) for c in args.changed.split(",")):
            warm, raw_changed, py_changed, binary_changed = [], [], [], []
            for round_ in range(args.runs):
                changed = change(root, [p for p in paths if p.endswith(args.change_suffix)], count, round_)
                warm.append(timed(vibeward(what, cache=True), root, env))
                raw_changed.append(timed(engine(rules, changed), root, env))
                py_changed.append(timed(engine(rules, changed, native=False), root, env))
                binary_changed.append(binary_timed(rules, changed, root, env))
            name = f"{count} changed {args.change_suffix + ' ' if args.change_suffix else ''}files, warm cache"
            print(row(name, warm, raw_changed, "engine on those files"))
            print(row(name, warm, py_changed, "`semgrep scan` on those files"))
            print(row(name, warm, binary_changed, "the native binary alone on those files"), flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
