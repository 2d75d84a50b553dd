"""The embedded models' pieces: joined once, in order, checked by sha256, never used when wrong.

The pieces here are small files in a package made for the test (HAND-WRITTEN bytes),
standing in for the PyPI packages that carry a real GGUF.
"""

from __future__ import annotations

import hashlib
import sys

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
    assert not [p for p in (tmp_path / "models").iterdir() if p.suffix in (".gguf", ".part")]


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
