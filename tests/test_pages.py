"""AppTest: every page renders in both languages, and the widgets change the numbers shown to the right ones."""

import pytest
import torch
import torch.nn.functional as F
from codetext import slips

from core import course, i18n
from ui.nav import HOME, SECTIONS

from pagetest import open_page, printed

SLUGS = [HOME.slug] + [info.slug for _, infos in SECTIONS for info in infos]


def course_tensor(**kwargs) -> str:
    x = torch.tensor(course.CONV_INPUT).reshape(1, 1, 5, 5)
    return str(F.conv2d(x, torch.tensor(course.CONV_KERNEL).reshape(1, 1, 3, 3), **kwargs))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_renders_in_both_languages(slug, lang):
    at = open_page(slug, lang)
    expected = i18n.t("home.title_long" if slug == HOME.slug else f"{slug}.title", lang)
    assert at.title[0].value == expected
    assert not at.error
    assert [slip for c in at.code if c.proto.language == "python" for slip in slips(c.value, lang)] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_widgets_drive_the_result(lang):
    at = open_page("conv", lang)
    assert printed(at)[0] == course_tensor() == "tensor([[[[10, 12, 12],\n          [18, 16, 16],\n          [13,  9,  3]]]])"
    at.slider(key="stride").set_value(2).run()
    assert printed(at)[0] == course_tensor(stride=2)
    at.slider(key="padding").set_value(1).run()
    assert printed(at)[0] == course_tensor(stride=2, padding=1)
    at.slider(key="stride").set_value(1).run()
    at.slider(key="dilation").set_value(2).run()
    assert printed(at)[0] == course_tensor(padding=1, dilation=2)
    assert any("⌊(5 + 2×1 − 2×(3−1) − 1) / 1⌋ + 1 = 3" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["zh"])  # the learners' language; test_i18n checks en has every string
def test_conv_on_a_linked_4x6_input_names_its_own_reshape(lang):
    """The shape sentence reshapes the input the page shows (it said the course's 5 × 5 whatever the input)."""
    x = torch.arange(24).reshape(4, 6) % 5
    at = open_page("conv", lang, x=";".join(",".join(map(str, row)) for row in x.tolist()))
    assert printed(at)[0] == str(F.conv2d(x.reshape(1, 1, 4, 6), torch.tensor(course.CONV_KERNEL).reshape(1, 1, 3, 3)))
    assert any("torch.reshape(input, (1, 1, 4, 6))" in m.value and "torch.Size([1, 1, 2, 4])" in m.value
               for m in at.markdown)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_impossible_settings_explain_and_offer_a_way_out(lang):
    at = open_page("conv", lang)
    at.selectbox(key="conv_kernel").set_value("identity").run()
    at.slider(key="kernel_size").set_value(7).run()
    assert not at.exception
    assert at.error[0].value == i18n.t("problem.conv_kernel_too_big", lang, padded=5, effective=7, need=1)
    fix = next(b for b in at.button if b.label == i18n.t("conv.fix_padding", lang, need=1))
    fix.click().run()
    assert not at.error and at.slider(key="padding").value == 1
    assert printed(at)[0] == "tensor([[[[1]]]])"  # a 7×7 identity over the padded 7×7 input picks its centre


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pool_widgets_drive_the_result(lang):
    at = open_page("pool", lang)
    assert printed(at)[0] == "tensor([[[[2., 3.],\n          [5., 1.]]]])"
    at.toggle(key="ceil_mode").set_value(False).run()
    assert printed(at)[0] == "tensor([[[[2.]]]])"
    at.select_slider(key="pool_stride").set_value(1).run()
    x = torch.tensor(course.CONV_INPUT, dtype=torch.float32).reshape(1, 1, 5, 5)
    assert printed(at)[0] == str(F.max_pool2d(x, 3, 1))
    at.segmented_control(key="pool_mode").set_value("avg").run()
    assert printed(at)[0] == str(F.avg_pool2d(x, 3, 1))
    at.slider(key="padding").set_value(1).run()
    assert printed(at)[0] == str(F.avg_pool2d(x, 3, 1, 1))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pool_padding_beyond_half_the_kernel_is_explained(lang):
    at = open_page("pool", lang)
    at.slider(key="padding").set_value(2).run()
    assert at.error[0].value == i18n.t("problem.pool_pad_too_big", lang, padding=2, kernel=3, limit=1)
    next(b for b in at.button if b.label == i18n.t("pool.fix_padding", lang, limit=1)).click().run()
    assert not at.error
    x = torch.tensor(course.CONV_INPUT, dtype=torch.float32).reshape(1, 1, 5, 5)
    assert printed(at)[0] == str(F.max_pool2d(x, 3, 3, 1, ceil_mode=True))


