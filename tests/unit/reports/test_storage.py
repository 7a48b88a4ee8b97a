"""Artifacts are written atomically and found only inside the reports folder."""

import hashlib
import os

import pytest

from lms.reports import storage


def test_written_file_matches_its_size_and_sha256(tmp_path):
    stored = storage.write_atomically(tmp_path, "run-1/report.csv", b"\xef\xbb\xbfa,b\r\n")
    data = (tmp_path / "run-1" / "report.csv").read_bytes()
    assert stored.bytes == len(data) == 8
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert os.listdir(tmp_path / "run-1") == ["report.csv"]  # no temporary file left behind


def test_rewriting_replaces_the_whole_file(tmp_path):
    storage.write_atomically(tmp_path, "r/x.pdf", b"old content that is long")
    storage.write_atomically(tmp_path, "r/x.pdf", b"new")
    assert (tmp_path / "r" / "x.pdf").read_bytes() == b"new"


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("lms.storage.os.replace", broken_replace)
    with pytest.raises(OSError):
        storage.write_atomically(tmp_path, "r/x.pdf", b"data")
    assert list((tmp_path / "r").iterdir()) == []


def test_paths_outside_the_folder_are_refused(tmp_path):
    with pytest.raises(ValueError):
        storage.write_atomically(tmp_path / "reports", "../escape.csv", b"x")
    assert not (tmp_path / "escape.csv").exists()


def test_resolve_refuses_paths_outside_the_folder(tmp_path):
    (tmp_path / "secret.txt").write_text("x")
    root = tmp_path / "reports"
    root.mkdir()
    assert storage.resolve(root, "../secret.txt") is None
    assert storage.resolve(root, "missing.csv") is None


def test_remove_deletes_the_file_and_its_empty_folder(tmp_path):
    storage.write_atomically(tmp_path, "run/x.csv", b"1")
    storage.remove(tmp_path, "run/x.csv")
    storage.remove(tmp_path, "run/x.csv")  # twice is fine
    assert not (tmp_path / "run").exists()
