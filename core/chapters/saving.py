"""Saving and loading both ways, with the traps reproduced in fresh Python interpreters.

The course's trap only happens in a *new* process: ``torch.save(tudui, …)``
pickles a reference to ``__main__.Tudui``, and a later script that never
defined ``Tudui`` cannot resolve it. So each scenario writes the course's
scripts into a temporary folder and runs them with ``python <script>``, one
fresh interpreter each, and keeps what they printed and the last line of the
error, with the folder's path taken out. The results are the same on every run
of one installation, so the page caches them for everyone.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from core import i18n
from core.code.render import render, tudui_class

TIMEOUT_S = 120
_ONE_AT_A_TIME = threading.Lock()   # each run imports torch in a new process: a few hundred MB while it lasts
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Scenario(StrEnum):
    """One save script and the load scripts that read its files."""
    BOTH_WAYS = "both_ways"
    GPU = "gpu"


# Each load script (model_load.py.tmpl) by name -> the scenario whose save script writes the file it reads.
LOADS: dict[str, Scenario] = {"no_class": Scenario.BOTH_WAYS, "weights_only": Scenario.BOTH_WAYS,
                              "with_class": Scenario.BOTH_WAYS, "state_dict": Scenario.BOTH_WAYS,
                              "gpu_plain": Scenario.GPU, "gpu_map_location": Scenario.GPU}


def model_py(lang: str = i18n.DEFAULT) -> str:
    """The course's model.py: the class in a file of its own, with a shape check that runs only as a script."""
    return render("model_py", lang, tudui=tudui_class("course"))


def save_script(scenario: Scenario, lang: str = i18n.DEFAULT) -> str:
    """model_save.py: both ways of saving, or a state_dict saved from a GPU."""
    return render("model_save", lang, scenario=scenario.value, tudui=tudui_class("course"))


def load_script(load: str, lang: str = i18n.DEFAULT) -> str:
    """model_load.py for one of LOADS."""
    if load not in LOADS:
        raise KeyError(load)
    return render("model_load", lang, load=load)


@dataclass(frozen=True)
class Outcome:
    """What ``python <script>`` did in a fresh interpreter."""
    script: str
    returncode: int
    printed: str
    error: str          # the error that ended it ("AttributeError: Can't get attribute …"), "" when it worked

    @property
    def failed(self) -> bool:
        return self.returncode != 0


def _python(folder: Path, name: str, code: str) -> Outcome:
    (folder / name).write_text(code, encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, name], cwd=folder, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return Outcome(name, -1, "", f"TimeoutExpired: {TIMEOUT_S} s")
    lines = _ANSI.sub("", done.stderr).replace(str(folder) + "/", "").rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    error = "\n".join(lines[starts[-1]:]) if starts and done.returncode else ""
    return Outcome(name, done.returncode, done.stdout.rstrip("\n"), error)


@dataclass(frozen=True)
class Result:
    saved: Outcome                 # model_save.py
    loads: dict[str, Outcome]      # each model_load.py, by its name in LOADS


def run(scenario: Scenario) -> Result:
    """The save script, then each of its load scripts, each in a fresh interpreter, in one temporary folder
    that also holds the course's model.py for the scripts that import the class.

    Run in the default language and shown in either: the two differ only in comments, which change nothing a
    script prints (tests/test_code_templates.py checks), so one run serves every learner.
    """
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="save-load-") as folder:
        (Path(folder) / "model.py").write_text(model_py(), encoding="utf-8")
        saved = _python(Path(folder), "model_save.py", save_script(scenario))
        return Result(saved, {name: _python(Path(folder), "model_load.py", load_script(name))
                              for name, owner in LOADS.items() if owner == scenario})


def sizes(saved: Outcome) -> tuple[int, int]:
    """The two file sizes the save script printed: way 1 (whole model) and way 2 (state_dict)."""
    whole, params = saved.printed.split()
    return int(whole), int(params)
