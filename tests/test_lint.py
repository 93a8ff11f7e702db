"""The code stays tidy: ruff with the project's rules (ruff.toml) finds nothing."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -r requirements-dev.txt)")
    result = subprocess.run([ruff, "check", ".", "--exclude", ".venv,.ci-venv", "--output-format", "concise"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
