"""``summarizer.files``: every file written whole or not at all, never through a planted name; whose file it is.

The faults are real files on disk: planted symlinks, stale partial files of an earlier
run, a FIFO. A write that fails is HAND-WRITTEN (``os.fsync`` raising ``ENOSPC``, the
error a full disk gives) where a real one would need another process.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import pytest

import summarizer.files as files
from summarizer import OutputPathError, OutputWriteError, batch_prepare
from summarizer.batch.jobs import Job
from summarizer.files import AtomicFile, OutputKind, check_ours, is_stream, write_atomic

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks, FIFOs and modes")
OURS = OutputKind("a test file", lambda data: data.startswith(b"ours"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _leftovers(folder: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name not in keep)


# -- writing ------------------------------------------------------------------------------


@posix_only
def test_a_new_file_has_the_usual_mode_and_a_replaced_one_keeps_its_permissions(tmp_path):
    path = tmp_path / "out.txt"
    assert write_atomic(path, "first\n") == path
    assert path.read_text() == "first\n" and stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask()
    path.chmod(0o640)
    before = path.stat().st_ino
    write_atomic(path, b"second\n")
    assert path.read_bytes() == b"second\n" and path.stat().st_ino != before  # swapped in whole
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


@posix_only
def test_a_symlink_planted_at_the_temporary_name_is_not_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own words\n")
    planted = tmp_path / ".out.txt.0000000000000000.tmp"
    planted.symlink_to(victim)
    names = iter(["0000000000000000", "1111111111111111"])  # the planted name first, as a guess would be
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: next(names))

    write_atomic(tmp_path / "out.txt", "written\n")

    assert victim.read_text() == "the victim's own words\n"  # not written through the link
    assert (tmp_path / "out.txt").read_text() == "written\n" and not (tmp_path / "out.txt").is_symlink()
    assert planted.is_symlink() and _leftovers(tmp_path, planted.name) == []


def test_temporary_names_are_random_and_made_new_without_following_links(tmp_path, monkeypatch):
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):
        opened.append((os.fspath(path), flags))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", spy)
    write_atomic(tmp_path / "out.txt", "one")
    write_atomic(tmp_path / "out.txt", "two")
    temps = [(name, flags) for name, flags in opened if name.endswith(".tmp")]
    assert len(temps) == 2 and temps[0][0] != temps[1][0]
    for _, flags in temps:
        assert flags & os.O_CREAT and flags & os.O_EXCL and flags & os.O_WRONLY
        assert flags & getattr(os, "O_NOFOLLOW", 0) == getattr(os, "O_NOFOLLOW", 0)


def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "out.txt"
    path.write_text("the old content\n")
    with pytest.raises(RuntimeError), AtomicFile(path) as file:
        file.write("half of the new ")
        raise RuntimeError("the writer failed")
    with pytest.raises(KeyboardInterrupt), AtomicFile(path) as file:
        file.write("half of the new ")
        raise KeyboardInterrupt
    assert path.read_text() == "the old content\n" and _leftovers(tmp_path) == []

    def full(fd: int) -> None:  # HAND-WRITTEN: the error a full disk gives
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OutputWriteError, match="No space left"):
        write_atomic(path, "the new content\n")
    assert path.read_text() == "the old content\n" and _leftovers(tmp_path) == []


def test_a_new_file_is_never_written_over_one_that_appeared_meanwhile(tmp_path, monkeypatch):
    path = tmp_path / "requests.jsonl"
    file = AtomicFile(path, new=True)
    file.write("mine\n")
    path.write_text("theirs\n")  # appeared while it was being written
    with pytest.raises(OutputPathError, match="appeared while it was being written"):
        file.finish()
    assert path.read_text() == "theirs\n" and _leftovers(tmp_path) == []

    def no_links(src, dst, **kwargs):  # a file system without hard links
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(files.os, "link", no_links)
    other = tmp_path / "articles.jsonl"
    assert write_atomic(other, "mine\n", new=True) == other and other.read_text() == "mine\n"
    assert _leftovers(tmp_path) == []


def test_a_name_as_long_as_the_file_system_allows_is_written(tmp_path):
    path = tmp_path / ("é" * 120 + ".txt")  # 244 bytes: a temporary of its whole name and more would not fit in 255
    assert write_atomic(path, "long\n") == path and path.read_text() == "long\n"
    assert _leftovers(tmp_path) == []


@posix_only
def test_a_symlink_at_the_target_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert write_atomic(link, "new\n") == real
    assert link.is_symlink() and real.read_text() == "new\n"


def test_a_stale_partial_file_of_an_earlier_run_breaks_nothing(tmp_path, seed_text):
    requests = tmp_path / "requests.jsonl"
    stale = tmp_path / f".requests.jsonl.{os.getpid()}.partial"  # the old predictable name, left by a crash
    stale.write_text("half a file from a crash\n")
    prepared = batch_prepare([("a", seed_text)], requests, model="gpt-4.1-mini", api_key="placeholder-files")
    assert prepared.lines == 1 and requests.exists()
    assert stale.read_text() == "half a file from a crash\n" and _leftovers(tmp_path, stale.name) == []


@posix_only
def test_a_job_file_is_not_written_through_a_link_planted_at_its_old_partial_name(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own words\n")
    job = Job(path=tmp_path / "job.json", requests="requests.jsonl", requests_sha256="0" * 64)
    (tmp_path / f".job.json.{os.getpid()}.partial").symlink_to(victim)
    job.save()
    assert victim.read_text() == "the victim's own words\n"
    assert not job.path.is_symlink() and Job.load(job.path).requests == "requests.jsonl"


# -- whose file -----------------------------------------------------------------------------


def test_ours_is_absent_empty_or_of_the_kind_and_anything_else_is_refused(tmp_path):
    path = tmp_path / "out.txt"
    assert check_ours(path, OURS) == path
    path.write_bytes(b"")
    assert check_ours(path, OURS) == path
    path.write_bytes(b"ours, written before\n")
    assert check_ours(path, OURS) == path
    path.write_bytes(b"the user's notes\n")
    with pytest.raises(OutputPathError, match="exists and is not a test file; it is left as it is"):
        check_ours(path, OURS)
    with pytest.raises(OutputPathError, match="never written over"):
        check_ours(path, OutputKind("a batch file"))
    assert path.read_bytes() == b"the user's notes\n"


@posix_only
def test_an_input_is_never_ours_to_write_even_by_another_name(tmp_path):
    article = tmp_path / "article.txt"
    article.write_bytes(b"ours, and read by the command\n")
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    for path in (article, link):
        with pytest.raises(OutputPathError, match="is the same file as"):
            check_ours(path, OURS, inputs=[None, article])
    new = tmp_path / "new.txt"  # not there yet: the same name still counts
    with pytest.raises(OutputPathError, match="is the same file as"):
        check_ours(new, OURS, inputs=[tmp_path / "." / "new.txt"])


@posix_only
def test_a_fifo_or_a_device_is_never_opened_to_be_checked(tmp_path, monkeypatch):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # no writer: opening it to read would wait forever
    monkeypatch.setattr(files.os, "open", lambda *args, **kwargs: pytest.fail("opened to be checked"))
    for path, says in ((fifo, "FIFO"), (Path("/dev/null"), "character device")):
        assert is_stream(path)
        with pytest.raises(OutputPathError, match=says):
            check_ours(path, OURS)
    assert not is_stream(tmp_path) and not is_stream(tmp_path / "missing")
