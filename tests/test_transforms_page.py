"""AppTest of the Transforms page: every tab renders; each tab's settings a dataclass whose fields are the link's names
(torchvision's arguments where there is one), a link reproduces what the tab shows, and what it shows equals
torchvision; the ToTensor tab's pixel table and channel strip; the Compose step editor and torchvision's errors."""
import inspect

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision import transforms

from core import i18n
from core.controls import Widget, controls
from core.data import channels, images
from core.data import transform_settings as S

from pagetest import open_page

# each class's URL names (unchanged since the page drew them one by one), and the transform whose arguments they are
NAMES = {S.NormalizeSettings: (["normalize"], ()),
         S.CustomNormalize: (["mean_r", "mean_g", "mean_b", "std_r", "std_g", "std_b"], ()),
         S.ResizeSettings: (["resize", "interpolation"], (transforms.Resize,)), S.ResizePair: (["h", "w"], ()),
         S.ResizeSide: (["size"], (transforms.Resize,)),
         S.CropSettings: (["padding", "fill", "padding_mode", "n", "seed"], (transforms.RandomCrop,)),
         S.RandomSettings: (["p", "jitter", "hue"], (transforms.RandomHorizontalFlip, transforms.ColorJitter))}
TABS = ["to_tensor", "normalize", "resize", "crop", "compose"]
OWN = {"normalize", "mean_r", "mean_g", "mean_b", "std_r", "std_g", "std_b", "resize", "h", "w", "n", "seed",
       "jitter"}


def photo():
    """The photo the page opens with: the first sample, at the page's working size."""
    return images.fit(images.sample(images.samples()[0]), 1024)


def image_captions(at) -> list[str]:
    return [image.caption for element in at.get("image") for image in element.proto.imgs]


@pytest.mark.parametrize("settings", list(NAMES), ids=lambda s: s.__name__)
def test_fields_keep_the_link_s_names_and_defaults_fit_their_controls(settings):
    names, functions = NAMES[settings]
    arguments = {name for f in functions for name in inspect.signature(f).parameters}
    assert [name for name, _, _ in controls(settings)] == names
    for name, control, default in controls(settings):
        assert name in arguments | OWN, name
        if control.widget in (Widget.SLIDER, Widget.NUMBER):
            assert control.low <= default <= control.high, name
        else:
            assert default in control.options, name


def test_the_flip_and_jitter_sliders_step_by_a_twentieth_and_take_a_link_s_values():
    at = open_page("transforms", "en", view="crop", p="1", jitter="0.25", hue="0.9")
    p, jitter, hue = (at.slider(key=k) for k in ("p", "jitter", "hue"))
    assert (p.value, jitter.value, hue.value) == (1.0, 0.25, 0.1), "hue=0.9 is beyond ColorJitter's 0.5: the default"
    assert {p.proto.step, jitter.proto.step, hue.proto.step} == {0.05}
    assert any("hue=0.9" in c.value and ":material/link_off:" in c.value for c in at.caption)


def test_a_normalize_link_with_its_own_mean_and_std_shows_what_torchvision_computes():
    """std_g=0 is not a std the page offers: the default, with the bad-link note."""
    at = open_page("transforms", "en", view="normalize", normalize="custom", mean_r="0.2", std_b="2", std_g="0")
    assert [at.number_input(key=k).value for k in ("mean_r", "mean_g", "std_g", "std_b")] == [0.2, 0.5, 0.5, 2.0]
    assert any("std_g=0" in c.value and ":material/link_off:" in c.value for c in at.caption)
    mean, std = [0.2, 0.5, 0.5], [0.5, 0.5, 2.0]
    tensor = TF.to_tensor(photo())
    out = TF.normalize(tensor, mean, std)
    formula = i18n.t("tf.normalize_formula", "en", v=f"{tensor[0, 0, 0]:.4f}", m=0.2, s=0.5, r=f"{out[0, 0, 0]:.4f}")
    assert formula in [m.value for m in at.markdown]
    assert "transforms.Normalize((0.2, 0.5, 0.5), (0.5, 0.5, 2.0))" in "\n".join(c.value for c in at.code)
    at.segmented_control(key="tf_normalize").set_value("imagenet").run()
    assert not at.number_input and at.query_params.get("normalize") == "imagenet"


def test_a_resize_link_with_a_pair_resizes_to_it():
    at = open_page("transforms", "zh", view="resize", h="64", w="48", interpolation="bicubic")
    assert "transforms.Resize((64, 48), interpolation=InterpolationMode.BICUBIC)" in "\n".join(c.value for c in at.code)
    assert i18n.t("tf.size_after", "zh", size=(48, 64)) in image_captions(at)
    assert not [s for s in at.slider if s.key == "size"], "the one-integer size is drawn only for resize=int"


