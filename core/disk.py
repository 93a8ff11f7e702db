"""How much a folder holds on disk while others may be writing it.

Run folders and upload folders are written the atomic way (a temporary file, then a rename) and pruned while
learners use them, so a file listed a moment ago may be gone when it is measured: it is skipped, never an error.
"""
from __future__ import annotations

import os
from pathlib import Path


def size_of(folder: Path) -> int:
    """Bytes in the files under folder (0 for one that is gone); links are not followed."""
    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(parent, name)).st_size
            except OSError:
                pass
    return total
