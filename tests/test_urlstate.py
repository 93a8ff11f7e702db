"""Every setting in the URL: a link reproduces the view, controls write themselves back, bad values get a note."""
import pytest
import torch
import torch.nn.functional as F

from core import course, i18n

from pagetest import open_page, printed

X = torch.tensor(course.CONV_INPUT, dtype=torch.float32).reshape(1, 1, 5, 5)


def url(at, name: str) -> str | None:
    """The URL's value for ``name`` after the run (None when it is left out)."""
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def notes(at) -> list[str]:
    return [c.value for c in at.caption if ":material/link_off:" in c.value]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conv_link_reproduces_the_view(lang):
    at = open_page("conv", lang, stride="2", padding="1", kernel="box_blur", kernel_size="3")
    assert [at.slider(key=k).value for k in ("stride", "padding", "dilation", "kernel_size")] == [2, 1, 1, 3]
    assert at.selectbox(key="conv_kernel").value == "box_blur"
    blur = torch.full((1, 1, 3, 3), 0.1111)
    assert printed(at)[0] == str(F.conv2d(X, blur, stride=2, padding=1))
    assert not notes(at)
    # the URL names the kernel by its PyTorch-ish id, never by its translated label; defaults stay out
    assert url(at, "kernel") == "box_blur" and url(at, "dilation") is None and url(at, "weight") is None


def test_choices_write_themselves_into_the_url():
    """Sliders and toggles are written by Streamlit's browser side (the browser test checks them)."""
    at = open_page("conv", "en")
    at.selectbox(key="conv_kernel").set_value("edge").run()
    assert url(at, "kernel") == "edge"
    at.selectbox(key="conv_kernel").set_value("course").run()
    assert url(at, "kernel") is None


def test_edited_matrices_travel_compactly():
    at = open_page("conv", "en", x="1,2,0;0,1,2;3,3,3", weight="1/9,0;0,-1")
    x = torch.tensor([[1.0, 2, 0], [0, 1, 2], [3, 3, 3]]).reshape(1, 1, 3, 3)
    w = torch.tensor([[0.1111, 0], [0, -1]]).reshape(1, 1, 2, 2)
    assert printed(at)[0] == str(F.conv2d(x, w))
    assert url(at, "x") == "1,2,0;0,1,2;3,3,3"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name, value, default", [("stride", "-3", "1"), ("kernel_size", "x", "3"),
                                                  ("padding", "999", "0"), ("kernel", "nope", None),
                                                  ("view", "../etc", "steps")])
def test_bad_values_fall_back_with_a_translated_note(lang, name, value, default):
    at = open_page("conv", lang, **{name: value})
    assert not at.exception and not at.error
    assert printed(at)[0] == str(F.conv2d(X, torch.tensor(course.CONV_KERNEL, dtype=torch.float32).reshape(1, 1, 3, 3)).long())
    shown = default if default is not None else i18n.t("kernels.course", lang)
    assert notes(at) == [f":orange[:material/link_off:] {i18n.t('url.bad_value', lang, name=name, value=value, default=shown)}"]
    assert url(at, name) is None


@pytest.mark.parametrize("value, reason, params", [("1,2;3", "matrix_ragged", {}),
                                                   (";".join(["1,1"] * 40), "matrix_too_big", {"rows": 9, "cols": 9}),
                                                   ("1,x;2,2", "not_a_number", {"value": "x"})])
def test_bad_matrices_fall_back_with_a_note(value, reason, params):
    at = open_page("conv", "en", x=value)
    assert not at.exception
    expected = i18n.t("url.unreadable", "en", name="x", reason=i18n.t(f"url.{reason}", "en", **params))
    assert any(expected in c.value for c in at.caption)
    assert printed(at)[0].startswith("tensor([[[[10, 12, 12]")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pool_link_reproduces_the_view(lang):
    at = open_page("pool", lang, kernel_size="3", stride="3", padding="0", ceil_mode="false", mode="avg")
    assert at.segmented_control(key="pool_mode").value == "avg" and at.toggle(key="ceil_mode").value is False
    assert printed(at)[0] == str(F.avg_pool2d(X, 3, 3))
    at2 = open_page("pool", lang, stride="2", ceil_mode="true", mode="max")
    assert printed(at2)[0] == str(F.max_pool2d(X, 3, 2, ceil_mode=True))
    assert url(at2, "stride") == "2" and url(at2, "mode") is None


def test_pool_bad_values():
    at = open_page("pool", "en", ceil_mode="maybe", mode="median", stride="9")
    assert not at.exception and len(notes(at)) == 3
    assert printed(at)[0] == str(F.max_pool2d(X, 3, ceil_mode=True))


def test_a_transforms_link_reproduces_tab_settings_and_pipeline():
    at = open_page("transforms", "en", view="resize", resize="int", size="64", interpolation="nearest")
    assert not at.exception
    assert "transforms.Resize(64, interpolation=InterpolationMode.NEAREST)" in "\n".join(c.value for c in at.code)
    pipeline = "Resize(size=64x48);ToTensor;Normalize(preset=imagenet)"
    at = open_page("transforms", "en", view="compose", compose=pipeline, compose_seed="3")
    code = "\n".join(c.value for c in at.code)
    assert "transforms.Resize((64, 48))" in code and "transforms.Normalize((0.485, 0.456, 0.406)" in code
    assert "torch.manual_seed(3)" in code and "Tensor torch.Size([3, 64, 48])" in code
    assert url(at, "compose") == pipeline


def test_the_default_compose_pipeline_keeps_resize_512():
    at = open_page("transforms", "en", view="compose")
    code = "\n".join(c.value for c in at.code)
    assert "transforms.Resize(512)," in code and url(at, "compose") is None


def test_a_bad_pipeline_falls_back_with_a_note():
    at = open_page("transforms", "en", view="compose", compose="Rotate(90);ToTensor")
    assert not at.exception and "transforms.Resize(512)," in "\n".join(c.value for c in at.code)
    assert any("Rotate(90)" in c.value and ":material/link_off:" in c.value for c in at.caption)


def test_the_model_page_in_the_url():
    at = open_page("model", "zh", arch="bn_relu", vgg="add_module")
    assert at.segmented_control(key="model_arch").value == "bn_relu"
    assert at.segmented_control(key="model_vgg").value == "add_module"
