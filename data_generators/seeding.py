"""One independent random stream per (seed, day, stream, slice).

Output must not depend on how a writer batches records, so no random generator is ever
shared across slices: each unit of work derives its own from its coordinates. numpy's
SeedSequence mixes the coordinates so neighbouring slices are uncorrelated.
"""

from __future__ import annotations

import zlib

import numpy as np

# Stable small integers per purpose; crc32 keeps them stable across Python runs
# (``hash()`` is salted per process).
_PURPOSES: dict[str, int] = {}


def _purpose_id(name: str) -> int:
    if name not in _PURPOSES:
        _PURPOSES[name] = zlib.crc32(name.encode())
    return _PURPOSES[name]


def rng_for(seed: int, purpose: str, *coords: int) -> np.random.Generator:
    """A generator for one purpose (e.g. ``"sessions"``) at the given coordinates."""
    entropy = [seed, _purpose_id(purpose), *(int(c) for c in coords)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
