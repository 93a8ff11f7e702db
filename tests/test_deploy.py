"""Deployment files agree with each other: what Community Cloud installs is what requirements.txt installs."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", line).groups()
            pins[name.lower()] = spec.replace(" ", "")
    return pins


def test_pipfile_installs_the_same_packages_with_cpu_torch():
    pipfile = tomllib.loads((ROOT / "Pipfile").read_text())
    packages = {name.lower(): (spec if isinstance(spec, str) else spec["version"])
                for name, spec in pipfile["packages"].items()}
    assert packages == requirements()
    cpu = {s["name"] for s in pipfile["source"] if s["url"] == "https://download.pytorch.org/whl/cpu"}
    assert pipfile["packages"]["torch"]["index"] in cpu and pipfile["packages"]["torchvision"]["index"] in cpu


def test_readme_commands_are_the_ones_ci_runs():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    app = "pip install -r requirements.txt && streamlit run streamlit_app.py"
    tests = "pip install -r requirements-dev.txt && python -m pytest"
    assert app in readme and tests in readme
    assert "pip install -q -r requirements.txt" in ci and tests.replace("install -r", "install -q -r") in ci


def test_uploads_are_capped():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 0 < config["server"]["maxUploadSize"] <= 50
