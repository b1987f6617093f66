"""Records built in bulk (`stored_at_once`) still behave as their dataclass says."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from tracer.model import Evidence, Finding, Location

SAMPLES = [
    Evidence("title", "card", 3, 7, 2.0, "payment"),
    Finding("mfa", "evidence", "r1", "app/a.py", 3, 4, "found", "x = 1", "cost", "12"),
    Location("app/a.py", 3, 4, "r1", "x = 1", "found", True),
]


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_every_field_is_set_and_the_record_stays_frozen(record: object) -> None:
    cls = type(record)
    names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    assert list(vars(record)) == names  # every field, in order, set by the one-store __init__
    values = {name: getattr(record, name) for name in names}
    assert cls(**values) == record and hash(cls(**values)) == hash(record)
    assert dataclasses.replace(record, **values) == record  # type: ignore[type-var]
    assert pickle.loads(pickle.dumps(record)) == record
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, names[0], "changed")


def test_defaults_match_the_declared_ones() -> None:
    for cls, required in ((Evidence, ("title", "card")), (Finding, ("c", "k", "r", "p", 1, 2, "m"))):
        built = cls(*required)
        for field in dataclasses.fields(cls):
            if field.default is not dataclasses.MISSING:
                assert getattr(built, field.name) == field.default
    assert Location("p", 1, 1, "r", "s", "m").in_change is False
