"""Every code template (core/code/templates) rendered over its settings in both languages: it compiles, its
comments and docstrings are in the learner's language, and in a fresh interpreter it prints what the page prints.

As jrieke/traingenerator does for its templates; the runs are batched into one interpreter to stay fast. The
snippets that need TensorBoard, a GPU data set, a training run or a saved whole model are run by test_chapters,
test_train, test_classify and test_gaps (VGG16 weights, OpenCV).
"""
import io
import json
import re
import subprocess
import sys
import tokenize
from collections.abc import Callable

import numpy as np
import pytest
import torch
from codetext import slips
from PIL import Image

from core import course, i18n
from core.basics import codegen, multichannel, transposed
from core.basics.ops import ConvSettings, PoolSettings
from core.basics.transposed import TransposeSettings
from core.chapters import imaging, modes, pretrained, reshaping, saving, snippets
from core.code import render
from core.data import snippets as data_snippets
from core.data import transforms as T
from core.data.discovery import Kind
from core.model import Tudui, skeleton
from core.training import scripts, train

from conftest import make_folder_dataset, make_label_files

X, K = np.array(course.CONV_INPUT), np.array(course.CONV_KERNEL)
HALVES = X / 2
CROP = {"name": "RandomCrop", "size": 16, "padding": 2, "fill": 0, "padding_mode": "reflect"}
RESIZE = {"name": "Resize", "size": [12, 20], "interpolation": "nearest"}
PIPELINE = [RESIZE, CROP, {"name": "ToTensor"}, {"name": "Normalize", "mean": [0.5] * 3, "std": [0.25] * 3}]
FOLDER, LABELS = ("tiny", "train", []), ("labels", "train", ["ants", "bees"])
Builder = Callable[[str], list[str]]

# template -> the snippets that use it, over settings; each list runs in this test's folder
RUNNABLE: dict[str, Builder] = {
    "conv2d": lambda lang: [codegen.conv2d(X, K, ConvSettings(s, p, d), lang) for s, p, d in ((1, 0, 1), (2, 1, 1), (1, 2, 2))]
    + [codegen.conv2d(HALVES, K, ConvSettings(1, 1, 1), lang)],
    "conv2d_channels": lambda lang: [multichannel.code(np.stack([X, X + 1, HALVES]), np.ones((2, 3, 3, 3)),
                                                       np.array([1.0, -2.0]), ConvSettings(padding=1), 1, lang),
                                     multichannel.code(np.stack([X, X, X]), np.ones((3, 1, 2, 2)), np.zeros(3),
                                                       ConvSettings(stride=2), 3, lang)],
    "conv_transpose2d": lambda lang: [transposed.code(X[:3, :3], K, TransposeSettings(s, p, op), lang)
                                      for s, p, op in ((1, 0, 0), (2, 1, 1))],
    "pool2d": lambda lang: [codegen.pool2d(X, PoolSettings(3, s, p, 1, mode, ceil, include), lang)
                            for mode, s, p, ceil, include in (("max", 3, 0, True, True), ("avg", 2, 1, False, False),
                                                              ("avg", 1, 1, True, True))],
    "activations": lambda lang: [codegen.activations(X - 2, lang)],
    "flatten": lambda lang: [codegen.flatten(4, 3, 8, 8, lang)],
    "losses": lambda lang: [codegen.losses(course.LOSS_INPUT, course.LOSS_TARGET, course.CROSS_ENTROPY_LOGITS, 1,
                                           lang)],
    "model": lambda lang: [codegen.model(arch, lang) for arch in ("course", "bn_relu")],
    "classify": lambda lang: [codegen.classify(skeleton("relu").model, "tudui.pth", "photo.png", mean, std, lang)
                              for mean, std in ((None, None), ((0.5, 0.4, 0.3), (0.2, 0.2, 0.2)))],
    "dataset_item": lambda lang: [data_snippets.dataset_item(Kind.FOLDER, *FOLDER, 3, lang),
                                  data_snippets.dataset_item(Kind.LABEL_FILES, *LABELS, 6, lang)],
    "dataloader": lambda lang: [data_snippets.dataloader(Kind.FOLDER, *FOLDER, 16, 8, True, False, 0, 5, 2, 1, lang),
                                data_snippets.dataloader(Kind.LABEL_FILES, *LABELS, 24, 4, False, True, 0, 0, 1, 1,
                                                         lang)],
    "transforms_compose": lambda lang: [T.code(PIPELINE, 7, "photo.png", lang), T.code([CROP], 0, "photo.png", lang)],
    "to_tensor": lambda lang: [T.to_tensor_code("photo.png", lang)],
    "normalize": lambda lang: [T.normalize_code("photo.png", [0.5, 0.5, 0.5], [0.5, 0.25, 2.0], lang)],
    "resize": lambda lang: [T.resize_code(step, "photo.png", lang) for step in (RESIZE, {**RESIZE, "size": 10})],
    "random_crop": lambda lang: [T.crop_code(CROP, 3, 4, "photo.png", lang)],
    "module_call": lambda lang: [snippets.module_call(lang)],
    "device_line": lambda lang: [snippets.device_line(lang)],
    "modes": lambda lang: [modes.snippet(modes.DropoutSettings(0.5, 3), lang)],
    "imaging": lambda lang: [imaging.snippet("photo.png", lang)],
    "imaging_call": lambda lang: [imaging.call_snippet(lang)],
}


