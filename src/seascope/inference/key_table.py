"""A compact map of 64-bit key hashes to 64-bit values: the resume state of a batch run.

A Python ``dict`` of ints costs about 90 bytes an entry; a run over millions of images
should not grow by that much per input. This open-addressing table keeps keys and values
in two numpy ``uint64`` arrays at most half full: 32 bytes an entry, 16 without values.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["KeyTable"]

_EMPTY = 0
_INITIAL_CAPACITY = 1024
_MASK = (1 << 64) - 1


class KeyTable:
    """Map non-negative 64-bit ints to 64-bit ints.

    Example:
        >>> table = KeyTable()
        >>> table.put(42, 7)
        True
        >>> table.get(42), table.get(43), 42 in table, len(table)
        (7, None, True, 1)
    """

    def __init__(self, *, with_values: bool = True) -> None:
        self._with_values = with_values
        self._keys: npt.NDArray[np.uint64] = np.zeros(_INITIAL_CAPACITY, dtype=np.uint64)
        self._values: npt.NDArray[np.uint64] | None = (
            np.zeros(_INITIAL_CAPACITY, dtype=np.uint64) if with_values else None
        )
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, key: int) -> bool:
        return self._slot(_stored(key))[1]

    def get(self, key: int) -> int | None:
        """The value of ``key``, or ``None`` when absent."""
        slot, found = self._slot(_stored(key))
        if not found:
            return None
        return int(self._values[slot]) if self._values is not None else 0

    def put(self, key: int, value: int = 0) -> bool:
        """Set ``key`` to ``value``; returns whether the key is new."""
        stored = _stored(key)
        slot, found = self._slot(stored)
        if self._values is not None:
            self._values[slot] = value & _MASK
        if found:
            return False
        self._keys[slot] = stored
        self._size += 1
        if self._size * 2 > len(self._keys):
            self._grow()
        return True

    def _slot(self, stored: int) -> tuple[int, bool]:
        keys = self._keys
        mask = len(keys) - 1
        slot = stored & mask
        while True:
            current = int(keys[slot])
            if current == stored:
                return slot, True
            if current == _EMPTY:
                return slot, False
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        capacity = len(old_keys) * 2
        self._keys = np.zeros(capacity, dtype=np.uint64)
        self._values = np.zeros(capacity, dtype=np.uint64) if self._with_values else None
        mask = capacity - 1
        occupied = np.flatnonzero(old_keys != _EMPTY)
        for index in occupied:
            stored = int(old_keys[index])
            slot = stored & mask
            while int(self._keys[slot]) != _EMPTY:
                slot = (slot + 1) & mask
            self._keys[slot] = stored
            if self._values is not None and old_values is not None:
                self._values[slot] = old_values[index]


def _stored(key: int) -> int:
    """Keys are stored as themselves, except 0 (the empty mark), stored as 1."""
    stored = key & _MASK
    return stored if stored != _EMPTY else 1
