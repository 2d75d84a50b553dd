"""Files the user owns: every file this package writes goes through the two rules here.

Writing (:class:`AtomicFile`, :func:`write_atomic`): a file is written to a temporary
file beside it and put in place whole, or not at all. The temporary name is random
and created with ``O_CREAT | O_EXCL | O_NOFOLLOW``, so a symlink planted at a name
that could be guessed is never followed and a stale partial file of an earlier run
never collides with this one; on any failure (an interrupt too) it is removed. It is
put in place by ``os.replace``, keeping the permissions of the file it replaces, or,
for a file that must not exist yet, by ``os.link``, which never writes over one that
appeared meanwhile. A symlink at the target's own name is followed, as for every
output: the file it points to is replaced and the link is kept.

Whose file (:func:`check_ours`): an output path may be written when it is absent, or
a regular file of the kind the command writes (:class:`OutputKind`), and is not one
of the command's own inputs. Anything else is refused with
:class:`~summarizer.errors.OutputPathError` before any request is sent. Only a regular
file is ever opened to be recognised: a terminal or a FIFO is never read
(:func:`is_stream` tells them by ``stat``; :func:`open_stream` opens one to write only).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TextIO

from .errors import OutputPathError, OutputWriteError

__all__ = [
    "AtomicFile",
    "OutputKind",
    "check_ours",
    "check_output_path",
    "check_readable",
    "describe_mode",
    "is_stream",
    "open_stream",
    "write_atomic",
]

_TEMP_FLAGS = (
    os.O_CREAT | os.O_EXCL | os.O_WRONLY
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NAME_KEPT = 50  # characters of the target's name in the temporary's: at most 200 bytes, so it fits in 255
_TRIES = 8  # random names tried before giving up: a clash is a 1 in 2**64 event, a taken name an attack
_OWN_MAX = 64 * 1024 * 1024  # a larger file is not one of this library's summaries, reports or scores


# -- where output may go -------------------------------------------------------------


def describe_mode(mode: int) -> str:
    """What a file that is not a regular file is, in words a message can show."""
    if stat.S_ISCHR(mode):
        return "a character device (a terminal, /dev/null, /dev/zero, ...)"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (a pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_readable(path: str | os.PathLike[str]) -> None:
    """Raise ``OSError`` (``EINVAL``) for an existing path that is not a regular file, before it is opened to be read.

    A FIFO waits for a writer and ``/dev/zero`` never ends; callers say the error as theirs.
    A missing path is left to the read that follows, which names it.
    """
    with contextlib.suppress(FileNotFoundError):
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"not a regular file ({describe_mode(mode)})", os.fspath(path))


def check_output_path(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """The real path output is written to (symlinks followed), or :class:`OutputPathError` saying why not.

    A regular file, or a new name in an existing folder; with ``folder=True`` (one
    report per article) an existing folder too. Only ``stat`` is used: nothing is opened.
    """
    given = Path(path)
    try:
        found = os.stat(given)  # follows symlinks, /dev/stdout included
    except FileNotFoundError:
        target = Path(os.path.realpath(given))  # a dangling symlink is created where it points
        if not target.parent.is_dir():
            raise OutputPathError(f"{given}: the folder {target.parent} does not exist", path=str(given)) from None
        return target
    except OSError as exc:
        raise OutputPathError(f"{given}: cannot be used ({exc.strerror or exc})", path=str(given)) from None
    if stat.S_ISDIR(found.st_mode):
        if folder:
            return given
        raise OutputPathError(f"{given}: is a folder, not a file", path=str(given))
    if not stat.S_ISREG(found.st_mode):
        raise OutputPathError(
            f"{given}: is {describe_mode(found.st_mode)}; output goes to a regular file or a new path", path=str(given)
        )
    target = Path(os.path.realpath(given))
    with contextlib.suppress(OSError):
        if os.path.samefile(target, given):
            return target
    return given  # a path the kernel resolves but realpath cannot (e.g. under /proc)


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a character device or a FIFO (a terminal, /dev/null, a pipe): written in order, never read.

    Found by ``stat`` alone: opening a FIFO waits for its other end, reading a terminal waits for the user.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def open_stream(path: str | os.PathLike[str]) -> TextIO:
    """A terminal, /dev/null or FIFO opened to write text in order (a FIFO waits for its reader, as a shell's ``>``).

    Never created, truncated or read; a regular file that took its place meanwhile is refused (:class:`OutputPathError`).
    """
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise OutputPathError(f"{path}: is no longer a terminal, device or pipe; it is left as it is", path=str(path))
        return open(fd, "w", encoding="utf-8")  # the caller closes it
    except BaseException:
        os.close(fd)
        raise


@dataclass(frozen=True)
class OutputKind:
    """A kind of file this library writes, and how one is told from a file of the user's.

    ``name`` is what messages call it ("a summarizer Markdown report"). ``recognise``
    is given the file's first ``head`` bytes (the whole file when ``head`` is None, up
    to 64 MiB) and says whether this library wrote it; None for a kind that is never
    written over (batch files), where only a new name is ours.
    """

    name: str
    recognise: Callable[[bytes], bool] | None = None
    head: int | None = None


def _same_file(a: Path, b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one of them does not exist (yet): compare where they lead
        return os.path.realpath(a) == os.path.realpath(b)


def _head(target: Path, given: Path, size: int | None) -> bytes | None:
    """The first ``size`` bytes of a regular file (None if it is absent); never blocks on anything else."""
    try:
        fd = os.open(target, _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputPathError(f"{given}: exists and cannot be read to tell whether this library wrote it "
                              f"({exc.strerror or exc}); it is left as it is: choose another name",
                              path=str(given)) from None
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):  # replaced since it was checked
            raise OutputPathError(f"{given}: is {describe_mode(found.st_mode)}", path=str(given))
        limit = size if size is not None else _OWN_MAX + 1
        parts: list[bytes] = []
        got = 0
        while got < limit:
            part = os.read(fd, min(1 << 20, limit - got))
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)
    finally:
        os.close(fd)


def check_ours(
    path: str | os.PathLike[str],
    kind: OutputKind,
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """The real path to write ``kind`` to, if it is ours to write; else :class:`OutputPathError` saying what to do.

    Ours: absent (in an existing folder), or a regular file this library wrote as
    ``kind`` (or empty), and none of ``inputs``, the files the command reads. A
    device, FIFO, socket or folder is refused as :func:`check_output_path` does; only a
    regular file is opened (without blocking) to be recognised.
    """
    given = Path(path)
    target = check_output_path(given)
    for source in inputs:
        if source is not None and _same_file(target, source):
            raise OutputPathError(
                f"{given}: is the same file as {source}, which this command reads; it is left as it is: "
                "write the output to another file",
                path=str(given),
            )
    data = _head(target, given, kind.head)
    if data is None:
        return target
    if kind.recognise is None:
        raise OutputPathError(
            f"{given}: exists, and {kind.name} is never written over: move it, or choose another name", path=str(given)
        )
    if not data.strip() or (len(data) <= _OWN_MAX and kind.recognise(data)):
        return target
    raise OutputPathError(
        f"{given}: exists and is not {kind.name}; it is left as it is: choose another name, or move it away",
        path=str(given),
    )


# -- writing whole or not at all -----------------------------------------------------------


def _temporary(target: Path) -> tuple[Path, int]:
    """A new file beside ``target`` under a random name, created by this call alone (never through a symlink)."""
    for _ in range(_TRIES):
        temp = target.with_name(f".{target.name[:_NAME_KEPT]}.{secrets.token_hex(8)}.tmp")
        try:
            return temp, os.open(temp, _TEMP_FLAGS, 0o666)  # 0o666 less the umask, as any new file
        except FileExistsError:
            continue  # taken (by a planted file or link): another name
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {target.name} after {_TRIES} tries")


class AtomicFile:
    """A file written beside its name and put in place whole by :meth:`finish`, or not at all.

    As a context manager it is finished on leaving and abandoned on an exception.
    ``new=True``: the file must not exist yet; it is never written over, even by one
    that appeared during the writing (:class:`OutputPathError`). Otherwise it replaces
    the file there, keeping its permissions. ``path`` is the real file written (a
    symlink at the name followed); ``size`` counts the bytes written. A failure to
    write is :class:`OutputWriteError`, with nothing left behind.
    """

    def __init__(self, path: str | os.PathLike[str], *, new: bool = False) -> None:
        self.given = Path(path)
        self.path = check_output_path(path)
        self.new = new
        self.size = 0
        try:
            self.temp, fd = _temporary(self.path)
        except OSError as exc:
            raise self._failed(exc) from None
        try:
            if not new:
                with contextlib.suppress(OSError):  # a new file keeps 0o666 less the umask
                    mode = stat.S_IMODE(os.stat(self.path).st_mode)
                    if hasattr(os, "fchmod"):
                        os.fchmod(fd, mode)  # the file opened, whatever its name leads to now
                    else:  # pragma: no cover - Windows
                        os.chmod(self.temp, mode)
            self._file: io.BufferedWriter = open(fd, "wb")  # noqa: SIM115 - closed by finish / abandon
        except BaseException as exc:
            os.close(fd)
            self.temp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise self._failed(exc) from None
            raise

    def _failed(self, exc: OSError) -> OutputWriteError:
        return OutputWriteError(f"{self.given}: cannot be written ({exc.strerror or exc})", path=str(self.given))

    def write(self, data: str | bytes) -> None:
        """Append ``data`` (text as UTF-8); on failure the file is abandoned."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            self._file.write(raw)
        except OSError as exc:
            self.abandon()
            raise self._failed(exc) from None
        self.size += len(raw)

    def finish(self) -> Path:
        """Put the file in place, whole and on disk; the real path written."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if self.new:
                self._link()
            else:
                os.replace(self.temp, self.path)
        except OSError as exc:
            self.abandon()
            raise self._failed(exc) from None
        except BaseException:
            self.abandon()
            raise
        finally:
            with contextlib.suppress(OSError):
                self.temp.unlink(missing_ok=True)  # after a link, the second name
        return self.path

    def _link(self) -> None:
        appeared = OutputPathError(f"{self.given}: appeared while it was being written; it is left as it is",
                                   path=str(self.given))
        try:
            os.link(self.temp, self.path)  # fails, leaving it alone, if a file of that name appeared meanwhile
        except FileExistsError:
            raise appeared from None
        except OSError:  # a file system without hard links: put it in place unless one appeared
            if os.path.lexists(self.path):
                raise appeared from None
            os.replace(self.temp, self.path)

    def abandon(self) -> None:
        """Remove what was written; the file at ``path`` is as it was."""
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            self.temp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:  # noqa: PYI034 - Self is Python 3.11
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            self.finish()
        else:
            self.abandon()


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, new: bool = False) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all (see :class:`AtomicFile`); the real path."""
    with AtomicFile(path, new=new) as file:
        file.write(data)
    return file.path
