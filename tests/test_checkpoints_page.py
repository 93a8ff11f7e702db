"""Classify with a learner's own checkpoint: a whole model of their variation, a renamed and wrapped state_dict."""
import pytest
import torch
from torch import nn

from core import i18n
from core.data import images
from core.inference import infer
from core.model import Tudui

from checkpoint_files import saved
from pagetest import open_page, upload_weights, verdict

pytestmark = pytest.mark.usefixtures("shipped")


class Mine(nn.Module):
    """A learner's variation: 16 channels, ReLU, BatchNorm, in self.model1."""

    def __init__(self):
        super().__init__()
        self.model1 = nn.Sequential(nn.Conv2d(3, 16, 5, 1, 2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(),
                                    nn.Linear(512, 10))

    def forward(self, x):
        return self.model1(x)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_learner_s_whole_model_runs_as_their_network_and_its_code_agrees(lang):
    torch.manual_seed(3)
    mine = Mine().eval()
    at = upload_weights(open_classify(lang, model="upload", view="code"), saved(mine), "tudui_9.pth")
    logits, probs = infer.predict(mine, infer.prepare(images.sample("cat")).batch)
    best = int(probs.argmax())
    assert not at.error and verdict(at).endswith(f"{float(probs[best]):.1%}" + ("）" if lang == "zh" else ")"))
    captions = " ".join(c.value for c in at.caption)
    assert f"`{__name__}.Mine`" in captions and i18n.t("ckpt.whole_own", lang) in captions
    assert "`model1.*` → `model.*`" in captions
    assert f"{logits[None]}\ntensor([{best}])" in [c.value for c in at.code]
    assert "nn.BatchNorm2d(16)" in at.code[0].value and "'tudui_9_state_dict.pth'" in at.code[0].value


def test_a_learner_s_whole_model_shows_its_feature_maps_and_receptive_fields():
    torch.manual_seed(3)
    at = upload_weights(open_classify("en", model="upload"), saved(Mine().eval()), "tudui_9.pth")
    layers = at.selectbox(key="cls_layer")
    assert layers.options[:2] == ["model[0] Conv2d → [16, 32, 32]", "model[3] MaxPool2d → [16, 16, 16]"]
    layers.set_value(2).run()  # the second conv: a 5×5 kernel over 2×2 pooled cells
    assert not at.exception
    assert any(c.value.startswith("Cell (") and "a 14×14 field" in c.value for c in at.caption), \
        [c.value for c in at.caption]


def test_a_tutorial_checkpoint_says_what_it_renamed():
    torch.manual_seed(4)
    model = Tudui("relu").eval()
    state = {f"module.{k.replace('model.', 'model1.')}": v for k, v in model.state_dict().items()}
    at = upload_weights(open_classify("en"), saved({"epoch": 3, "model_state_dict": state}))
    captions = [c.value for c in at.caption]
    assert i18n.t("ckpt.from_wrapper", "en", entry="model_state_dict") in captions
    assert i18n.t("ckpt.cut_prefix", "en") in captions
    assert i18n.t("ckpt.renamed", "en", pairs="`model1.*` → `model.*`") in captions
    _, probs = infer.predict(model, infer.prepare(images.sample("cat")).batch)
    assert verdict(at).endswith(f"({float(probs.max()):.1%})")


class Viewed(nn.Module):
    """Its forward would reshape between the layers: ``self.linear(self.conv(x).view(1, -1))``."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.linear = nn.Linear(4 * 30 * 30, 10)


def test_a_forward_that_is_not_a_sequence_is_explained_in_both_languages():
    for lang in ("zh", "en"):
        at = upload_weights(open_classify(lang), saved(Viewed()))
        start = i18n.t("ckpt.error_not_sequence", lang, path="X", layer="", reason="").split("X")[0]
        assert at.error[0].value.startswith(start)
        assert "mat1 and mat2" in at.error[0].value and not [h for h in at.subheader if "%" in h.value]


def open_classify(lang, **params):
    return open_page("classify", lang, **params)
