"""The wheel ships the prompt templates and py.typed, and loads prompts from itself."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, timeout=300,
    )
    (built,) = out.glob("summarizer-*.whl")
    return built


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"summarizer/prompts/summarize-v1.system.txt", "summarizer/prompts/summarize-v1.user.txt"} <= names
    assert "summarizer/py.typed" in names
    assert {"summarizer/report/report.css", "summarizer/report/report.js"} <= names


def test_installed_wheel_reads_its_own_prompts(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, timeout=300,
    )
    code = "from summarizer.prompts import _prompt_dir, load_prompt; print(_prompt_dir()); print(load_prompt().sha256)"
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    folder, digest = done.stdout.split()
    assert folder.startswith(str(target))
    from summarizer.prompts import load_prompt

    assert digest == load_prompt().sha256