def test_layers_page_shows_the_course_numbers():
    at = open_page("layers", "en")
    assert printed(at)[0].startswith("tensor([[1., 0.],\n        [0., 3.]])")   # as the course prints it
    at = open_page("layers", "en", view="loss")
    assert "tensor(0.6667)\ntensor(1.3333)\ntensor(1.1019)" in printed(at)
    text = "\n".join(m.value for m in at.markdown)
    assert "**0.6667**" in text and "**1.3333**" in text and "**1.1019**" in text
    at.selectbox(key="layers_target").set_value(2).run()
    expected = F.cross_entropy(torch.tensor([course.CROSS_ENTROPY_LOGITS]), torch.tensor([2]))
    assert f"**{float(expected):.4f}**" in "\n".join(m.value for m in at.markdown)
    at = open_page("layers", "en", view="flatten")
    assert "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x49152 and 196608x10)" in [c.value for c in at.code]


@pytest.mark.parametrize("lang", ["zh"])  # the learners' language; test_i18n checks en has every string
def test_flatten_says_when_there_is_no_smaller_last_batch(lang):
    """10,000 images in batches of 16 divide evenly: no error on either path; 10 images in batches of 64 make one."""
    at = open_page("layers", lang, view="flatten", batch_size="16")
    assert i18n.t("layers.last_batch_even", lang, total=10000, batch=16, full=625) in [m.value for m in at.markdown]
    assert not [c for c in at.code if c.value.startswith("RuntimeError")]
    at = open_page("layers", lang, view="flatten", dataset_size="10")
    assert i18n.t("layers.one_batch", lang, total=10, batch=64) in [m.value for m in at.markdown]
    assert not any(i18n.t("layers.full_batch", lang, n=64) in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_photo_tab_shows_the_course_conv2d_shapes(lang):
    at = open_page("conv", lang, view="photo")
    assert not at.exception and len(at.get("plotly_chart")) == 3
    text = "\n".join(m.value for m in at.markdown)
    assert "`torch.Size([1, 3, 106, 160])` → `torch.Size([1, 6, 104, 158])`" in text  # the cat, 160 px wide
    assert "`torch.Size([6, 3, 3, 3])`" in text
    assert "Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1))" in [c.value for c in at.code]


def course_transpose(**kwargs) -> str:
    """What the transposed page's code prints: the shape, then the tensor."""
    x = torch.tensor([[10, 12, 12], [18, 16, 16], [13, 9, 3]], dtype=torch.float32).reshape(1, 1, 3, 3)
    out = F.conv_transpose2d(x, torch.tensor(course.CONV_KERNEL, dtype=torch.float32).reshape(1, 1, 3, 3), **kwargs)
    return f"{out.shape}\n{out}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_transpose_link_and_sliders_drive_the_result(lang):
    at = open_page("conv_transpose", lang, stride="2", padding="1", output_padding="1")
    assert printed(at) == [course_transpose(stride=2, padding=1, output_padding=1)]
    assert printed(at)[0].startswith("torch.Size([1, 1, 6, 6])")
    at.slider(key="output_padding").set_value(0).run()
    assert printed(at) == [course_transpose(stride=2, padding=1)]
    at.slider(key="dilation").set_value(2).run()
    assert printed(at) == [course_transpose(stride=2, padding=1, dilation=2)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_transpose_default_shows_the_shape_back_but_not_the_values(lang):
    at = open_page("conv_transpose", lang)
    assert printed(at) == [course_transpose()] and printed(at)[0].startswith("torch.Size([1, 1, 5, 5])")
    assert at.subheader[1].value == i18n.t("conv_transpose.not_inverse_title", lang)
    assert not at.error
    # another kernel that also gives 5×5 back: "the same kernel" would be untrue, so the comparison is not shown
    at = open_page("conv_transpose", lang, weight="1,0,0;0,1,0;0,0,1")
    assert printed(at)[0].startswith("torch.Size([1, 1, 5, 5])")
    assert i18n.t("conv_transpose.not_inverse_title", lang) not in [h.value for h in at.subheader]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_transpose_refusals_are_explained_and_fixed(lang):
    at = open_page("conv_transpose", lang, output_padding="1")   # stride 1, dilation 1: PyTorch refuses
    assert at.error[0].value == i18n.t("problem.output_padding_too_big", lang, output_padding=1, stride=1,
                                       dilation=1, limit=0)
    next(b for b in at.button if b.label == i18n.t("conv_transpose.fix_output_padding", lang, limit=0)).click().run()
    assert not at.error and printed(at) == [course_transpose()]
    at.slider(key="padding").set_value(3).run()
    assert at.error[0].value == i18n.t("problem.transpose_too_small", lang, size=-1, full=5, padding=3, limit=2)
    next(b for b in at.button if b.label == i18n.t("conv_transpose.fix_padding", lang, limit=2)).click().run()
    assert not at.error and printed(at) == [course_transpose(padding=2)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_channels_tab_names_the_shapes_and_prints_pytorch_s_result(lang):
    from core.basics import multichannel

    at = open_page("conv", lang, view="channels", groups="3", padding="1")
    x = torch.tensor(course.CONV_INPUT).repeat(3, 1, 1)[None].float()
    weight = torch.tensor(multichannel.default_weight(3, 1, 3), dtype=torch.float32)
    out = F.conv2d(x, weight, torch.tensor([1.0, -1.0, 0.0]), padding=1, groups=3)
    assert printed(at) == [f"torch.Size([1, 3, 5, 5]) torch.Size([3, 1, 3, 3]) -> {out.shape}\n{out}"]
    assert any("torch.Size([3, 1, 3, 3])" in m.value and "torch.Size([1, 3, 5, 5])" in m.value for m in at.markdown)
    # depthwise: one window per output channel, and the words say so (they spoke of three windows at any groups)
    captions = [c.value for c in at.caption]
    assert i18n.t("conv.groups_line_3", lang) in captions and i18n.t("conv.channels_legend_depthwise", lang) in captions
    assert i18n.t("conv.channels_matrix_depthwise", lang) in captions
    at.segmented_control(key="conv_groups").set_value(1).run()
    assert any("torch.Size([2, 3, 3, 3])" in m.value and "torch.Size([1, 2, 5, 5])" in m.value for m in at.markdown)
    captions = [c.value for c in at.caption]
    assert i18n.t("conv.groups_line_1", lang, out_channels=2) in captions
    assert i18n.t("conv.channels_legend", lang) in captions and i18n.t("conv.channels_matrix", lang) in captions


def photo_crop_output(top: int, left: int, sample: str = "cat") -> tuple[torch.Size, torch.Tensor]:
    """What nn.Conv2d(3, 2, 3) with the page's weights gives on the 5×5 crop at (top, left) of a sample photo
    (the first one by default) as the picker shows it (48 px along its longer side), from torchvision's own crop."""
    from torchvision.transforms import functional as TF

    from core.basics import multichannel
    from core.data import images

    photo = images.fit(images.sample(sample), 48)
    crop = TF.crop(TF.pil_to_tensor(photo), top, left, 5, 5).float()[None]
    weight = torch.tensor(multichannel.default_weight(2, 3, 3), dtype=torch.float32)
    return crop.shape, F.conv2d(crop, weight, torch.tensor([1.0, -1.0]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_channels_on_a_photo_crop_follow_the_link_and_print_the_animation_s_numbers(lang):
    import json

    at = open_page("conv", lang, view="channels", input="photo", top="4", left="30")
    shape, out = photo_crop_output(4, 30)
    assert shape == (1, 3, 5, 5)
    assert printed(at) == [f"torch.Size([1, 3, 5, 5]) torch.Size([2, 3, 3, 3]) -> {out.shape}\n{out}"]
    assert any("torch.Size([2, 3, 3, 3])" in m.value and "torch.Size([1, 2, 3, 3])" in m.value for m in at.markdown)
    last = json.loads(at.get("plotly_chart")[-1].proto.spec)["frames"][-1]   # the animation, every output made
    cells = [[[float(v) for v in row] for row in grid["text"]] for grid in last["data"][3:]]
    assert cells == out[0].tolist()   # halves at most: the cells' 2 decimals are PyTorch's numbers exactly
    assert at.slider(key="top").value == 4 and at.slider(key="left").value == 30
    at.slider(key="left").set_value(0).run()
    assert printed(at)[0].endswith(str(photo_crop_output(4, 0)[1]))
    rocket = open_page("conv", lang, view="channels", input="photo", sample="rocket", top="4", left="30")
    assert printed(rocket)[0].endswith(str(photo_crop_output(4, 30, "rocket")[1]))   # the link names the photo too


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conv_channels_a_crop_off_the_photo_moves_into_it_with_a_note(lang):
    """top=999 (a link made on a larger photo) moves to the last row a 5×5 crop fits; left=x, no number, falls back
    to the middle."""
    at = open_page("conv", lang, view="channels", input="photo", top="999", left="x")
    notes = "\n".join(c.value for c in at.caption)
    assert "top=999" in notes and "left=x" in notes
    assert printed(at)[0].endswith(str(photo_crop_output(27, 21)[1]))   # of a 32×48 photo
    assert not at.error


@pytest.mark.parametrize("slug,view", [("conv", "channels"), ("layers", "flatten"), ("layers", "loss"),
                                       ("classify", "code"), ("transforms", "normalize"),
                                       ("transforms", "resize"), ("transforms", "crop"), ("transforms", "compose")])
def test_the_code_on_every_tab_is_in_the_pages_language(slug, view):
    """English, the language a page would forget to pass (test_every_page_renders… checks each first view in both)."""
    at = open_page(slug, "en", view=view)
    python = [c.value for c in at.code if c.proto.language == "python"]
    assert python and [slip for code in python for slip in slips(code, "en")] == []
