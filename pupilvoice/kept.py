"""Results a worker process keeps between requests, never more than a set number.

For what is worked out from its key alone, and may be shared by threads: the
oldest entry goes first when full (gone, at worst, a little early).
"""

import threading


class Kept:
    def __init__(self, most: int):
        self._most = most
        self._found: dict = {}
        self._adding = threading.Lock()

    def get(self, key):
        return self._found.get(key)

    def add(self, key, value) -> None:
        with self._adding:
            if len(self._found) >= self._most:
                del self._found[next(iter(self._found))]
            self._found[key] = value
