"""Classifier throughput: stream 100,000 generated tickets through one Classifier.

    python bench/bench_classify.py [--tickets N] [--seed S] [--input FILE.jsonl] [--batch B]

Tickets are generated on the fly (never held in memory at once) from sentence templates
in the style of real tracker tickets: bug reports with steps, Markdown, code fences, stack
traces and links, across shops, EMRs, ERPs, identity servers and plain dev tooling. About a
third carry security vocabulary. Prints the classifier's own rate in tickets per
CPU-second (the honest figure on a shared machine: wall time also counts other processes'
turns) and peak memory; the target is at least 20,000 tickets/s on one core with memory
flat (peak RSS barely moves between the first tenth of the run and the end).

Tickets are made (or read) `--batch` at a time, 1,000 by default, and the classifier's
calls on each batch are timed: its own rate, without the generator's work in between
(memory stays flat: one batch is held at a time). The rate of the whole run with the
generator's own time taken away afterwards is printed too ("whole run"; with `--batch 1`
the figure this bench gave before): it is lower, since making a ticket between two
classifications also costs the classifier its caches.

`--input` streams real tickets instead, from a JSON Lines file in the format of the labeled
sets (e.g. ../shared/data/tickets/dev.jsonl), read again from the start until --tickets
have been classified: real tickets are more often security work and richer in vocabulary
than generated ones, so they cost more each. Reading them is timed apart, as generation is.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracer import config, native
from tracer.classify import build_classifier
from tracer.model import Ticket
from tracer.sources.file import iter_ticket_file

SUBJECTS = [
    "checkout page",
    "patient chart",
    "invoice list",
    "login form",
    "admin console",
    "settings screen",
    "product grid",
    "report export",
    "search results",
    "user profile page",
    "dashboard widget",
    "API client",
    "webhook handler",
    "upload dialog",
    "journal entry screen",
    "session manager",
    "notification email",
    "mobile app",
    "CLI",
    "build pipeline",
    "docs site",
    "order history",
    "lab results view",
    "role editor",
]
SECURITY = [
    "The password reset link does not expire after it is used.",
    "Card numbers are written to the application log in full when the payment gateway returns an error.",
    "Clinicians can open the medical records of patients outside their department.",
    "Posted journal entries can be edited by any accountant without an approval step.",
    "We need to let users export and delete their personal data on request (GDPR).",
    "The session cookie is missing the HttpOnly and Secure flags.",
    "The search endpoint builds SQL by string concatenation, which allows SQL injection.",
    "Uploaded files are not checked for type or size before they are stored.",
    "Enforce MFA for all administrators of the organization.",
    "API keys for the mail provider are stored in plain text in the settings table.",
    "Add an audit trail for permission changes made in the admin panel.",
    "Encrypt PHI at rest with a key from the KMS and rotate it yearly.",
    "The Stripe webhook signature is not verified before the order is marked as paid.",
    "Users with the viewer role can call the delete endpoint of another tenant.",
]
PLAIN = [
    "The layout breaks on narrow screens and the footer overlaps the content.",
    "Sorting by date does not persist after a page refresh.",
    "Please add pagination, the list gets slow with a few thousand rows.",
    "The dark mode colours are hard to read in the sidebar.",
    "Bump the dependency to the latest minor version and fix the deprecation warnings.",
    "The spinner never disappears when the request is cancelled.",
    "Translations are missing for the new onboarding screens in German and French.",
    "Running the test suite locally takes more than ten minutes; we should parallelise it.",
    "The card component shadow is clipped inside the product grid.",
    "git checkout of the release branch fails in CI when submodules are enabled.",
    "The health check endpoint returns 500 while the database migrations run.",
    "npm audit reports two moderate advisories in dev dependencies.",
    "The tokenizer drops the pad token when the batch has a single sentence.",
    "Keyboard shortcut key bindings conflict with the browser defaults.",
    "Please be patient, the nightly build takes a while to publish.",
]
STEPS = [
    "### Steps to reproduce\n1. Open the {s}\n2. Click **Save**\n3. Refresh the page\n",
    "Expected behaviour: the {s} shows the updated value.\nActual behaviour: nothing happens.\n",
    "See https://example.com/issues/{n} and the discussion in #{n}.\n",
    "```\nTraceback (most recent call last):\n  File \"app/views.py\", line {n}, in handler\nKeyError: 'id'\n```\n",
    "```js\nconst value = await client.get(`/api/v1/items/${{id}}`);\n```\n",
    "    at com.example.Service.handle(Service.java:{n})\n    at com.example.Main.run(Main.java:42)\n",
    "> Quoted from the customer: the {s} was fine last week.\n",
    "Environment: Chrome 120, macOS 14, version 2.{n}.1\n",
]
TYPES = ["Bug", "Story", "Task", "Feature", "Epic"]
PRIORITIES = ["", "Low", "Medium", "High", "Critical"]
LABELS = ["frontend", "backend", "ui", "security", "payments", "infra", "docs", "good first issue", "needs-triage"]


def generate(count: int, seed: int) -> Iterator[Ticket]:
    rng = random.Random(seed)
    for number in range(count):
        subject = rng.choice(SUBJECTS)
        secure = rng.random() < 0.35
        lead = rng.choice(SECURITY if secure else PLAIN)
        title = f"{subject.capitalize()}: {lead.split('.')[0][:70]}"
        parts = [lead]
        for _ in range(rng.randint(1, 6)):
            parts.append(rng.choice(STEPS).format(s=subject, n=rng.randint(1, 9999)))
            parts.append(rng.choice(PLAIN))
        yield Ticket(
            key=f"BENCH-{number}",
            title=title,
            description="\n".join(parts),
            labels=tuple(rng.sample(LABELS, rng.randint(0, 3))),
            priority=rng.choice(PRIORITIES),
            issue_type=rng.choice(TYPES),
        )


def stream(path: Path, count: int) -> Iterator[Ticket]:
    """`count` tickets from a JSON Lines file, streamed, from the start again at its end."""
    produced = 0
    while produced < count:
        before = produced
        for result in iter_ticket_file(path, keep_going=True):
            if result.ticket is None:
                continue
            yield result.ticket
            produced += 1
            if produced == count:
                return
        if produced == before:
            raise SystemExit(f"{path}: no ticket to classify")


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--input", type=Path, help="stream real tickets from this JSONL instead")
    parser.add_argument("--batch", type=int, default=1000, help="tickets made or read at a time (default 1000)")
    args = parser.parse_args()
    if args.tickets < 1 or args.batch < 1:
        parser.error("--tickets and --batch must be at least 1")

    def tickets(count: int) -> Iterator[Ticket]:
        return stream(args.input, count) if args.input else generate(count, args.seed)

    classifier = build_classifier(config.load(None))
    classifier.classify(next(tickets(1)))  # warm the regex caches
    tenth = max(args.tickets // 10, 1)
    relevant = chars = done = 0
    rss_at_tenth = 0.0
    own = 0.0  # CPU time in the classifier's calls alone
    stream_of = tickets(args.tickets)
    started = time.perf_counter()
    cpu_started = time.process_time()
    while batch := list(itertools.islice(stream_of, args.batch)):
        batch_started = time.process_time()
        for ticket in batch:
            relevant += classifier.classify(ticket).security_relevant
        own += time.process_time() - batch_started
        for ticket in batch:
            chars += len(ticket.description) + len(ticket.title)
        if done < tenth <= done + len(batch):
            rss_at_tenth = peak_rss_mib()
        done += len(batch)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    # Time the generator (or the reader) alone too: the whole run less it is the figure this
    # bench gave before batches (with --batch 1, exactly: a ticket made between any two calls).
    gen_started = time.process_time()
    for _ in tickets(args.tickets):
        pass
    apart = max(cpu - (time.process_time() - gen_started), 1e-9)
    own = max(own, 1e-9)
    mean = chars / args.tickets
    each = own / args.tickets * 1e6
    step = "reading" if args.input else "generation"
    print(f"classifier:            {args.tickets / own:,.0f} tickets per CPU-second ({each:.1f} µs each)")
    whole = apart / args.tickets * 1e6
    print(
        f"  whole run:           {args.tickets / apart:,.0f} tickets per CPU-second ({whole:.1f} µs each:"
        f" the run less the {step} alone; with --batch 1, a ticket's {step} between any two calls)"
    )
    source = f"from {args.input}" if args.input else "generated"
    print(f"tickets:               {args.tickets:,} {source} (mean {mean:,.0f} chars, {relevant:,} security-relevant)")
    print(f"CPU time:              {cpu:.2f} s with {step} ({args.tickets / cpu:,.0f} tickets per CPU-second)")
    print(f"wall time:             {elapsed:.2f} s with {step} ({args.tickets / elapsed:,.0f} tickets/s)")
    print(f"peak RSS:              {rss_at_tenth:.1f} MiB after {tenth:,} tickets, {peak_rss_mib():.1f} MiB at the end")
    print(f"batches:               {args.batch:,} tickets made or read at a time, the classifier's calls timed")
    plain = "plain Python (VIBEWARD_NATIVE=0, or no current build: `make native`)"
    built = "compiled (build/native)" if native.active else plain
    print(f"classifier modules:    {built}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
