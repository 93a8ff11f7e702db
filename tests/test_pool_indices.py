"""MaxPool2d's return_indices on the pooling page: the indices beside the output are PyTorch's, in the link, in the
figure and in the code the page prints."""
import json

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import course
from core.basics import codegen, ops
from core.basics.ops import PoolSettings

from pagetest import open_page, printed

X = torch.tensor(course.CONV_INPUT, dtype=torch.float32).reshape(1, 1, 5, 5)
# small integers, so windows often hold several equal maxima (PyTorch names the first) and whole windows of padding
inputs = st.tuples(st.integers(1, 7), st.integers(1, 7)).flatmap(
    lambda shape: arrays(np.float64, shape, elements=st.integers(-3, 3).map(float)))


@settings(max_examples=300, deadline=None)
@given(x=inputs, k=st.integers(1, 5), stride=st.integers(1, 4), padding=st.integers(0, 2),
       dilation=st.integers(1, 3), ceil_mode=st.booleans())
def test_every_index_is_pytorch_s(x, k, stride, padding, dilation, ceil_mode):
    pool = PoolSettings(k, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True)
    try:
        trace = ops.pool2d_trace(x, pool)
    except ops.SettingsError:
        return
    _, indices = F.max_pool2d(torch.tensor(x)[None, None], k, stride, padding, dilation, ceil_mode, return_indices=True)
    np.testing.assert_array_equal(trace.indices, indices[0, 0].numpy())


def test_avg_pooling_and_the_default_have_no_indices():
    assert ops.pool2d_trace(course.CONV_INPUT, PoolSettings()).indices is None
    assert ops.pool2d_trace(course.CONV_INPUT, PoolSettings(mode="avg", return_indices=True)).indices is None


def test_the_code_prints_output_and_indices():
    output, indices = F.max_pool2d(X, 3, 1, 1, return_indices=True)
    code = codegen.pool2d(course.CONV_INPUT, PoolSettings(3, 1, 1, ceil_mode=False, return_indices=True))
    assert "output, indices = pool(input)" in code
    assert codegen.run(code) == f"{output}\n{indices}"


def test_a_link_shows_the_indices_beside_the_output():
    at = open_page("pool", "en", return_indices="true", stride="2")
    output, indices = F.max_pool2d(X, 3, 2, ceil_mode=True, return_indices=True)
    assert at.toggle(key="return_indices").value is True
    assert printed(at)[0] == f"{output}\n{indices}"
    last = json.loads(at.get("plotly_chart")[0].proto.spec)["frames"][-1]  # every output made
    assert [[int(v) for v in row] for row in last["data"][-1]["text"]] == indices[0, 0].tolist()
    assert "indices (return_indices=True)" in "\n".join(m.value for m in at.markdown)
    avg = open_page("pool", "en", return_indices="true", mode="avg")
    assert avg.toggle(key="return_indices").disabled and printed(avg)[0] == str(F.avg_pool2d(X, 3, ceil_mode=True))
