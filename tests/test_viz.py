"""The animations tie what is read to what it makes: at every frame an arrow leads from the window (or the
transposed convolution's input cell) to the output cell (region) of that very step, in the window's colour."""
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core import course, viz
from core.basics import ops, transposed
from core.basics.ops import ConvSettings, PoolSettings, SettingsError
from core.basics.transposed import TransposeSettings

LABELS = {k: k for k in ("input", "kernel", "output", "play", "pause", "step", "back", "forward")}


def arrows(layout: dict) -> list[dict]:
    """The legs of the arrows drawn (a leg of no length, a window at the grid's edge, is kept hidden)."""
    return [a for a in layout["annotations"] if a.get("showarrow") and a["visible"]]


def same_count_every_frame(spec: dict) -> None:
    """Plotly redraws annotations out of order when their number changes between frames: the formula must stay last."""
    counts = {len(frame["layout"]["annotations"]) for frame in spec["frames"]}
    assert counts == {len(spec["layout"]["annotations"])}
    assert all(not frame["layout"]["annotations"][-1].get("showarrow") for frame in spec["frames"])


def heatmap_left(spec: dict, name: str) -> float:
    """Where a panel's first column sits on the figure's shared x axis."""
    return next(t.get("x0", 0) for t in spec["data"] if t.get("name") == name)


def check_window_frames(trace: ops.Trace, spec: dict) -> None:
    span_r, span_c = (trace.dilation * (k - 1) + 1 for k in trace.kernel)
    out_left = heatmap_left(spec, "output")
    assert len(spec["frames"]) == len(trace.windows)
    same_count_every_frame(spec)
    for frame, window in zip(spec["frames"], trace.windows):
        (r0, c0), (i, j) = window.origin, window.out
        legs = arrows(frame["layout"])
        box = frame["layout"]["shapes"][0]
        assert (box["x0"], box["x1"], box["y0"], box["y1"]) == (c0 - 0.5, c0 + span_c - 0.5, r0 - 0.5, r0 + span_r - 0.5)
        # starts on the window's right edge, between two of its rows, and runs along that line to the grid's edge
        start = (legs[0]["ax"], legs[0]["ay"])
        assert start[0] == box["x1"] and box["y0"] < start[1] <= box["y1"] and start[1] % 1 == 0.5
        assert all(leg["ay"] == leg["y"] for leg in legs if leg["x"] <= trace.grid.shape[1] - 0.5)
        # ends, with an arrowhead, on the left edge of the output cell this step computes
        assert (legs[-1]["x"], legs[-1]["y"]) == (out_left + j - 0.5, i) and legs[-1]["arrowhead"] > 0
        assert all(leg["arrowcolor"] == box["line"]["color"] for leg in legs)
        joints = [((a["x"], a["y"]), (b["ax"], b["ay"])) for a, b in zip(legs, legs[1:])]
        if window.weights is not None:  # through the kernel: in at its left edge, out at its right, same line
            kernel_left = heatmap_left(spec, "kernel")
            broken = [(head, tail) for head, tail in joints if head != tail]
            assert broken == [((kernel_left - 0.5, broken[0][0][1]), (kernel_left + trace.kernel[1] - 0.5, broken[0][0][1]))]
        else:
            assert all(head == tail for head, tail in joints)  # one unbroken line
        for leg in legs:  # every end is inside the drawn area, whatever the screen's width
            xs, ys = spec["layout"]["xaxis"]["range"], sorted(spec["layout"]["yaxis"]["range"])
            assert xs[0] <= min(leg["x"], leg["ax"]) and max(leg["x"], leg["ax"]) <= xs[1]
            assert ys[0] <= min(leg["y"], leg["ay"]) and max(leg["y"], leg["ay"]) <= ys[1]


grids = st.tuples(st.integers(1, 7), st.integers(1, 7), st.integers(0, 2**32 - 1)).map(
    lambda t: np.random.default_rng(t[2]).integers(-5, 10, size=(t[0], t[1])).astype(float))


@settings(max_examples=120, deadline=None)
@given(x=grids, kh=st.integers(1, 7), kw=st.integers(1, 7), stride=st.integers(1, 3), padding=st.integers(0, 3),
       dilation=st.integers(1, 3), start=st.integers(0, 60), pick=st.booleans())
