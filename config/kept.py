"""A small least-recently-used store, per process, safe to share between threads.

What pages keep (headers, rows, what is built from a published framework
version) lives in one of these: bounded, so that no number of people,
versions or addresses can grow a process without limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
_MISSING = object()


class Kept(Generic[T]):
    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[Hashable, T] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> T | None:
        with self.lock:
            value = self.items.get(key, _MISSING)
            if value is _MISSING:
                return None
            self.items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: T) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under `key` (None included), or `build()`'s, kept from now on
        (built outside the lock)."""
        with self.lock:
            value = self.items.get(key, _MISSING)
            if value is not _MISSING:
                self.items.move_to_end(key)
                return value
        value = build()
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()

    def __len__(self) -> int:
        return len(self.items)
