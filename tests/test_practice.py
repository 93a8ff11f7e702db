"""Practice questions: over many seeds, the expected answer equals what PyTorch computes for the question's
settings, and the worked arithmetic equals the page's own trace; answers typed any common way are read."""
import ast
import functools
import io
import json
import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from torch import nn
from torchvision.transforms import functional as TF

from core import course, i18n
from core.basics import ops, sizes, transposed
from core.basics.ops import ConvSettings, PoolSettings
from core.model import Tudui
from core.practice import topics, training
from core.practice.answers import AnswerError, parse_number, parse_shape
from core.practice.question import Form


@functools.cache
def network(arch: str) -> Tudui:
    return Tudui(arch).eval()


SEEDS = st.integers(0, topics.MAX_SEED - 1)
FEW = settings(max_examples=10, deadline=None)


def texts(q) -> list[str]:
    return [line.text for line in q.worked if line.text]


@pytest.mark.parametrize("topic,kind", [(tp, k) for tp, kinds in topics.KINDS.items() for k in kinds])
@given(seed=SEEDS)
@settings(max_examples=4, deadline=None)
def test_a_seed_asks_one_question_and_its_answer_is_accepted(topic, kind, seed):
    before = (random.getstate(), torch.random.get_rng_state(), np.random.get_state()[1].copy())
    q = topics.make(topic, kind, seed)
    assert q == topics.make(topic, kind, seed)   # the same link, the same question for everyone
    after = (random.getstate(), torch.random.get_rng_state(), np.random.get_state()[1].copy())
    assert before[0] == after[0] and torch.equal(before[1], after[1]) and np.array_equal(before[2], after[2])
    if q.form is Form.CHOICE:
        assert q.accepts(q.expected) and not any(q.accepts(i) for i in range(len(q.choices)) if i != q.expected)
    else:
        assert q.accepts(q.read(q.answer_text()))
    for lang in i18n.LANGUAGES:  # every string the question names exists and fills
        catalog = i18n.catalog(lang)
        assert f"practice.{q.prompt}" in catalog and f"practice.{q.hint}" in catalog
        i18n.t(f"practice.{q.prompt}", lang, **q.params)
        for line in q.worked:
            assert not line.key or (line.key if "." in line.key else f"practice.{line.key}") in catalog


@given(seed=SEEDS)
@FEW
def test_conv_output_size_is_pytorch_s_and_worked_with_the_page_s_formula(seed):
    q = topics.make("conv", "output_size", seed)
    p = q.params
    out = F.conv2d(torch.rand(1, 1, p["h"], p["w"]), torch.rand(1, 1, p["kh"], p["kw"]), stride=p["stride"],
                   padding=p["padding"], dilation=p["dilation"])
    assert q.expected == tuple(out.shape)
    assert texts(q) == [f"H_out = {sizes.size_formula(p['h'], p['kh'], p['stride'], p['padding'], p['dilation'])}",
                        f"W_out = {sizes.size_formula(p['w'], p['kw'], p['stride'], p['padding'], p['dilation'])}"]
    assert not q.accepts((1, 1, out.shape[2] + 1, out.shape[3]))


@given(seed=SEEDS)
@FEW
def test_conv_value_is_pytorch_s_and_its_cells_and_products_are_the_page_s_window(seed):
    q = topics.make("conv", "conv_value", seed)
    p = q.params
    x, w = np.array(p["x"]), np.array(p["weight"])
    out = F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=p["stride"], padding=p["padding"])
    assert q.expected == out[0, 0, p["row"], p["col"]].item()
    trace = ops.conv2d_trace(x, w, ConvSettings(p["stride"], p["padding"], p["dilation"]))
    window = trace.windows[trace.step_of((p["row"], p["col"]))]
    assert texts(q) == [ops.window_formula(window)]
    assert q.cells == set(window.cells) and np.array_equal(np.array(q.grid), trace.grid)
    assert not q.accepts(q.expected + 1)


@given(seed=SEEDS)
@FEW
def test_conv_readers_counts_the_windows_covering_the_cell(seed):
    q = topics.make("conv", "readers", seed)
    p = q.params
    probe = torch.zeros(1, 1, p["h"], p["w"], requires_grad=True)
    F.conv2d(probe, torch.ones(1, 1, p["kh"], p["kw"]), stride=p["stride"], padding=p["padding"],
             dilation=p["dilation"]).sum().backward()
    assert q.expected == probe.grad[0, 0, p["row"], p["col"]].item()  # each window reading it adds 1 to its gradient
    assert q.worked[0].params["count"] == q.expected