def test_conv_arrow_leads_from_each_window_to_the_output_it_makes(x, kh, kw, stride, padding, dilation, start, pick):
    w = np.arange(kh * kw, dtype=float).reshape(kh, kw) - 3
    try:
        trace = ops.conv2d_trace(x, w, ConvSettings(stride, padding, dilation))
    except SettingsError:
        assume(False)
    picked = (padding, padding) if pick else None
    spec = viz.window_animation(trace, LABELS, start=start, picked=picked).to_dict()
    check_window_frames(trace, spec)
    first = min(start, len(trace.windows) - 1)  # the page opens at a clicked cell's step, arrow and all
    assert arrows(spec["layout"]) == arrows(spec["frames"][first]["layout"])
    if pick:  # the picked cell's blue outlines stay while the animation plays
        readers = len(trace.readers(picked))
        for frame in spec["frames"]:
            blue = [s for s in frame["layout"]["shapes"] if s["line"]["color"] == viz.PICKED]
            assert len(blue) == 1 + readers


@settings(max_examples=120, deadline=None)
@given(x=grids, k=st.integers(1, 7), stride=st.integers(1, 4), padding=st.integers(0, 3), dilation=st.integers(1, 3),
       ceil_mode=st.booleans(), mode=st.sampled_from(["max", "avg"]))
def test_pool_arrow_leads_from_each_window_to_the_output_it_makes(x, k, stride, padding, dilation, ceil_mode, mode):
    try:
        trace = ops.pool2d_trace(x, PoolSettings(k, stride, padding, dilation if mode == "max" else 1, mode, ceil_mode))
    except SettingsError:
        assume(False)
    check_window_frames(trace, viz.window_animation(trace, LABELS).to_dict())


@settings(max_examples=120, deadline=None)
@given(x=grids, kh=st.integers(1, 4), kw=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 3),
       output_padding=st.integers(0, 2), dilation=st.integers(1, 3))
def test_transposed_arrow_leads_from_each_input_cell_to_the_region_it_adds_into(x, kh, kw, stride, padding,
                                                                                output_padding, dilation):
    w = np.ones((kh, kw))
    try:
        trace = transposed.conv_transpose2d_trace(x, w, TransposeSettings(stride, padding, output_padding, dilation))
    except SettingsError:
        assume(False)
    spec = viz.scatter_animation(trace, LABELS).to_dict()
    same_count_every_frame(spec)
    out_left, kernel_left = heatmap_left(spec, "output"), heatmap_left(spec, "kernel")
    for frame, step in zip(spec["frames"], trace.steps, strict=True):
        legs = arrows(frame["layout"])
        if not step.targets:  # the whole copy is cropped away: nothing to point at
            assert legs == []
            continue
        i, j = step.source
        assert (legs[0]["ax"], legs[0]["ay"]) == (j + 0.5, i + 0.5)  # from the input cell's bottom right corner
        joints = [((a["x"], a["y"]), (b["ax"], b["ay"])) for a, b in zip(legs, legs[1:])]
        broken = [(head, tail) for head, tail in joints if head != tail]  # behind the kernel, nowhere else
        assert [(head[0], tail[0]) for head, tail in broken] == [(kernel_left - 0.5, kernel_left + kw - 0.5)]
        region = frame["layout"]["shapes"][1]  # around every output cell this step adds to, nothing more
        assert all(region["x0"] < out_left + c < region["x1"] and region["y0"] < r < region["y1"] for r, c in step.targets)
        assert region["x0"] == out_left + min(c for _, c in step.targets) - 0.5 or region["line"]["dash"] == "dash"
        assert region["x0"] == legs[-1]["x"] and region["y0"] < legs[-1]["y"] < region["y1"]  # to its left edge


CHANNEL_LABELS = LABELS | {"channel": "{c}", "out_channel": "{i}", "bias": "bias"}
WIDTHS = st.sampled_from([viz.PHONE_PX, viz.base.DESKTOP_PX])


def channel_trace(x: np.ndarray, k: int, stride: int, padding: int, dilation: int, groups: int):
    """The channel view's trace (nn.Conv2d(3, 2, k), or depthwise with groups=3), or nothing where PyTorch refuses."""
    from core.basics import multichannel

    out_channels = 2 if groups == 1 else 3
    weight = multichannel.default_weight(out_channels, 3 // groups, k)
    try:
        return multichannel.conv2d_trace(x, weight, np.ones(out_channels), ConvSettings(stride, padding, dilation), groups)
    except SettingsError:
        assume(False)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 2),
       groups=st.sampled_from([1, 3]), width=WIDTHS)
