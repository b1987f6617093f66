"""The evidence side: the hash-chained ledger of checks, audit reports, policy change review
and ticket-time write-back (docs/evidence.md).

Modules: store (the ledger, SQLite or PostgreSQL), records (a check result as a ledger record),
recorder (the one call `check` makes), report (compliance reports), reflag (what a policy change
means for open tickets and recorded evidence), writeback (requirements written to the ticket).
Nothing is imported here, so `import tracer.evidence.store` stays cheap.
"""
