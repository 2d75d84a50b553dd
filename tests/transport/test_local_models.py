"""The embedded models' pieces: joined once, in order, checked by sha256, never used when wrong.

The pieces here are small files in a package made for the test (HAND-WRITTEN bytes),
standing in for the PyPI packages that carry a real GGUF.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from summarizer import ConfigurationError
from summarizer.transport import local
from summarizer.transport.local import LocalModel

PIECES = [b"GGUF piece one ", b"piece two ", b"and the last piece"]


@pytest.fixture
def pieces(tmp_path, monkeypatch):
    package = tmp_path / "site" / "fake_model_pieces"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for i, data in enumerate(PIECES, 1):
        (package / "data" / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("SUMMARIZER_MODELS_DIR", str(tmp_path / "models"))
    whole = b"".join(PIECES)
    yield LocalModel(
        "fake-model", "A fake model", tuple(("fake_model_pieces", f"data/part{i:02d}.bin") for i in (1, 2, 3)),
        len(whole), hashlib.sha256(whole).hexdigest(), "local-fake", "none",
    )
    sys.modules.pop("fake_model_pieces", None)


def test_the_pieces_are_joined_in_order_once(pieces, tmp_path):
    path = local.assemble(pieces)
    assert path.read_bytes() == b"".join(PIECES) and path.parent == tmp_path / "models"
    joined_at = path.stat().st_mtime_ns
    assert local.assemble(pieces) == path and path.stat().st_mtime_ns == joined_at  # reused, not joined again


def test_a_changed_file_is_joined_again(pieces):
    path = local.assemble(pieces)
    path.write_bytes(b"X" * len(b"".join(PIECES)))  # same size, other bytes, written after the stamp
    assert local.assemble(pieces).read_bytes() == b"".join(PIECES)


def test_pieces_that_do_not_make_the_file_are_refused_and_nothing_is_left(pieces, tmp_path):
    wrong = LocalModel(pieces.name, pieces.title, pieces.parts, pieces.size, "0" * 64, pieces.extra, pieces.licence)
    with pytest.raises(ConfigurationError, match="do not join into the expected file"):
        local.assemble(wrong)
    assert not [p for p in (tmp_path / "models").iterdir() if p.suffix in (".gguf", ".part", ".tmp")]


def test_missing_pieces_name_the_extra_that_installs_them(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_MODELS_DIR", str(tmp_path))
    missing = LocalModel("gone", "Gone", (("no_such_pieces_package", "data/part01.bin"),), 1, "0" * 64, "local-gone", "")
    with pytest.raises(ConfigurationError, match=r'pip install "summarizer\[local-gone\]"'):
        local.assemble(missing)


def test_names_and_paths(tmp_path):
    with pytest.raises(ConfigurationError, match="qwen2.5-coder-1.5b"):
        local.resolve_gguf("local:no-such-model")
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    assert local.resolve_gguf(f"local:{gguf}") == (gguf.resolve(), "mine")
    assert set(local.LOCAL_MODELS) == {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert local.DEFAULT_LOCAL_MODEL in local.LOCAL_MODELS


# -- the stamp: trusted only for the very file it was written for ------------------------------------------------


def _stamp(path):
    return path.with_name(path.name + ".sha256")


def test_a_file_rewritten_in_place_with_its_dates_set_back_is_joined_again(pieces):
    path = local.assemble(pieces)
    before = path.stat()
    with open(path, "r+b") as file:
        file.write(b"\0" * before.st_size)  # same size, same inode: zeros
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # its mtime set back, as cp -p or tar do
    os.utime(_stamp(path))  # and a stamp newer than the file
    assert local.assemble(pieces).read_bytes() == b"".join(PIECES)


def test_another_file_put_in_its_place_with_the_stamp_is_not_trusted(pieces, tmp_path):
    path = local.assemble(pieces)
    stamp = _stamp(path).read_bytes()
    forged = tmp_path / "forged.gguf"
    forged.write_bytes(b"GGUF" + b"X" * (len(b"".join(PIECES)) - 4))  # a GGUF header, the right size, other bytes
    os.replace(forged, path)
    _stamp(path).write_bytes(stamp)  # the old stamp, newer than the file
    assert local.assemble(pieces).read_bytes() == b"".join(PIECES)


def test_a_stamped_file_is_used_without_being_read_again_and_an_old_stamp_is_renewed(pieces, monkeypatch):
    path = local.assemble(pieces)
    _stamp(path).write_text(pieces.sha256 + "\n")  # a stamp as earlier versions wrote it
    joined_at = path.stat().st_mtime_ns
    assert local.assemble(pieces) == path and path.stat().st_mtime_ns == joined_at  # hashed again, not joined
    assert json.loads(_stamp(path).read_text())["sha256"] == pieces.sha256  # and stamped as it is now

    def hashed(*args: object) -> bool:
        raise AssertionError("a stamped model was read whole again")

    monkeypatch.setattr(local, "_holds", hashed)
    assert local.assemble(pieces) == path  # a stat and four bytes: the stamp vouches for it


def test_a_models_folder_that_cannot_be_written_is_a_configuration_error_saying_where(pieces, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SUMMARIZER_MODELS_DIR", str(blocker / "models"))  # a folder that cannot be made
    with pytest.raises(ConfigurationError, match="SUMMARIZER_MODELS_DIR") as caught:
        local.assemble(pieces)
    assert str(blocker / "models") in str(caught.value)


def test_a_full_disk_is_a_configuration_error_and_leaves_nothing_behind(pieces, tmp_path, monkeypatch):
    def full(self: object, data: bytes) -> None:  # what writing to a full disk raises
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local.AtomicFile, "write", full)
    with pytest.raises(ConfigurationError, match="No space left on device.*free space there") as caught:
        local.assemble(pieces)
    assert str(tmp_path / "models") in str(caught.value)
    assert list((tmp_path / "models").iterdir()) == []


# -- the server: a key of its own, on its standard input (a stand-in xllamacpp; the real one is in test_local.py) --

FAKE_XLLAMACPP = '''"""A stand-in for xllamacpp (HAND-WRITTEN for the test): records the server's parameters, serves nothing."""
import json
import os


