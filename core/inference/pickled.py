"""A whole model saved with ``torch.save(tudui, "tudui_0.pth")``, read without running anything from the file.

Such a file is a pickle of the object: it names classes by where they were defined (``__main__.Tudui``,
``model.Tudui``, ``torch.nn.modules.conv.Conv2d``) and holds each object's ``__dict__``. torch.load(weights_only=True)
refuses any class it does not know. Handed a class through ``safe_globals``, its unpickler would create it
(NEWOBJ: ``cls.__new__``), call it (REDUCE: ``cls(*args)``) and restore it (BUILD: ``__setstate__``, else
``__dict__.update`` and ``setattr``). So no real class is handed over, not even torch's own layers (a REDUCE could
call ``Conv2d(…)`` with any sizes): every class the file names gets a ``Record`` stand-in that only keeps the state it
is given and refuses arguments. core.inference.rebuild then takes the layers' order, settings and tensors from the
records and builds the network from the app's own classes.

The names come from the pickle's globals, read before anything is loaded (torch's
``get_unsafe_globals_in_checkpoint``, a static pass of pickletools over data.pkl): a name from Python's standard
library (``posix.system``, ``builtins.eval``, ``pickle.loads``) or a torch name that is not a layer is refused there.
After loading, a class stored as a value (a replaced ``forward``, a hook) or bytes (a file inside the file) are
refused too: the network is only ever its layers.
"""
from __future__ import annotations

import io
import pickle
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from core.errors import CodedError, ErrorKind

# The layers a learner's variation of CIFAR10-quick may use, by the name a pickle gives them.
LAYERS: dict[str, type[nn.Module]] = {f"{cls.__module__}.{cls.__qualname__}": cls for cls in (
    nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.BatchNorm2d, nn.BatchNorm1d, nn.ReLU, nn.LeakyReLU, nn.Sigmoid,
    nn.Tanh, nn.Softmax, nn.Dropout, nn.Dropout2d, nn.Flatten, nn.Linear, nn.Identity)}
SEQUENTIAL = f"{nn.Sequential.__module__}.{nn.Sequential.__qualname__}"
MAX_GLOBALS = 64            # names one file may hold: a network of the course's kind has under 20
REFUSED_PACKAGES = frozenset(sys.stdlib_module_names) | {"numpy", "torchvision", "streamlit", "PIL", "pandas"}

# torch's safe_globals is one set for the whole process, and its scan of a file leaves out the names in it: one scan
# or whole-model read at a time, so none sees another's stand-ins. (A plain state_dict read meanwhile could see them;
# they are inert, so at worst it would get a record instead of a refusal, and refuse it as "not a state_dict".)
_LOCK = threading.RLock()


class WholeModelError(CodedError, ValueError):
    """A whole-model file refused: code_global, unsupported_layer, code_value, nested, not_module, not_whole_model
    (here); custom_layer, bad_layer, not_sequence, not_classifier, too_large, too_slow (core.inference.rebuild)."""

    kind = ErrorKind.WHOLE_MODEL


class Record:
    """Stands in for one class the file names. It keeps the state the file gives it and nothing else: it takes no
    arguments (REDUCE or NEWOBJ with arguments fails), its state is stored once and never looked into here."""

    claimed: ClassVar[str] = ""
    state: dict

    def __new__(cls, *args: object) -> Record:
        if args:
            raise pickle.UnpicklingError(f"{cls.claimed} called with arguments")
        record = super().__new__(cls)
        record.state = {}
        return record

    def __setstate__(self, state: object) -> None:
        if not isinstance(state, dict) or self.state:
            raise pickle.UnpicklingError(f"{self.claimed} restored with a {type(state).__name__}")
        self.state = state


@dataclass(frozen=True)
class WholeModel:
    """What a whole-model file holds, as records: ``root`` is the object torch.save was given."""

    root: Record
    classes: tuple[str, ...]   # the learner's own classes the file names (``__main__.Tudui``)


def unsafe_globals(data: bytes) -> list[str]:
    """The names in the file's pickle that weights_only does not allow by default (read, never imported)."""
    try:
        with _LOCK:
            return sorted(torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)))
    except (ValueError, RuntimeError, KeyError, EOFError, OSError, pickle.UnpicklingError):
        return []  # not a zip checkpoint, or a damaged one: torch.load says which


def read(data: bytes) -> WholeModel:
    """The records of a whole-model zip; WholeModelError for any name that is not a layer or a learner's class."""
    with _LOCK:
        return _read(data)


def _read(data: bytes) -> WholeModel:
    names = unsafe_globals(data)
    if not names:
        raise WholeModelError("not_whole_model")
    if len(names) > MAX_GLOBALS:
        raise WholeModelError("code_global", name=f"{len(names)} names")
    stand_ins = {name: type(f"Record:{name}", (Record,), {"claimed": name}) for name in map(_checked, names)}
    with torch.serialization.safe_globals([(cls, name) for name, cls in stand_ins.items()]):
        try:
            root = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
        except pickle.UnpicklingError as err:
            raise WholeModelError("code_global", name=_refused(str(err))) from None
        except (RuntimeError, EOFError, ValueError, OSError, KeyError, AttributeError, TypeError):
            raise WholeModelError("not_whole_model") from None
    if not isinstance(root, Record) or not (root.claimed == SEQUENTIAL or _learners(root.claimed)):
        raise WholeModelError("not_module", kind=getattr(root, "claimed", type(root).__name__))
    for value in _values(root):
        if isinstance(value, type):
            raise WholeModelError("code_value", name=getattr(value, "claimed", value.__name__))
        if isinstance(value, bytes | bytearray):
            raise WholeModelError("nested")
    return WholeModel(root, tuple(name for name in stand_ins if _learners(name)))


def _refused(message: str) -> str:
    """What torch's unpickler refused, out of its message (a paragraph of advice around one line that says it)."""
    found = re.search(r"([\w.]+) (?:called with arguments|restored with)|GLOBAL ([\w.]+)", message)
    if found:
        return found.group(1) or found.group(2)
    said = [line.strip() for line in message.splitlines() if line.startswith(("Trying", "Can only", "Unsupported"))]
    return (said or ["pickle"])[0][:120]


def _learners(name: str) -> bool:
    """A name that can only be the learner's own class (not torch's, not the standard library's)."""
    return name.split(".")[0] not in REFUSED_PACKAGES | {"torch"}


def _checked(name: str) -> str:
    """``name`` when it may get a stand-in: one of the layers or a learner's class; else the refusal."""
    if name in LAYERS or name == SEQUENTIAL:
        return name
    if name.startswith("torch.nn.modules."):
        raise WholeModelError("unsupported_layer", name=name.rpartition(".")[2],
                          supported=", ".join(cls.__name__ for cls in LAYERS.values()))
    parts = name.split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts) or not _learners(name):
        raise WholeModelError("code_global", name=name)
    return name


def _values(root: Record) -> Iterator[object]:
    """Every value inside the records, depth first (a stack, so a deep file cannot exhaust the recursion limit)."""
    stack: list[object] = [root]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        yield value
        if isinstance(value, Record):
            stack.append(value.state)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend(value)
