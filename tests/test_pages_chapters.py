"""AppTest of the chapters pages (TensorBoard, nn.Module and backward, saving and loading, GPU) in both languages."""
import json
import sys
import time
from functools import partial

import pytest
import torch

from core import i18n
from core.chapters import backprop, tbcourse, tbevents
from core.data.sample import SAMPLE
from ui.nav import COURSE_ORDER, SECTIONS

import pagetest

needs_tensorboard = pytest.mark.skipif(not tbevents.available(), reason="tensorboard is not installed")


# a first visit's work (fresh interpreters, a log dir) takes longer than a page's usual minute
open_page = partial(pagetest.open_page, timeout=240)


def outputs(at) -> list[str]:
    return [c.value for c in at.code]


def test_every_chapter_of_the_course_points_at_a_page_and_tensorboard_at_its_own():
    mapped = {c: info.slug for _, infos in SECTIONS for info in infos for c in info.chapters}
    assert set(mapped) == set(k.removeprefix("chapters.") for k in i18n.catalog("en") if k.startswith("chapters."))
    assert mapped["tensorboard"] == "tensorboard" and mapped["save_load"] == "save_load" and mapped["gpu"] == "gpu"
    assert mapped["module"] == "module" and mapped["optimizer"] == "module"
    assert sorted(COURSE_ORDER) == sorted(mapped)


def test_home_lists_every_chapter_in_the_course_s_order_with_its_pages():
    at = open_page("home", "en")
    chapters = [m.value for m in at.markdown if m.value[:1].isdigit()]
    assert chapters == [f"{n}. {i18n.t(f'chapters.{c}', 'en')}" for n, c in enumerate(COURSE_ORDER, 1)]
    assert chapters[1] == "2. Using TensorBoard"
    assert sum(link.label == i18n.t("tensorboard.title", "en") for link in at.get("page_link")) == 2   # card + map


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text") for c in at.get("plotly_chart")]


@needs_tensorboard
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tensorboard_page_shows_what_the_event_files_hold(lang):
    at = open_page("tensorboard", lang)
    assert at.title[0].value == i18n.t("tensorboard.title", lang) and not at.error
    printed = outputs(at)
    assert "<class 'numpy.ndarray'>\n(300, 451, 3)\ntorch.Size([40, 3, 32, 32])" in printed
    assert "['y=2x', 'y=x'] ['test', 'Epoch: 0', 'Epoch: 1']\n100 99 198.0" in printed
    assert "200\n[(98, 196.0), (99, 198.0), (0, 0.0), (1, 3.0)]" in printed   # one tag, two runs: the curve doubles back
    assert chart_titles(at) == ["y=2x", "y=x", "y=2x"], "each chart titled with its tag, as TensorBoard does"
    at.slider(key="global_step").set_value(10).run()
    assert [m.value for m in at.metric] == ["20", "10"]
    printed = outputs(open_page("tensorboard", lang, tab="images"))
    assert any(o.startswith('writer.add_image("test", img_array, 1)\n# TypeError') for o in printed)
    assert "tensorboard --logdir=logs --port=6007" in outputs(open_page("tensorboard", lang, tab="files"))


@needs_tensorboard
def test_the_open_tensorboard_tab_is_in_the_url():
    at = open_page("tensorboard", "en", tab="graphs")
    assert at.query_params.get("tab") in ("graphs", ["graphs"])
    assert at.dataframe and "aten::" in str(at.dataframe[0].value), "a link opens the graph's tab"
    assert not [o for o in outputs(at) if o.startswith("['y=2x'")], "only the open tab is computed"
    at = open_page("tensorboard", "en")
    assert "tab" not in at.query_params, "the first tab is the default: not written"


