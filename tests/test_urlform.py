"""A page's settings as one dataclass: each field named as PyTorch names the argument, its default one its control
can show, and the page's reset button is the dataclass's defaults."""
import inspect

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from core import course, i18n
from core.basics.layers import CrossEntropySettings, FlattenSettings
from core.basics.ops import ConvSettings, PoolSettings
from core.basics.transposed import TransposeSettings
from core.chapters.backprop import BackwardSettings, LoopSettings
from core.chapters.modes import DropoutSettings
from core.chapters.snippets import GpuSettings
from core.controls import Widget, controls
from core.model_settings import ModelSettings, PretrainedSettings, SurgerySettings

from pagetest import open_page, printed

# the page's own names: which pooling layer, which preset kernel of which size the matrix starts from, the seed,
# the flattened images' size and their count, which network, which of VGG16's changes, which photo, the epochs
PYTORCH = {PoolSettings: ({"mode"}, [nn.MaxPool2d, nn.AvgPool2d]), ConvSettings: ({"kernel", "kernel_size"}, [nn.Conv2d]),
           TransposeSettings: (set(), [nn.ConvTranspose2d]), DropoutSettings: ({"manual_seed"}, [nn.Dropout]),
           FlattenSettings: ({"channels", "size", "dataset_size"}, [DataLoader]),
           CrossEntropySettings: (set(), [F.cross_entropy]), ModelSettings: ({"arch"}, []),
           SurgerySettings: ({"vgg"}, []), PretrainedSettings: ({"vgg_photo"}, []),
           BackwardSettings: (set(), [DataLoader, torch.optim.SGD]), LoopSettings: ({"epochs"}, []),
           GpuSettings: ({"epochs"}, [DataLoader, torch.optim.SGD])}


@pytest.mark.parametrize("settings", list(PYTORCH))
def test_fields_are_pytorch_s_arguments_and_defaults_fit_their_controls(settings):
    own, functions = PYTORCH[settings]
    arguments = {name for f in functions for name in inspect.signature(f).parameters}
    earlier = []
    for name, control, default in controls(settings):
        assert name in arguments | own, name
        if control.widget in (Widget.SLIDER, Widget.NUMBER):
            assert control.low <= default <= control.high, name
        elif control.widget is not Widget.TOGGLE:
            assert default in control.options, name
        if control.only_when is not None:  # greyed out by a field drawn before it
            assert control.only_when[0] in earlier, name
        earlier.append(name)


def test_the_reset_button_brings_back_the_dataclass_defaults_and_a_clean_url():
    at = open_page("pool", "en", stride="2", padding="1", mode="avg", ceil_mode="false", x="1,2;3,4")
    assert at.segmented_control(key="pool_mode").value == "avg" and at.slider(key="padding").value == 1
    next(b for b in at.button if b.label == i18n.t("conv.reset", "en")).click().run()
    assert at.segmented_control(key="pool_mode").value == "max" and at.select_slider(key="pool_stride").value is None
    assert [at.slider(key=k).value for k in ("kernel_size", "padding", "dilation")] == [3, 0, 1]
    assert at.toggle(key="ceil_mode").value is True
    x = torch.tensor(course.CONV_INPUT, dtype=torch.float32)[None, None]
    assert printed(at)[0] == str(F.max_pool2d(x, 3, ceil_mode=True))
    assert not {"stride", "mode", "x"} & set(at.query_params)


def test_a_choice_whose_options_follow_the_data_offers_those_and_falls_back_beyond_them():
    """CrossEntropy's target is one of the logits' indices: five logits offer 0-4, the course's three only 0-2."""
    at = open_page("layers", "en", view="loss", logits="0.1,0.2,0.3,0.4,2", target="4")
    target = at.selectbox(key="layers_target")
    assert target.options == ["0", "1", "2", "3", "4"] and target.value == 4
    logits = torch.tensor([[0.1, 0.2, 0.3, 0.4, 2]])
    assert f"tensor({F.cross_entropy(logits, torch.tensor([4])).item():.4f})" in printed(at)[0]
    at = open_page("layers", "en", view="loss", target="4")
    assert at.selectbox(key="layers_target").options == ["0", "1", "2"]
    assert at.selectbox(key="layers_target").value == course.CROSS_ENTROPY_TARGET
    note = i18n.t("url.bad_value", "en", name="target", value="4", default=str(course.CROSS_ENTROPY_TARGET))
    assert any(note in c.value for c in at.caption)
