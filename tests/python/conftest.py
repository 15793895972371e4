"""Shared fixtures of the Python package's tests: the modir program of the same build, and a
small phantom pair written by it (ctest sets PYTHONPATH, MODIR_BINARY and MODIR_SHARED_DATA)."""

import os
import subprocess

import pytest

FAST_CONFIG = {"deformable": {"levels": 2, "iterations": [30, 20]}}


@pytest.fixture(scope="session")
def modir_binary():
    path = os.environ.get("MODIR_BINARY")
    if not path or not os.path.exists(path):
        pytest.fail("MODIR_BINARY must name the modir program of this build (ctest sets it)")
    return path


@pytest.fixture(scope="session")
def pair_dir(tmp_path_factory, modir_binary):
    """A small phantom pair (modir phantom --size small --seed 5)."""
    folder = tmp_path_factory.mktemp("pair")
    subprocess.run([modir_binary, "phantom", "--size", "small", "--seed", "5", "--quiet",
                    "--out", str(folder)], check=True)
    return folder
