"""The receptive field computed from kernel/stride/padding equals the pixels a cell's gradient reaches."""
import pytest
import torch
from torch import nn

from core.inference import receptive
from core.model import Tudui


@pytest.mark.parametrize("arch", ["course", "relu", "bn_relu"])
def test_every_feature_map_cell_sees_the_region_its_gradient_reaches(arch):
    net = Tudui(arch).eval()
    layers = list(net.model)
    # The gradient through max pooling reaches only the largest cell of each window; average pooling has the same
    # windows and reaches all of them, so it shows the whole region a cell can see.
    geometry = [nn.AvgPool2d(m.kernel_size, m.stride, m.padding) if isinstance(m, nn.MaxPool2d) else m for m in layers]
    with torch.no_grad():
        for m in geometry:
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(m.weight.abs() + 0.01)  # no cancellations: every pixel in the field counts
    fields = receptive.fields(layers)
    gen = torch.Generator().manual_seed(0)
    for depth, field in enumerate(fields):
        if field is None:
            continue
        x = torch.rand(1, 3, 32, 32, generator=gen, requires_grad=True)
        out = nn.Sequential(*geometry[: depth + 1])(x)
        h = out.shape[-1]
        for r, c in {(0, 0), (h // 2, h // 3), (h - 1, h - 1)}:
            x.grad = None
            out = nn.Sequential(*geometry[: depth + 1])(x)
            out[0, :, r, c].sum().backward()
            rows, cols = torch.nonzero(x.grad[0].abs().sum(0), as_tuple=True)
            seen = (rows.min().item(), cols.min().item(), rows.max().item(), cols.max().item())
            assert field.region(r, c) == seen, (depth, layers[depth], r, c)


def test_deeper_cells_see_more():
    sizes = [f.size for f in receptive.fields(list(Tudui("course").model)) if f is not None]
    assert sizes == [5, 6, 14, 16, 32, 36]   # conv 5×5, pool 2, conv (×2 steps), pool, conv (×4 steps), pool


@pytest.mark.usefixtures("shipped")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_classify_page_says_what_a_feature_map_cell_sees(lang):
    from core import i18n

    from pagetest import open_page

    at = open_page("classify", lang)   # default view: what the network sees; first conv map 32×32, centre cell
    field = receptive.fields(list(Tudui("course").model))[0]
    r0, c0, r1, c1 = field.region(16, 16)
    expected = i18n.t("receptive.seen", lang, row=16, col=16, size=5, r0=r0, r1=r1, c0=c0, c1=c1)
    assert expected in [c.value for c in at.caption]
    at.selectbox(key="cls_layer").set_value(4).run()          # after the third conv: 8×8, centre (4, 4)
    field = receptive.fields(list(Tudui("course").model))[4]
    r0, c0, r1, c1 = field.region(4, 4)
    expected = i18n.t("receptive.seen", lang, row=4, col=4, size=32, r0=r0, r1=r1, c0=c0, c1=c1)
    assert expected in [c.value for c in at.caption]
    assert diagram_fields(at) == expected_fields("course")  # the shipped model's diagram, under the map


def diagram_fields(at) -> list[tuple[int, int] | None]:
    """(size, jump) under each block of the page's model diagram, read from the figure's text (None: "all")."""
    import json
    import re

    from core import viz

    for chart in at.get("plotly_chart"):
        notes = json.loads(chart.proto.spec)["layout"].get("annotations", [])
        below = sorted((n for n in notes if n.get("font", {}).get("color") == viz.PICKED), key=lambda n: n["x"])
        if below:
            found = [re.search(r"(\d+)×(\d+)<br>\D*(\d+)", n["text"]) for n in below]
            return [(int(m[1]), int(m[3])) if m and m[1] == m[2] else None for m in found]
    raise AssertionError("no diagram with receptive fields on the page")


def expected_fields(arch: str) -> list[tuple[int, int] | None]:
    fields = receptive.fields(list(Tudui(arch).model))
    return [(1, 1)] + [(f.size, f.jump) if f else None for f in fields]


@pytest.mark.parametrize(("arch", "lang"), [("course", "zh"), ("relu", "en"), ("bn_relu", "zh")])
def test_the_model_diagram_says_each_stage_s_receptive_field(arch, lang):
    from pagetest import open_page

    at = open_page("model", lang, arch=arch)
    assert diagram_fields(at) == expected_fields(arch)