@given(seed=SEEDS)
@FEW
def test_pool_output_size_is_pytorch_s_with_the_dropped_window_rule(seed):
    q = topics.make("pool", "output_size", seed)
    p = q.params
    pool = (nn.MaxPool2d(p["kernel_size"], p["stride"], p["padding"], p["dilation"], ceil_mode=p["ceil_mode"])
            if p["mode"] == "max" else nn.AvgPool2d(p["kernel_size"], p["stride"], p["padding"], p["ceil_mode"]))
    assert q.expected == tuple(pool(torch.rand(1, 1, p["h"], p["w"])).shape)
    k, s, pad, d, ceil = (p[n] for n in ("kernel_size", "stride", "padding", "dilation", "ceil_mode"))
    lines = texts(q)
    assert lines == [f"{a}_out = {sizes.size_formula(n, k, s, pad, d, ceil)}" for a, n in (("H", p["h"]), ("W", p["w"]))]
    dropped = [line.params["axis"] for line in q.worked if line.key == "pool.dropped"]
    assert dropped == [a for a, n in (("H", p["h"]), ("W", p["w"])) if ceil and sizes.last_window_dropped(n, k, s, pad, d)]


@given(seed=SEEDS)
@FEW
def test_pool_value_is_pytorch_s_and_worked_with_the_page_s_window(seed):
    q = topics.make("pool", "pool_value", seed)
    p = q.params
    x = torch.tensor(p["x"], dtype=torch.float64)[None, None]
    if p["mode"] == "max":
        out = nn.MaxPool2d(p["kernel_size"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"])(x)
    else:
        out = nn.AvgPool2d(p["kernel_size"], p["stride"], p["padding"], ceil_mode=p["ceil_mode"])(x)
    assert q.expected == pytest.approx(out[0, 0, p["row"], p["col"]].item())
    trace = ops.pool2d_trace(np.array(p["x"]), PoolSettings(p["kernel_size"], p["stride"], p["padding"], 1, p["mode"],
                                                      p["ceil_mode"]))
    window = trace.windows[trace.step_of((p["row"], p["col"]))]
    assert texts(q) == [ops.window_formula(window)] and q.cells == set(window.cells)


@given(seed=SEEDS)
@FEW
def test_transposed_output_size_is_pytorch_s(seed):
    q = topics.make("conv_transpose", "output_size", seed)
    p = q.params
    out = nn.ConvTranspose2d(1, 1, (p["kh"], p["kw"]), p["stride"], p["padding"], p["output_padding"],
                             dilation=p["dilation"])(torch.rand(1, 1, p["h"], p["w"]))
    assert q.expected == tuple(out.shape)
    assert texts(q) == [f"{a}_out = " + transposed.size_formula(n, k, p["stride"], p["padding"], p["output_padding"],
                                                              p["dilation"])
                        for a, n, k in (("H", p["h"], p["kh"]), ("W", p["w"], p["kw"]))]


@given(seed=SEEDS)
@FEW
def test_output_padding_brings_a_convolution_s_input_size_back(seed):
    q = topics.make("conv_transpose", "output_padding", seed)
    p = q.params
    k, s, pad, n = p["kernel_size"], p["stride"], p["padding"], p["n"]
    small = nn.Conv2d(1, 1, k, s, pad)(torch.rand(1, 1, n, n))
    assert small.shape[-1] == p["m"]
    back = nn.ConvTranspose2d(1, 1, k, s, pad, output_padding=int(q.expected))(small)
    assert back.shape[-1] == n and 0 <= q.expected < s
    if q.expected:  # without it PyTorch gives the smaller size
        assert nn.ConvTranspose2d(1, 1, k, s, pad)(small).shape[-1] < n


@given(seed=SEEDS)
@FEW
def test_activations_and_losses_are_pytorch_s(seed):
    q = topics.make("layers", "activation", seed)
    v = torch.tensor(float(q.params["value"]))
    fn = torch.relu if "ReLU" in q.params["layer"] else torch.sigmoid
    assert q.expected == pytest.approx(fn(v).item(), abs=1e-6)
    assert texts(q)[0].endswith(f"= {ops.number(q.expected)}")
    q = topics.make("layers", "loss", seed)
    if q.prompt == "loss_cross_entropy":
        logits = torch.tensor([json.loads(q.params["output"])])
        got = F.cross_entropy(logits, torch.tensor([q.params["target"]]))
    else:
        a, b = (torch.tensor(json.loads(q.params[n]), dtype=torch.float32) for n in ("inputs", "targets"))
        got = F.l1_loss(a, b) if q.prompt == "loss_l1" else F.mse_loss(a, b)
    assert q.expected == pytest.approx(got.item(), abs=1e-6)
    assert texts(q)[-1].endswith(f"= {ops.number(q.expected)}")


@given(seed=SEEDS)
@settings(max_examples=4, deadline=None)
def test_model_shapes_parameters_and_in_features_are_the_network_s(seed):
    q = topics.make("model", "layer_shape", seed)
    net = network(q.params["arch"])
    x = torch.zeros(q.params["batch"], 3, 32, 32)
    assert q.expected == tuple(net.model[: q.params["index"] + 1](x).shape)
    assert texts(q)[-1].endswith(f"[{', '.join(map(str, q.expected))}]")
    q = topics.make("model", "param_count", seed)
    layer = network(q.params["arch"]).model[q.params["index"]]
    assert q.expected == sum(p.numel() for p in layer.parameters())
    assert eval(texts(q)[0].replace("×", "*").replace("=", "==")) is True  # the sum written out adds up
    q = topics.make("model", "in_features", seed)
    net = network(q.params["arch"])
    flatten = next(i for i, layer in enumerate(net.model) if isinstance(layer, nn.Flatten))
    assert q.expected == net.model[: flatten + 1](torch.zeros(1, 3, q.params["size"], q.params["size"])).shape[1]


@given(seed=SEEDS)
@FEW
def test_data_questions_are_what_a_dataloader_and_torchvision_give(seed):
    q = topics.make("data", "loader_len", seed)
    p = q.params
    rounding = math.floor if p["drop_last"] else math.ceil
    assert q.expected == rounding(p["n"] / p["batch_size"])
    q = topics.make("data", "imgs_shape", seed)
    p = q.params
    left = p["n"] - p["batch"] * p["batch_size"]
    assert q.expected == (min(left, p["batch_size"]), 3, 32, 32) and p["batch"] in (0, p["count"] - 1)
    q = topics.make("transforms", "normalize", seed)
    p = q.params
    c = "RGB".index(p["channel"])
    mean, std = json.loads(p["mean"].replace("(", "[").replace(")", "]")), json.loads(
        p["std"].replace("(", "[").replace(")", "]"))
    assert q.expected == pytest.approx((p["pixel"] / 255 - mean[c]) / std[c], abs=1e-6)
    q = topics.make("transforms", "resize", seed)
    p = q.params
    size = ast.literal_eval(p["size"])
    out = TF.to_tensor(TF.resize(Image.new("RGB", (p["width"], p["height"])), list(size) if isinstance(size, tuple)
                                 else size))
    assert q.expected == tuple(out.shape) and texts(q)[-1] == f"[3, {out.shape[1]}, {out.shape[2]}]"


@pytest.mark.parametrize("bug", list(training.Bug))
def test_each_training_loop_has_its_one_slip_on_the_line_the_answer_names(bug):
    code, where = training.training_loop(bug)
    ast.parse(code)
    lines = code.splitlines()
    slipped = {training.Bug.TRAIN_TRUE: lambda line: line.startswith("test_data") and "train=True" in line,
               training.Bug.SOFTMAX: lambda line: "nn.Softmax" in line,
               training.Bug.PROCESS_TIME: lambda line: "time.process_time()" in line,
               training.Bug.SUM: lambda line: line.endswith(".sum"),
               training.Bug.ZERO_GRAD: lambda line: line == "    loss.backward()" and "zero_grad" not in code}
    for other, test in slipped.items():
        assert test(lines[where[other] - 1]) is (other is bug), other   # the line each explanation names
        assert any(test(line) for line in lines) is (other is bug), other


def test_the_slips_do_what_the_explanations_say():
    layer = nn.Linear(3, 2)
    x, y = torch.ones(4, 3), torch.tensor([0, 1, 0, 1])
    F.cross_entropy(layer(x), y).backward()
    once = layer.weight.grad.clone()
    F.cross_entropy(layer(x), y).backward()        # no zero_grad(): the gradients add up
    assert torch.allclose(layer.weight.grad, 2 * once)
    logits = layer(x)
    assert not torch.isclose(F.cross_entropy(logits.softmax(1), y), F.cross_entropy(logits, y))
    with pytest.raises(TypeError):
        total = 0
        total += (logits.argmax(1) == y).sum       # the method, not a number


def test_only_the_state_dict_line_loads_in_a_fresh_script():
    whole, state = io.BytesIO(), io.BytesIO()
    model = nn.Sequential(nn.Linear(2, 2))
    torch.save(model, whole)
    torch.save(model.state_dict(), state)
    whole.seek(0)
    with pytest.raises(Exception, match="Weights only load failed"):
        torch.load(whole)                          # weights_only=True by default refuses a pickled module
    state.seek(0)
    loaded = torch.load(state)
    with pytest.raises(TypeError, match="not callable"):
        loaded(torch.ones(1, 2))
    nn.Sequential(nn.Linear(2, 2)).load_state_dict(loaded)
    for seed in range(20):
        q = topics.make("save_load", "load_line", seed)
        assert [c.key for c in q.choices].count("load_state_dict") == 1
        assert q.choices[q.expected].key == "load_state_dict"


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1), (1, 2)])
def test_my_settings_ask_about_the_page_s_own_numbers(stride, padding):
    mine = {"x": course.CONV_INPUT, "weight": course.CONV_KERNEL, "stride": stride, "padding": padding, "dilation": 1}
    q = topics.make("conv", "conv_value", None, mine)
    out = F.conv2d(torch.tensor(course.CONV_INPUT)[None, None], torch.tensor(course.CONV_KERNEL)[None, None],
                   stride=stride, padding=padding)
    assert q.expected == out[0, 0, q.params["row"], q.params["col"]].item() and q.seed is None
    assert topics.make("conv", "output_size", None, mine).expected == tuple(out.shape)
    pool = {"x": course.CONV_INPUT, "kernel_size": 3, "stride": 3, "padding": 0, "dilation": 2, "ceil_mode": True,
            "mode": "avg"}
    with pytest.raises(ops.SettingsError):   # the page refuses it too: no question about it
        topics.make("pool", "output_size", None, pool)