def test_a_crop_link_draws_the_boxes_torchvision_draws_under_its_seed():
    at = open_page("transforms", "en", view="crop", crop_size="100", padding="4", fill="7", padding_mode="reflect",
                   n="3", seed="5")
    padded = TF.pad(photo(), 4, fill=7, padding_mode="reflect")
    with torch.random.fork_rng():
        torch.manual_seed(5)
        boxes = [transforms.RandomCrop.get_params(padded, (100, 100)) for _ in range(3)]
    crops = [c for c in image_captions(at) if c.startswith(tuple("123456789"))]
    assert crops == [f"{k + 1}: top={top}, left={left}" for k, (top, left, _, _) in enumerate(boxes)]
    code = "\n".join(c.value for c in at.code)
    assert "transforms.RandomCrop(100, padding=4, fill=7, padding_mode='reflect')" in code
    assert "torch.manual_seed(5)" in code and "range(3)" in code
    at.slider(key="n").set_value(2).run()
    assert len([c for c in image_captions(at) if c.startswith(tuple("123456789"))]) == 2


def test_the_pixel_table_reads_the_photo_and_the_tensor_at_the_same_places():
    pixels = np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3) * 4
    picture = Image.fromarray(pixels)
    rows = channels.pixel_rows(picture, TF.to_tensor(picture))
    assert [r["(y, x)"] for r in rows] == ["(0, 0)", "(0, 1)", "(1, 0)", "(2, 2)"]
    assert rows[3]["PIL (R, G, B)"] == str(tuple(int(v) for v in pixels[2, 2]))
    assert rows[3]["tensor[:, y, x]"] == "[" + ", ".join(f"{v / 255:.4f}" for v in pixels[2, 2]) + "]"
    one = Image.fromarray(pixels[:1, :1])
    assert [r["(y, x)"] for r in channels.pixel_rows(one, TF.to_tensor(one))] == ["(0, 0)"]


def test_the_channel_strip_is_r_g_b_side_by_side():
    pixels = np.random.default_rng(0).integers(0, 256, (6, 80, 3), dtype=np.uint8)
    strip = np.asarray(channels.channel_strip(TF.to_tensor(Image.fromarray(pixels))))
    assert strip.shape == (6, 3 * 80 + 2 * 2)
    for k in range(3):
        assert (strip[:, k * 82:k * 82 + 80] == pixels[..., k]).all()
    assert (strip[:, 80:82] == 255).all()


def test_a_step_s_line_shows_the_value_its_editor_just_set():
    """The line above the step's tools was drawn before its editor ran, so it showed the value one change behind."""
    from core.data import transforms as T

    at = open_page("transforms", "en", view="compose")
    at.session_state["tf_steps"] = [{**T.KINDS["ColorJitter"].new(), "id": "a"}, {**T.KINDS["Resize"].new(), "id": "b"}]
    at.run()
    at.slider(key="tf_p_a_hue").set_value(0.3).run()
    at.toggle(key="tf_p_b_int").set_value(True).run()
    lines = [c.value for c in at.code if c.value.startswith("transforms.")]
    assert lines == ["transforms.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.3)",
                     "transforms.Resize(256)"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_transforms_tab_renders(lang):
    for tab in TABS:
        at = open_page("transforms", lang, view=tab)
        assert not at.exception and not at.error, (tab, [e.value for e in at.exception])
    assert at.dataframe, "the Compose table of stages is shown"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_normalize_before_totensor_is_explained(lang):
    at = open_page("transforms", lang, view="compose")
    at.session_state["tf_steps"] = [{"name": "Normalize", "id": "a", "mean": [0.5] * 3, "std": [0.5] * 3},
                                    {"name": "ToTensor", "id": "b"}]
    at.run()
    why = i18n.t("tf.step_needs_tensor", lang, step="S", error="E").split("\n\n")[1]
    assert "img should be Tensor Image" in at.error[0].value and at.error[0].value.endswith(why)
    assert not at.exception, "the snippet of a pipeline that fails is shown, not run into a traceback"
    assert i18n.t("tf.not_run_failed", lang) in [c.value for c in at.caption]  # it said "this code really trains"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_step_editor_sets_every_parameter_of_every_step(lang):
    from core.data import transforms as T

    at = open_page("transforms", lang, view="compose")
    at.session_state["tf_steps"] = [{**T.KINDS[name].new(), "id": str(i)} for i, name in enumerate(T.STEPS)]
    at.run()
    assert not at.exception
    at.slider(key="tf_p_6_hue").set_value(0.3).run()
    at.slider(key="tf_p_4_fill").set_value(7).run()
    at.selectbox(key="tf_p_1_preset").set_value("imagenet").run()
    at.toggle(key="tf_p_3_int").set_value(False).run()
    code = "\n".join(c.value for c in at.code)
    for written in ("hue=0.3)", "RandomCrop(256, fill=7)", "Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))",
                    "CenterCrop((512, 512))"):
        assert written in code, written
    assert not at.exception
