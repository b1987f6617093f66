"""Ticket sources: one module per tracker behind the TicketSource protocol."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from tracer.model import Ticket


class TicketSource(Protocol):
    name: str

    def fetch(self, key: str) -> Ticket: ...

    def search(self, query: str) -> Iterator[Ticket]: ...