@needs_tensorboard
def test_other_batch_sizes_are_written_once_in_the_background_and_read_at_once(tmp_path, monkeypatch):
    """Moving batch_size waited ~8 s on a spinner while the course's calls were written again."""
    import torch

    def few_batches(root, batch_size, epochs, seed=0):   # the course's calls on a batch or two: the same work, less
        return [[torch.rand(batch_size // 8, 3, 32, 32, generator=torch.Generator().manual_seed(seed))]] * epochs

    monkeypatch.setattr(tbcourse, "sample_batches", few_batches)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    at = open_page("tensorboard", "en")
    deadline = time.time() + 240
    while len(list(tmp_path.glob(".tensor-cache/tensorboard-course-*.zip"))) < 4 and time.time() < deadline:
        time.sleep(0.5)
    assert len(list(tmp_path.glob(".tensor-cache/tensorboard-course-*.zip"))) == 4, "every batch size, once"

    def no_writer(*args):
        raise AssertionError("the course's calls were written again")

    monkeypatch.setattr(tbcourse, "write_course_calls", no_writer)
    began = time.perf_counter()
    at.select_slider(key="tensorboard_batch_size").set_value(16).run()
    print(f"batch_size 16 shown {time.perf_counter() - began:.2f} s after the change")
    assert not at.exception
    assert any(o.endswith("torch.Size([2, 3, 32, 32])") for o in outputs(at)), "batch_size 16's logs, read back"


@needs_tensorboard
def test_tensorboard_batch_size_changes_the_batches():
    at = open_page("tensorboard", "en")
    at.select_slider(key="tensorboard_batch_size").set_value(128).run()
    assert not at.exception
    assert any(o.endswith("torch.Size([104, 3, 32, 32])") for o in outputs(at))   # 1,000 = 7 × 128 + 104


@needs_tensorboard
def test_a_tensorboard_link_opens_its_batch_size_epoch_and_step():
    at = open_page("tensorboard", "en", batch_size="128", tab="images", epoch="1", step="7")
    assert (at.select_slider(key="tensorboard_batch_size").value, at.segmented_control(key="tensorboard_epoch").value,
            at.slider(key="step").value) == (128, 1, 7)
    assert i18n.t("tensorboard.batches_note", "en", n=8, batch_size=128) in [c.value for c in at.caption]
    at = open_page("tensorboard", "en", global_step="10", batch_size="7")
    assert [m.value for m in at.metric] == ["20", "10"] and at.select_slider(key="tensorboard_batch_size").value == 64
    assert any("`batch_size=7`" in c.value for c in at.caption), "a value the page cannot use is named"


@needs_tensorboard
def test_tensorboard_page_reads_the_training_runs_event_files(tmp_path, monkeypatch):
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(tmp_path / "good" / "tensorboard"))
    for epoch in (1, 2, 3):
        writer.add_scalar("test_accuracy", epoch / 10, epoch)
    writer.close()
    (tmp_path / "bad" / "tensorboard").mkdir(parents=True)
    (tmp_path / "bad" / "tensorboard" / "events.out.tfevents.1.host").write_bytes(b"\x00not an event file" * 20)
    monkeypatch.setenv("RUNS_DIR", str(tmp_path))
    at = open_page("tensorboard", "en", tab="files")
    assert "tensorboard --logdir=" + tmp_path.name + " --port=6007" in outputs(at)
    assert at.selectbox(key="tensorboard_run").options == ["bad/tensorboard", "good/tensorboard"]
    assert not at.warning
    assert chart_titles(at)[-1] == "test_accuracy", "the run's chart titled with its tag"
    at.selectbox(key="tensorboard_run").set_value("bad/tensorboard").run()
    assert not at.exception and at.warning[0].value == i18n.t("tensorboard.damaged", "en")


@needs_tensorboard
@pytest.mark.parametrize("lang", ["zh"])   # the learners' language; run_label is the training page's, in both
def test_training_runs_logs_are_listed_as_the_training_page_names_them(lang, tmp_path, monkeypatch):
    """They were listed by folder ("e5f9d1a16ade/tensorboard") while the training page named the run."""
    from core.training import runs, train

    from conftest import make_folder_dataset

    data = make_folder_dataset(tmp_path / "data" / "pets", per_class=(12, 4))
    config = train.Config(data=str(data), recipe="fast", arch="course", epochs=1, batch_size=16)
    train.run(config, tmp_path / "runs" / config.key())
    monkeypatch.setenv("RUNS_DIR", str(tmp_path / "runs"))
    at = open_page("tensorboard", lang, tab="files")
    picker = at.selectbox(key="tensorboard_run")
    assert picker.value == f"{config.key()}/tensorboard", "the run stays in the URL by its folder"
    best = runs.load(tmp_path / "runs" / config.key()).metrics[-1].test_acc
    named = i18n.t("train.run_label", lang, recipe=i18n.t("train.recipe_fast", lang), arch=i18n.t("arch.course", lang),
                   done=1, epochs=1, lr=0.05, batch_size=16, subset="", best=f"{best:.1%}")
    assert picker.options == [named]
    assert chart_titles(at)[-2:] == ["test_loss", "test_accuracy"]   # train_loss is logged every 100 steps


def test_tensorboard_page_without_tensorboard_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    at = open_page("tensorboard", "en")
    assert at.warning[0].value == i18n.t("tensorboard.missing", "en")
    assert "pip install tensorboard" in outputs(at) and not at.error


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_module_page_prints_tensor_2_and_the_gradients(lang):
    at = open_page("module", lang)
    assert not at.error
    printed = outputs(at)
    hook_saw = i18n.t("code.module_call.hook_saw", lang)   # the printed label is in the learner's language
    assert f"tensor(2.)\n{hook_saw} tensor(2.)\ntensor(2.)\ntensor(2.)" in printed
    g = backprop.gradients(SAMPLE / "test", backprop.BackwardSettings())
    assert "\n".join([g.printed_loss, "None", "torch.Size([32, 3, 5, 5])", f"{g.once} {g.twice} 2.0"]) in printed
    assert at.metric[2].value == "2"


def test_module_page_runs_the_optimizer_loop_on_request():
    at = open_page("module", "en")
    at.select_slider(key="module_batch_size").set_value(64).run()
    at.slider(key="epochs").set_value(2).run()
    at.button(key="module_run").click().run()
    assert not at.exception
    epochs = backprop.optimizer_loop(SAMPLE / "test", backprop.BackwardSettings(batch_size=64),
                                      backprop.LoopSettings(epochs=2))
    assert "\n".join(e.printed for e in epochs) in outputs(at)
    said = i18n.t(f"module.optim_{backprop.trend(epochs)}", "en", first=f"{epochs[0].total:.4f}",
                  last=f"{epochs[-1].total:.4f}", steps=4)
    assert any(m.value.startswith(said) for m in at.markdown)


def test_the_optimizer_loop_says_where_running_loss_went():
    """Falling, rising (a large lr), diverged (nan) and a single epoch each get their own sentence: the page
    said "from nan down to nan" and "from 36.49 down to 36.52"."""
    def epochs(*totals: float) -> list[backprop.Epoch]:
        return [backprop.Epoch(f"tensor({v})", v) for v in totals]

    assert backprop.trend(epochs(36.9, 35.0, 35.2)) == backprop.Trend.FELL
    assert backprop.trend(epochs(36.4, 36.5)) == backprop.Trend.ROSE
    assert backprop.trend(epochs(36.4, float("nan"))) == backprop.Trend.DIVERGED
    assert backprop.trend(epochs(float("inf"))) == backprop.Trend.DIVERGED
    assert backprop.trend(epochs(36.9)) == backprop.Trend.ONE_EPOCH
    assert {f"module.optim_{t}" for t in backprop.Trend} <= set(i18n.catalog("en")) & set(i18n.catalog("zh"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_save_load_page_reproduces_the_attribute_error(lang):
    at = open_page("save_load", lang)
    assert not at.exception and not at.error
    printed = outputs(at)
    assert "AttributeError: Can't get attribute 'Tudui' on <module '__main__' from 'model_load.py'>" in printed
    assert any(o.startswith("_pickle.UnpicklingError: Weights only load failed") for o in printed)
    assert [w.value for w in at.warning] == [i18n.t(f"save_load.{k}_explain", lang) for k in ("no_class", "weights_only")]
    # on a phone an error message wraps, so it is read whole; print(model)'s indented table keeps its columns
    wrapped = {c.value.split()[0].rstrip(":"): c.proto.wrap_lines for c in at.code if c.language == "plaintext"}
    assert wrapped["AttributeError"] and wrapped["_pickle.UnpicklingError"] and not wrapped["Tudui("]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gpu_page_shows_both_forms_and_the_device_line(lang):
    at = open_page("gpu", lang)
    assert not at.exception and not at.error
    printed = outputs(at)
    diff = next(o for o in printed if o.startswith("--- train_gpu_1.py"))
    assert "-    tudui = tudui.cuda()" in diff and "+tudui = tudui.to(device)" in diff
    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert any(o.startswith(f"{torch.cuda.is_available()}\n{device}\n") for o in printed)
    assert "time.time():         1.0\ntime.process_time(): 0.0" in printed
    at.select_slider(key="gpu_batch_size").set_value(128).run()
    assert any("DataLoader(train_data, batch_size=128)" in o for o in outputs(at))
    linked = open_page("gpu", lang, batch_size="16", lr="0.1", epochs="3")
    script = next(c.value for c in linked.code if c.language == "python" and "tudui.to(device)" in c.value)
    assert "batch_size=16)" in script and "lr=0.1" in script and "for i in range(3):" in script
    assert linked.slider(key="epochs").value == 3 and linked.select_slider(key="gpu_lr").value == 0.1
    # the training script keeps its loops' shape (scrolls in its box on a phone); flat code wraps
    training = next(c for c in at.code if c.language == "python" and "for imgs, targets in train_dataloader" in c.value)
    assert not training.proto.wrap_lines
    assert all(c.proto.wrap_lines for c in open_page("conv", lang).code if c.language == "python")


def test_every_key_the_chapters_pages_build_exists_in_both_languages():
    from core.chapters import saving, snippets

    keys = {f"save_load.{load}_{part}" for load in saving.LOADS for part in ("title", "explain")}
    keys |= {f"gpu.{part}_{form}" for form in snippets.GPU_FORMS for part in ("form", "about")}
    for lang in ("zh", "en"):
        assert sorted(keys - set(i18n.catalog(lang))) == []


@pytest.mark.parametrize("lang", ["zh"])  # the learners' language; test_i18n checks en has every string
def test_code_the_page_does_not_run_says_why(lang):
    """Each unrun block named training as the reason ("this code really trains"), even a save script the page does
    run for its loads."""
    from pagetest import open_page as open_link

    at = open_link("save_load", lang, view="gpu")
    captions = [c.value for c in at.caption]
    assert i18n.t("save_load.gpu_saved", lang) in captions and i18n.t("common.not_run", lang) not in captions
    at = open_page("module", lang)
    assert i18n.t("common.not_run", lang) in [c.value for c in at.caption]  # the optimizer loop, before Run
