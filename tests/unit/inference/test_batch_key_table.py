"""The compact resume state of batch runs behaves like a dict of 64-bit ints."""

from __future__ import annotations

import random

from seascope.inference.key_table import KeyTable


def test_key_table_matches_a_dict_through_growth() -> None:
    rng = random.Random(7)
    table, reference = KeyTable(), {}
    keys = [rng.getrandbits(64) for _ in range(5000)]
    for key in keys + keys[:100]:
        value = rng.getrandbits(64)
        assert table.put(key, value) == (key not in reference)
        reference[key] = value
    assert len(table) == len(reference)
    assert all(table.get(key) == value for key, value in reference.items())
    assert table.get(rng.getrandbits(64)) is None


def test_keys_only_table() -> None:
    table = KeyTable(with_values=False)
    assert table.put(5) and not table.put(5)
    assert 5 in table and 6 not in table and table.get(5) == 0
