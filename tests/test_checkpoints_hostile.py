"""Hostile checkpoints are refused and never run: each would create a marker file if anything in it ran.

Each file is first shown to be really hostile: torch.load(weights_only=False), what the course's code does, creates
the marker. The page's reader must not.
"""
import functools
import io
import os
import pickle

import pytest
import torch
from torch import nn

from core.errors import CodedError
from core.inference import checkpoints
from core.model import Tudui

MARK = {}  # the marker's path, set by the fixture (module-level functions and classes read it when run)


@pytest.fixture(autouse=True)
def marker(tmp_path):
    MARK["path"] = tmp_path / "pwned"
    yield MARK["path"]
    MARK.clear()


def touch(*_args, **_kwargs):
    MARK["path"].touch()


class Shell:
    def __reduce__(self):
        return (os.system, (f"touch {MARK['path']}",))


class Eval:
    def __reduce__(self):
        return (eval, (f"open({str(MARK['path'])!r}, 'w')",))


class Exec:
    def __reduce__(self):
        return (exec, (f"open({str(MARK['path'])!r}, 'w')",))


class CalledWithArguments:
    def __init__(self, *args):
        if args:  # what unpickling does with the file's arguments
            touch()

    def __reduce__(self):
        return (CalledWithArguments, ("rm -rf ~",))


class HugeConv:
    def __reduce__(self):  # torch.nn.Conv2d(1e6, 1e6, 100): 40 TB, if the class were handed over
        return (nn.Conv2d, (10**6, 10**6, 100))


class NestedLoads:
    def __reduce__(self):
        return (pickle.loads, (pickle.dumps(Shell()),))


class TorchLoad:
    def __reduce__(self):
        inner = io.BytesIO()
        torch.save(Shell(), inner)
        return (functools.partial(torch.load, weights_only=False), (io.BytesIO(inner.getvalue()),))


class Sneaky(nn.Module):
    """Its own forward and __setstate__ would run the learner's code, which a file cannot carry."""

    def __init__(self):
        super().__init__()
        self.model = Tudui("course").model

    def forward(self, x):
        touch()
        return self.model(x)

    def __setstate__(self, state):
        touch()
        super().__setstate__(state)


def saved(obj, **kwargs) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    return buffer.getvalue()


def with_attribute(name, value) -> Tudui:
    model = Tudui("course")
    setattr(model, name, value)
    return model


def hooked() -> Tudui:
    model = Tudui("course")
    model.register_forward_hook(touch)
    return model


def nested_bytes() -> Tudui:
    model = Tudui("course")
    model.notes = pickle.dumps(Shell())  # a file inside the file
    return model


HOSTILE = {
    "os.system": (lambda: with_attribute("payload", Shell()), "code_global", "posix.system"),
    "eval": (lambda: with_attribute("payload", Eval()), "code_global", "builtins.eval"),
    "exec": (lambda: with_attribute("payload", Exec()), "code_global", "builtins.exec"),
    "replaced forward": (lambda: with_attribute("forward", touch), "code_value", f"{__name__}.touch"),
    "forward from functools": (lambda: with_attribute("forward", functools.partial(touch)), "code_global",
                               "functools.partial"),
    "hook": (hooked, "code_value", f"{__name__}.touch"),
    "a class called with arguments": (lambda: with_attribute("payload", CalledWithArguments()), "code_global",
                                      f"{__name__}.CalledWithArguments"),
    "nn.Conv2d called": (lambda: with_attribute("payload", HugeConv()), "code_global", "torch.nn.modules.conv.Conv2d"),
    "layer outside the allowlist": (lambda: with_attribute("rnn", nn.LSTM(4, 4)), "unsupported_layer", "LSTM"),
    "nested pickle.loads": (lambda: with_attribute("payload", NestedLoads()), "code_global", "pickle.loads"),
    "nested torch.load": (lambda: with_attribute("payload", TorchLoad()), "code_global", "_io.BytesIO"),
    "nested bytes": (nested_bytes, "nested", None),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_whole_model_is_refused_and_never_runs(case, marker):
    make, code, name = HOSTILE[case]
    data = saved(make())
    with pytest.raises(CodedError) as err:
        checkpoints.read_upload(data)
    assert err.value.code == code and not marker.exists()
    if name is not None:
        assert name == err.value.params.get("name")
    if code in ("code_global", "code_value") and case != "nn.Conv2d called":  # trusted, the same file does run
        try:
            model = torch.load(io.BytesIO(data), weights_only=False)
            model(torch.zeros(1, 3, 32, 32))
        except Exception:  # noqa: BLE001 - a payload may break the model after it ran
            pass
        assert marker.exists()


def test_the_old_pickle_format_is_refused_with_its_recipe(marker):
    data = saved(with_attribute("payload", Shell()), _use_new_zipfile_serialization=False)
    with pytest.raises(checkpoints.CheckpointError) as err:
        checkpoints.read_upload(data)
    assert err.value.code == "full_pickle" and not marker.exists()


def test_a_class_s_own_forward_and_setstate_are_never_called(marker):
    data = saved(Sneaky())
    torch.load(io.BytesIO(data), weights_only=False)
    assert marker.exists()  # trusted, the class's __setstate__ ran
    marker.unlink()
    network = checkpoints.read_upload(data).whole.network
    x = torch.rand(1, 3, 32, 32)
    expected = Tudui("course")
    expected.load_state_dict(network.state_dict())
    assert torch.equal(network(x), expected(x)) and not marker.exists()  # its layers ran, its code did not


class Heavy(nn.Module):
    def __init__(self, channels: int, width: int = 5):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(3, channels, width, 1, width // 2), nn.MaxPool2d(32), nn.Flatten(),
                                   nn.Linear(channels, 10))


@pytest.mark.parametrize("model,code,params", [(Heavy(1400), "too_slow", {"mmacs": 108, "limit": 100}),
                                               (Heavy(100, 99), "too_large", {"mb": 12, "limit": 4})])
def test_a_network_too_costly_for_a_shared_server_is_refused_before_it_runs(model, code, params):
    with pytest.raises(CodedError) as err:
        checkpoints.read_upload(saved(model))
    assert (err.value.code, err.value.params) == (code, params)
