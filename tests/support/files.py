"""Real file faults for tests: a file that nobody, not even root, can write."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` read-only for every process while the block runs.

    Root ignores file permissions, so as root the file is made immutable (chattr +i); otherwise its
    write permission is removed. Either way opening it for writing fails, as for a file owned by
    someone else or on a read-only mount, and SQLite can only open it read-only.
    """
    if os.geteuid() == 0:
        try:
            subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as error:
            pytest.skip(f"cannot make {path} immutable here ({error}); as root, chmod would not stop writes")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    mode = path.stat().st_mode
    path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        path.chmod(mode)
