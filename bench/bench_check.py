"""vibeward check against the raw semgrep engine, side by side, in one run.

  python bench/bench_check.py --files 5000 --changed 20          # generated repository
  python bench/bench_check.py --repo PATH --controls a,b,c        # any real repository
  python bench/bench_check.py --files 50000 --changed 20,200,2000 # warm time vs change size

Each case is timed over --runs interleaved repetitions (vibeward, engine, vibeward, …);
the table shows medians, min–max, the ratio of medians, and peak memory (the process tree's
largest resident set, from wait4). The engine runs with the same generated rule file and
the same files, so the ratio is vibeward's own overhead.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tracer import locate  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_CONTROLS = (
    "password_hashing,parameterized_queries,csrf_protection,rate_limiting,audit_logging,"
    "encryption_at_rest,session_timeout,secrets_management,tokenization,security_headers"
)

PY = '''import bcrypt, logging
audit = logging.getLogger("audit")

def register_{n}(db, email, password):
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12))
    db.execute("INSERT INTO users (email, hash) VALUES (?, ?)", (email, hashed))
    audit.info("user registered")

def search_{n}(db, term):
    rows = db.execute("SELECT id FROM items WHERE name = ?", (term,))
    return [r[0] for r in rows]

def total_{n}(items):
    return sum(i.price * i.qty for i in items if i.qty > 0)
'''
JS = '''const bcrypt = require("bcrypt");
async function register{n}(db, email, password) {{
  const hash = await bcrypt.hash(password, 12);
  await db.query("INSERT INTO users (email, hash) VALUES ($1, $2)", [email, hash]);
}}
function total{n}(items) {{
  return items.filter((i) => i.qty > 0).reduce((s, i) => s + i.price * i.qty, 0);
}}
module.exports = {{ register{n}, total{n} }};
'''
JAVA = '''package app;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
public class Service{n} {{
    private final BCryptPasswordEncoder encoder = new BCryptPasswordEncoder(12);
    public String hash(String password) {{ return encoder.encode(password); }}
    public int total(int[] prices) {{ int s = 0; for (int p : prices) {{ s += p; }} return s; }}
}}
'''
GO = '''package app

import "golang.org/x/crypto/bcrypt"

func Hash{n}(password string) ([]byte, error) {{
	return bcrypt.GenerateFromPassword([]byte(password), 12)
}}

func Total{n}(prices []int) int {{
	s := 0
	for _, p := range prices {{
		s += p
	}}
	return s
}}
'''
TEMPLATES = ((".py", PY), (".js", JS), (".java", JAVA), (".go", GO))


def generate(root: Path, files: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    paths = []
    for n in range(files):
        suffix, template = TEMPLATES[n % len(TEMPLATES)]
        rel = f"pkg{n // 500:03d}/mod{n}{suffix}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(n=n) + f"// {rng.random()}\n".replace("//", "#" if suffix == ".py" else "//"))
        paths.append(rel)
    return paths


def change(root: Path, paths: list[str], count: int, round_: int) -> list[str]:
    chosen = paths[:count]
    for rel in chosen:
        path = root / rel
        marker = "#" if rel.endswith(".py") else "//"
        path.write_text(path.read_text() + f"{marker} change {round_}\n")
    return chosen


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of the whole process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {proc.stderr.read().decode()[-400:]}")
    return elapsed, usage.ru_maxrss / 1024


def rule_file(root: Path, controls: list[str], folder: Path) -> Path:
    languages, _ = locate.detect_languages(root, locate.DEFAULT_EXCLUDES)
    rules = locate.collect_rules(controls, languages, locate.rules_dir())
    rules.append(locate._ANNOTATION_RULE)
    path = folder / "rules.yml"
    path.write_text(json.dumps({"rules": rules}))
    return path


def engine(rules: Path, targets: list[str] | None, native: bool = True) -> list[str]:
    mode = ["--experimental"] if native else []
    excludes = [f"--exclude={p}" for p in locate.DEFAULT_EXCLUDES]
    where = ["--", *targets] if targets else ["."]
    return [str(BIN / "semgrep"), "scan", *mode, "--config", str(rules), "--json", "--metrics=off",
            "--disable-version-check", "--quiet", "--timeout", "30", *excludes, *where]


def vibeward(controls: str, cache: bool) -> list[str]:
    return [str(BIN / "vibeward"), "check", ".", "--controls", controls, "--format", "json",
            *([] if cache else ["--no-cache"])]


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
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vibeward-bench-"))
    try:
        if args.repo:
            root = args.repo.resolve()
            paths = [p for p, _, _ in locate.walk_files(root, locate.DEFAULT_EXCLUDES)]
            label = str(root)
        else:
            root = work / "repo"
            paths = generate(root, args.files, args.seed)
            label = f"generated, {args.files} files (py, js, java, go)"
        env = {**os.environ, "VIBEWARD_CACHE_DIR": str(work / "cache"), "SEMGREP_ENABLE_VERSION_CHECK": "0"}
        rules = rule_file(root, args.controls.split(","), work)
        print(f"# vibeward check vs raw semgrep engine — {label}, {len(args.controls.split(','))} controls, "
              f"{args.runs} interleaved runs, {os.cpu_count()} cores\n")
        print("| case | vibeward | engine | ratio | peak memory (vibeward / engine) |")
        print("|---|---|---|---|---|")
        cold, raw = [], []
        for _ in range(args.runs):
            cold.append(timed(vibeward(args.controls, cache=False), root, env))
            raw.append(timed(engine(rules, None), root, env))
        print(row("full check, cold", cold, raw, "`semgrep scan --experimental`"))
        timed(vibeward(args.controls, cache=True), root, env)  # fill the cache
        for count in (int(c) for c in args.changed.split(",")):
            warm, raw_changed, py_changed = [], [], []
            for round_ in range(args.runs):
                changed = change(root, paths, count, round_)
                warm.append(timed(vibeward(args.controls, cache=True), root, env))
                raw_changed.append(timed(engine(rules, changed), root, env))
                py_changed.append(timed(engine(rules, changed, native=False), root, env))
            print(row(f"{count} changed files, warm cache", warm, raw_changed, "engine on those files"))
            print(row(f"{count} changed files, warm cache", warm, py_changed, "`semgrep scan` on those files"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
