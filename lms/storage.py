"""Files under STORAGE_DIR, written atomically (temp file in the same folder, then rename)."""

import hashlib
import os
import tempfile
from pathlib import Path


def storage_path(root: str | Path, relative: str) -> Path:
    path = (Path(root) / relative).resolve()
    if not path.is_relative_to(Path(root).resolve()):
        raise ValueError("path escapes the storage directory")
    return path


def write_atomic(path: Path, data: bytes) -> tuple[str, int]:
    """Write bytes so readers see the old file or the whole new one, never half; returns (sha256, size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest(), len(data)


def remove_stale_temp_files(folder: Path) -> int:
    """Temp files left by a killed writer; they were never renamed, so nothing refers to them."""
    if not folder.exists():
        return 0
    stale = list(folder.rglob(".*.tmp"))
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)