SHAPES = st.lists(st.integers(0, 4096), min_size=1, max_size=6).map(tuple)


@given(shape=SHAPES)
@settings(max_examples=60, deadline=None)
def test_a_shape_typed_any_common_way_is_read(shape):
    inner = ", ".join(map(str, shape))
    for text in (f"[{inner}]", f"({inner})", f"torch.Size([{inner}])", "x".join(map(str, shape)),
                 " × ".join(map(str, shape)), f"（{'，'.join(map(str, shape))}）", inner.replace(", ", " ")):
        assert parse_shape(text) == shape, text


@given(value=st.floats(-1e6, 1e6, allow_nan=False))
@settings(max_examples=60, deadline=None)
def test_a_number_typed_any_common_way_is_read(value):
    assert parse_number(repr(value)) == value
    assert parse_number(f" {value:.4f} ".replace("-", "−")) == pytest.approx(round(value, 4))


@pytest.mark.parametrize("text,code", [("", "empty"), ("   ", "empty"), ("abc", "bad_number"), ("3.5.1", "bad_number"),
                                       ("1/0", "bad_number"), ("1e", "bad_number")])
def test_what_is_not_a_number_gets_a_hint(text, code):
    with pytest.raises(AnswerError) as err:
        parse_number(text)
    assert err.value.code == code and i18n.t(err.value.key, "zh", **err.value.params) != err.value.key


@pytest.mark.parametrize("text", ["abc", "[64, 32.5]", "[]", "[1, -2]", "3.5.1", "[[1, 2]"])
def test_what_is_not_a_shape_gets_a_hint(text):
    with pytest.raises(AnswerError) as err:
        parse_shape(text)
    assert err.value.code == "bad_shape"


def test_fractions_and_rounding():
    q = topics.make("pool", "pool_value", 0)
    assert parse_number("1/9") == pytest.approx(1 / 9) and parse_number("-3/4") == -0.75
    assert q.accepts(round(q.expected, 2)) and not q.accepts(q.expected + 0.05)