def test_channel_arrows_lead_from_every_window_read_to_the_output_they_make(k, stride, padding, dilation, groups, width):
    x = np.stack([np.arange(25.0).reshape(5, 5) * (c + 1) for c in range(3)])
    trace = channel_trace(x, k, stride, padding, dilation, groups)
    spec = viz.channels_animation(trace, CHANNEL_LABELS, width_px=width).to_dict()
    same_count_every_frame(spec)
    lefts, tops = [t["x0"] for t in spec["data"]], [t["y0"] for t in spec["data"]]
    span = dilation * (k - 1) + 1
    for frame, s in zip(spec["frames"], trace.steps, strict=True):
        legs, boxes = arrows(frame["layout"]), frame["layout"]["shapes"]
        assert len(s.in_channels) == len(boxes) - 1
        target = boxes[-1]
        (r0, c0), (i, j) = s.origin, s.out
        heads = [leg for leg in legs if leg["arrowhead"]]
        assert len(heads) == len(s.in_channels)  # one arrow from each window
        for head in heads:  # to the top edge of the output cell
            assert (head["x"], head["y"]) == ((target["x0"] + target["x1"]) / 2, target["y0"])
        notes = frame["layout"]["annotations"]
        every = [a for a in notes if a.get("showarrow")]  # two legs a window, shown or not
        titles = [k for k, a in enumerate(notes[:-1]) if not a.get("showarrow") and a["yanchor"] == "bottom"]
        assert len(titles) == len(x) and all(notes[k]["bgcolor"] == "white" for k in titles)
        assert min(titles) > max(k for k, a in enumerate(notes) if a.get("showarrow"))  # arrows pass behind titles
        assert len(every) == 2 * len(s.in_channels)
        for leg, c, box in zip(every[::2], s.in_channels, boxes[:-1], strict=True):  # from the bottom edge of its window
            assert (box["x0"], box["y0"]) == (lefts[c] + c0 - 0.5, tops[c] + r0 - 0.5) and box["x1"] == box["x0"] + span
            assert box["x0"] < leg["ax"] <= box["x1"] and leg["ay"] == box["y1"] and (leg["ax"] - lefts[c]) % 1 == 0.5
        for leg in (leg for leg in legs if leg["ax"] == leg["x"]):  # down through a grid: between its columns only
            crossed = [p for p in spec["data"][: len(x)] if p["x0"] - 0.5 < leg["x"] < p["x0"] + len(p["z"][0]) - 0.5
                       and min(leg["y"], leg["ay"]) < p["y0"] + len(p["z"]) - 0.5 and max(leg["y"], leg["ay"]) > p["y0"]]
            assert all((leg["x"] - p["x0"]) % 1 == 0.5 for p in crossed)
        output = spec["data"][len(x) + s.out_channel]
        assert (target["x0"], target["y0"]) == (output["x0"] + j - 0.5, output["y0"] + i - 0.5)


def cell_lines(spec: dict) -> list[tuple[str, str, int]]:
    """(a cell's value, its small ×weight line or "", the font) for every grid cell of every frame, as drawn."""
    fonts = [t["textfont"]["size"] for t in spec["data"]]
    shown = [(fonts[k], t["text"]) for frame in [spec, *spec["frames"]] for k, t in enumerate(frame["data"])]
    out = []
    for font, rows in shown:
        for cell in (cell for row in rows for cell in row if cell):
            first, _, small = cell.partition("<br>")
            out.append((first, small.split(">")[1].split("<")[0] if small else "", font))
    return out


def drawn_cell_px(spec: dict, width: int) -> tuple[float, float]:
    """A cell's width and height on screen, as Plotly draws them: the x axis tied to the y axis at its scaleratio,
    the plot's width or height, whichever holds fewer, setting the size."""
    layout = spec["layout"]
    (x0, x1), (y1, y0), margin = layout["xaxis"]["range"], layout["yaxis"]["range"], layout["margin"]
    ratio = layout["xaxis"].get("scaleratio", 1)
    tall = min((layout["height"] - margin["t"] - margin["b"]) / (y1 - y0),
               (width - margin["l"] - margin["r"]) / (x1 - x0) / ratio)
    return tall * ratio, tall


@settings(max_examples=30, deadline=None)
@given(k=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 3), dilation=st.integers(1, 2),
       groups=st.sampled_from([1, 3]), photo=st.booleans(), seed=st.integers(0, 2**32 - 1), width=WIDTHS)
