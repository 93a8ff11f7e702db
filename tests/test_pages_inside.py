"""AppTest of Classify's views inside the network: a feature-map cell's own calculation, a class score's
contributions and where the network looked, as the page writes them, equal what the network computes."""
import json

import pytest
import torch

from core import i18n
from core.data import images
from core.inference import attribution, infer

from pagetest import open_page


def chart(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key) or key in c.proto.id).proto.spec)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conv2_cell_shows_its_32_channels_and_the_network_s_value(lang, shipped):  # noqa: F811
    model, card = shipped
    at = open_page("classify", lang)
    at.selectbox(key="cls_layer").set_value(2).run()  # model[2], the second conv
    assert not at.exception, [e.value for e in at.exception]
    batch = infer.prepare(images.sample("cat"), card.mean, card.std).batch
    with torch.no_grad():
        value = float(model.eval().model[:3](batch)[0, 0, 8, 8])  # channel 0, the centre cell of the 16×16 map
    captions = [c.value for c in at.caption]
    assert any(f"{value:.4f}" in c and c.startswith(i18n.t("neuron.conv_sum", lang, s="", b="", t="", a="")[:4])
               for c in captions), captions
    overview = chart(at, "cls_neuron_channels")
    assert len(overview["layout"]["annotations"]) == 32  # one partial sum per input channel
    animation = chart(at, "cls_neuron")
    assert len(animation["frames"]) == 33  # channel by channel, then the bias


def test_a_pool_cell_and_a_class_score(shipped):  # noqa: F811
    model, card = shipped
    at = open_page("classify", "en")
    at.selectbox(key="cls_layer").set_value(1).run()  # model[1], the first max pooling
    assert not at.exception, [e.value for e in at.exception]
    assert any("won with" in c.value for c in at.caption)
    batch = infer.prepare(images.sample("cat"), card.mean, card.std).batch
    with torch.no_grad():
        logits = model.eval()(batch)[0]
    at.selectbox(key="cls_target").set_value(3).run()
    bars = chart(at, "cls_linear")["data"][0]
    assert sum(bars["y"]) == pytest.approx(float(logits[3]), abs=1e-4)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_where_it_looked_for_a_class_named_in_the_link(lang, shipped):  # noqa: F811
    model, card = shipped
    at = open_page("classify", lang, view="looked", target="3")
    assert at.selectbox(key="cls_target").value == 3
    batch = infer.prepare(images.sample("cat"), card.mean, card.std).batch
    ig = attribution.integrated_gradients(model, batch, 3)
    name = i18n.t("classes.cat", lang)
    assert i18n.t("looked.ig_means", lang, name=name, total=f"{ig.attribution.sum():.3f}", gap=f"{ig.gap:.3f}") in \
        [m.value for m in at.markdown]
    figure = chart(at, "cls_looked")
    assert len(figure["data"]) == 4  # the photo under Grad-CAM, the grey photo under the pixels' shares
