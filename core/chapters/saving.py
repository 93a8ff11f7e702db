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

from core.basics.codegen import _tudui

TIMEOUT_S = 120
_ONE_AT_A_TIME = threading.Lock()   # each run imports torch in a new process: a few hundred MB while it lasts
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CLASS = "\n".join(["import torch", "from torch import nn", "", "", *_tudui("course"), ""])

# The course's model.py: the class in a file of its own, with a shape check that runs only as a script.
MODEL = _CLASS + """

if __name__ == "__main__":
    tudui = Tudui()
    input = torch.ones((64, 3, 32, 32))
    output = tudui(input)
    print(output.shape)
"""
_IMPORT = """import torch

from model import Tudui   # the class, from the file that defines it
"""


class Scenario(StrEnum):
    """One save script and the load scripts that read its files."""
    BOTH_WAYS = "both_ways"
    GPU = "gpu"


SAVE = _CLASS + """

tudui = Tudui()
torch.save(tudui, "tudui_method1.pth")               # way 1: the whole model (structure + parameters)
torch.save(tudui.state_dict(), "tudui_method2.pth")  # way 2: the parameters only (recommended)
import os
print(os.path.getsize("tudui_method1.pth"), os.path.getsize("tudui_method2.pth"))
"""

SAVE_GPU = _CLASS + """

tudui = Tudui()
if torch.cuda.is_available():
    tudui = tudui.cuda()
else:  # this computer has no GPU: tag the storages "cuda:0", which is all a GPU's torch.save writes differently
    torch.serialization.register_package(0, lambda storage: "cuda:0", lambda storage, location: None)
torch.save(tudui.state_dict(), "tudui_gpu.pth")
"""

# name -> (script, the scenario whose save script writes the file it reads)
LOADS: dict[str, tuple[str, Scenario]] = {
    "no_class": ("""import torch

model = torch.load("tudui_method1.pth", weights_only=False)
print(model)
""", Scenario.BOTH_WAYS),
    "weights_only": (_IMPORT + """
model = torch.load("tudui_method1.pth")   # weights_only=True is the default since torch 2.6
print(model)
""", Scenario.BOTH_WAYS),
    "with_class": (_IMPORT + """
model = torch.load("tudui_method1.pth", weights_only=False)   # only for a file you trust
print(model)
""", Scenario.BOTH_WAYS),
    "state_dict": (_IMPORT + """
tudui = Tudui()
print(tudui.load_state_dict(torch.load("tudui_method2.pth", weights_only=True)))
""", Scenario.BOTH_WAYS),
    "gpu_plain": ("""import torch

state_dict = torch.load("tudui_gpu.pth", weights_only=True)
print(state_dict["model.0.weight"].device)
""", Scenario.GPU),
    "gpu_map_location": ("""import torch

state_dict = torch.load("tudui_gpu.pth", weights_only=True, map_location=torch.device("cpu"))
print(state_dict["model.0.weight"].device)
""", Scenario.GPU),
}
SAVES = {Scenario.BOTH_WAYS: SAVE, Scenario.GPU: SAVE_GPU}


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
    (folder / name).write_text(code)
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
    that also holds the course's model.py for the scripts that import the class."""
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="save-load-") as folder:
        (Path(folder) / "model.py").write_text(MODEL)
        saved = _python(Path(folder), "model_save.py", SAVES[scenario])
        return Result(saved, {name: _python(Path(folder), "model_load.py", script)
                              for name, (script, owner) in LOADS.items() if owner == scenario})


def sizes(saved: Outcome) -> tuple[int, int]:
    """The two file sizes the save script printed: way 1 (whole model) and way 2 (state_dict)."""
    whole, params = saved.printed.split()
    return int(whole), int(params)