class _Params:
    def __getattr__(self, name):  # nested parameter groups (params.model.path) made on first use
        value = _Params()
        setattr(self, name, value)
        return value


class CommonParams(_Params):
    pass


class Server:
    def __init__(self, params):
        names = ("api_keys", "cors_origins", "cors_credentials", "hostnames", "endpoint_slots")
        with open(os.environ["FAKE_XLLAMACPP_RECORD"], "w") as file:
            json.dump({name: getattr(params, name) for name in names}, file)
        self.listening_address = "http://127.0.0.1:9"
'''


def test_the_server_gets_a_key_of_its_own_on_its_standard_input_and_allows_no_origin(tmp_path, monkeypatch):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "xllamacpp.py").write_text(FAKE_XLLAMACPP)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(fake), os.environ.get("PYTHONPATH")])))
    keys = []
    for run in range(2):
        monkeypatch.setenv("FAKE_XLLAMACPP_RECORD", str(tmp_path / f"params{run}.json"))
        server = local._start(tmp_path / "model.gguf", "model", 512, 1)
        try:
            assert server.base_url == "http://127.0.0.1:9/v1"
            command = " ".join(map(str, server.process.args))
        finally:
            server.stop()
        params = json.loads((tmp_path / f"params{run}.json").read_text())
        assert params["api_keys"] == [server.api_key] and len(server.api_key) >= 32
        assert server.api_key not in command and server.api_key not in repr(server)  # not on a command line
        assert params["cors_origins"] not in ("*", "localhost", "null") and params["cors_credentials"] is False
        assert params["hostnames"] == ["127.0.0.1"] and params["endpoint_slots"] is False
        keys.append(server.api_key)
    assert keys[0] != keys[1]  # random, one per server


def test_the_library_calls_the_server_with_its_key(fake_llm, monkeypatch, seed_text):
    from typing import Any, cast

    from summarizer import ProviderError, Summarizer, core
    from summarizer.transport.local import LocalServer

    key = "k" * 43
    server = LocalServer(Path("model.gguf"), "model", fake_llm.base_url, cast(Any, None), Path("none.log"), key)
    monkeypatch.setattr(core, "local_server", lambda *args: server)
    fake_llm.reply({"error": {"message": "hand-written refusal"}}, status=400)
    with pytest.raises(ProviderError):
        Summarizer("local", max_retries=0).summarize(seed_text)
    assert fake_llm.headers[0]["Authorization"] == f"Bearer {key}"  # not the placeholder "local"