def _training(lang: str) -> list[str]:
    return [scripts.generate(train.Config(data="d", recipe=recipe, arch="relu", epochs=2, batch_size=16, lr=None,
                                          device="cpu", subset=subset).resolved(), "data/x", kind, lang)
            for recipe in ("course", "fast", "improved") for kind in (Kind.FOLDER, Kind.CIFAR10) for subset in (None, 60)]


# templates whose snippets other test files run (they need TensorBoard, CIFAR-10, a training run or fresh processes)
RENDERED: dict[str, Builder] = {
    "tensorboard": lambda lang: [snippets.tensorboard("assets/samples/cat.jpg", "assets/cifar10-sample/test", 64,
                                                      lang)],
    "tensorboard_read": lambda lang: [snippets.tensorboard_read("y=2x", lang)],
    "tensorboard_same_tag": lambda lang: [snippets.tensorboard_same_tag(lang)],
    "gradients": lambda lang: [snippets.gradients("assets/cifar10-sample/test", 16, lang)],
    "optimizer": lambda lang: [snippets.optimizer("assets/cifar10-sample/test", 16, 3, 0.01, lang)],
    "timing": lambda lang: [snippets.timing(lang)],
    "gpu_training": lambda lang: [snippets.gpu_training(form, snippets.GpuSettings(), lang) for form in snippets.GPU_FORMS],
    "resave": lambda lang: [codegen.resave("w.pth", name, lang) for name in ("__main__.Tudui", "mymodels.Tudui",
                                                                               "torch.nn.Linear")],
    "model_py": lambda lang: [saving.model_py(lang)],
    "model_save": lambda lang: [saving.save_script(scenario, lang) for scenario in saving.Scenario],
    "model_load": lambda lang: [saving.load_script(load, lang) for load in saving.LOADS],
    "train_course": _training,
    "train_tensor": _training,
    "reshaping": lambda lang: [reshaping.snippet("assets/cifar10-sample/test", 8, lang)],
    "imaging_cv2": lambda lang: [imaging.cv2_snippet("photo.png", lang)],
    "pretrained": lambda lang: [pretrained.snippet("assets/samples/cat.jpg", lang)],
    "sample_layout": lambda lang: [data_snippets.with_sample_layout(
        data_snippets.dataset_item(Kind.LABEL_FILES, "labels", "train", ["ants", "bees"], 0, lang),
        "assets/sample/train", "labels/train", ["ants", "bees"], lang)],
}
PARTIALS = {"tudui_class", "dataset", "dataset_imports", "network_head"}  # pieces the others include

DRIVER = """
import contextlib, io, json, sys
printed = []
for code in json.load(sys.stdin):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), {"__name__": "__main__"})
    printed.append(out.getvalue().rstrip("\\n"))
sys.stdout.write(json.dumps(printed))
"""


def test_every_template_is_rendered_by_a_test():
    assert set(render.names()) == set(RUNNABLE) | set(RENDERED) | PARTIALS


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("template", sorted(RUNNABLE | RENDERED))
def test_comments_are_in_the_learners_language(template, lang):
    for code in (RUNNABLE | RENDERED)[template](lang):
        compile(code, template, "exec")
        assert "from core" not in code and "import core" not in code
        assert slips(code, lang) == []


def without_comments(code: str) -> list[tuple[int, str]]:
    return [(tok.type, tok.string) for tok in tokenize.generate_tokens(io.StringIO(code).readline)
            if tok.type != tokenize.COMMENT]


@pytest.mark.parametrize("template", ["flatten", "model_py", "model_save", "model_load", "gradients"])
def test_the_languages_differ_only_in_comments(template):
    """So the save and load scripts, run once in 中文, print what their English twins would (the page runs them once)."""
    for zh, en in zip((RUNNABLE | RENDERED)[template]("zh"), (RUNNABLE | RENDERED)[template]("en"), strict=True):
        assert without_comments(zh) == without_comments(en)
    assert any(zh != en for zh, en in zip(RENDERED["model_save"]("zh"), RENDERED["model_save"]("en")))


def test_every_comment_in_the_locales_is_used_by_a_template():
    text = "".join((render.TEMPLATES / f"{name}{render.SUFFIX}").read_text() for name in render.names())
    used = {f"code.{key}" for key in re.findall(r'_\("([\w.]+)"', text)}
    assert used == {key for key in i18n.catalog("en") if key.startswith("code.")}


def test_a_missing_comment_key_is_an_error_not_the_key_shown():
    with pytest.raises(KeyError, match="code.flatten.nope"):
        render.comment("flatten.nope", "zh")


def test_every_snippet_prints_in_a_fresh_interpreter_what_the_page_prints(tmp_path, monkeypatch):
    make_folder_dataset(tmp_path / "tiny", per_class=(8, 4))
    make_label_files(tmp_path / "labels")
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)).save(tmp_path / "photo.png")
    torch.save(Tudui("relu").state_dict(), tmp_path / "tudui.pth")
    monkeypatch.chdir(tmp_path)
    codes = [code for build in RUNNABLE.values() for code in build("zh")] + [snippets.module_call("en")]
    page = [codegen.run(code) for code in codes]
    fresh = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(codes), capture_output=True, text=True,
                           timeout=240, cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert json.loads(fresh.stdout) == page
    assert page[-1].splitlines()[1] == "hook saw tensor(2.)" and "\n钩子看到 tensor(2.)\n" in "\n".join(page)