def test_channel_numbers_fit_readable_cells_on_a_phone_and_a_desktop(k, stride, padding, dilation, groups, photo, seed,
                                                                      width):
    """At 420 px the three inputs side by side had 20 px cells: a pixel's 174 over its ×-0.5 spilled into its
    neighbours and the output's 719 was unreadable. Panels now share a line only while their cells stay 30 px wide
    (on a phone: R and G, then B), every value and its ×weight fit the cell, and no two panels overlap."""
    from core.viz import channels

    x = np.random.default_rng(seed).integers(0, 256, (3, 5, 5)).astype(float) if photo else \
        np.stack([np.array(course.CONV_INPUT, float)] * 3)
    trace = channel_trace(x, k, stride, padding, dilation, groups)
    spec = viz.channels_animation(trace, CHANNEL_LABELS, width_px=width).to_dict()
    wide, tall = drawn_cell_px(spec, width)
    assert wide >= channels.READABLE_PX - 0.05  # 0.05: the figure's height is rounded to whole pixels
    room = wide - 2 + 0.05  # inside the cells' 2 px gap
    for value, weight, font in cell_lines(spec):
        assert viz.base.text_em(value) * font <= room and 0.7 * viz.base.text_em(weight) * font <= room, (value, weight)
        assert font * 1.3 * (2 if weight else 1) <= tall - 2 + 0.05  # Plotly's lines are 1.3 fonts apart, small or not
    inputs, outputs = spec["data"][0]["textfont"]["size"], spec["data"][len(x)]["textfont"]["size"]
    longest = max(len(viz.base.cell_text(v, 0)) for v in trace.output.ravel())
    assert inputs >= channels.READABLE_FONT  # a sum of photo pixels such as -1258 in a 30 px cell needs 9 px
    assert outputs >= channels.READABLE_FONT or longest > 4
    boxes = [(t["x0"], t["y0"], t["x0"] + len(t["z"][0]), t["y0"] + len(t["z"])) for t in spec["data"]]
    (left, right), (bottom, top) = spec["layout"]["xaxis"]["range"], spec["layout"]["yaxis"]["range"]
    assert all(left <= a - 0.5 and c - 0.5 <= right and top <= b - 0.5 and d - 0.5 <= bottom for a, b, c, d in boxes)
    assert not any(a < c2 and a2 < c and b < d2 and b2 < d for i, (a, b, c, d) in enumerate(boxes)
                   for a2, b2, c2, d2 in boxes[i + 1 :])


CLASSES = ["飞机", "汽车", "鸟", "猫", "鹿", "狗", "青蛙", "马", "船", "卡车", "airplane", "automobile", "truck"]
# what the pages caption their batches with, and at which tile size: a mistake (true→predicted, confidence) or a
# class under a 96 px picture, a channel's number under a 40 or 52 px one
CAPTIONS = {"mistake": (96, lambda k, a, b: f"{a}→{b} {50 + k}%"), "class": (96, lambda k, a, b: a),
            "number": (40, lambda k, a, b: f"#{k}"), "map": (52, lambda k, a, b: f"#{k}")}


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 64), columns=st.sampled_from([6, 8, 16]), kind=st.sampled_from(list(CAPTIONS)),
       width=st.sampled_from([viz.PHONE_PX, viz.base.DESKTOP_PX]), a=st.sampled_from(CLASSES), b=st.sampled_from(CLASSES))
def test_batch_captions_fit_their_picture_and_row(n, columns, kind, width, a, b):
    """On a phone a batch's captions ran into each other ("鸟→飞机 86%") and into the next row: each now fits the
    width its picture is drawn at, and its row, at 9 px or more."""
    tile, write = CAPTIONS[kind]
    captions = [write(k, a, b) for k in range(n)]
    spec = viz.image_batch(np.zeros((n, 8, 8, 3), np.uint8), captions, columns=columns, tile=tile, width_px=width)
    scale = (spec.layout.height - 10) / (spec.layout.yaxis.range[0] + 0.5)  # as tall as the picture is drawn
    assert scale * (spec.layout.xaxis.range[1] + 0.5) <= width + 1  # and as wide, within the plot
    notes = spec.layout.annotations
    font = notes[0].font.size
    assert font >= 9
    if len(notes) > 1 and notes[1].y == notes[0].y:  # two pictures side by side, a picture's width (and a gap) apart
        assert max(viz.base.em(c) for c in captions) * font <= (notes[1].x - notes[0].x) * scale
    assert (notes[0].y - tile) * 2 * scale >= font  # the caption's row: its middle is half a row under the picture


def test_feature_maps_on_a_phone_leave_room_for_their_titles():
    maps = [np.zeros((106, 160)) for _ in range(8)]
    titles = [f"通道 {c} 的卷积结果" for c in "RGBRGBRG"]
    fig = viz.feature_grid(maps, titles, columns=4, cell_px=150, width_px=viz.PHONE_PX)
    widths = [(fig.layout[a].domain[1] - fig.layout[a].domain[0]) * viz.PHONE_PX for a in fig.layout
              if a.startswith("xaxis")]
    assert min(widths) >= max(viz.base.em(t) for t in titles) * 16
