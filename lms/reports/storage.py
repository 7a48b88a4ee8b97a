"""Report artifacts on disk under STORAGE_DIR/reports, written atomically."""

import os
from dataclasses import dataclass
from pathlib import Path

from lms.storage import storage_path, write_atomic


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the reports folder
    bytes: int
    sha256: str


def reports_dir(storage_dir: str | os.PathLike) -> Path:
    return Path(storage_dir) / "reports"


def write_atomically(root: Path, relative: str, data: bytes) -> StoredFile:
    """Write to a temporary file in the target folder, then rename over the target.

    Readers (and other processes sharing the storage) see either no file or the whole file, never a part.
    """
    sha256, size = write_atomic(storage_path(root, relative), data)
    return StoredFile(relative, size, sha256)


def resolve(root: Path, relative: str) -> Path | None:
    """The artifact's file if it exists inside the reports folder."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


def remove(root: Path, relative: str) -> None:
    """Delete an artifact's file and its run folder once empty; a missing file is fine."""
    path = root / relative
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass  # other files remain, or it is already gone
