"""The chapters pages' numbers against PyTorch: the standalone snippets print what the pages say they print."""
import contextlib
import io
import os
import subprocess
import sys
import types

import numpy as np
import pytest
import torch

from core.basics import codegen
from core.chapters import backprop, snippets, tbcourse, tbevents
from core.data.sample import SAMPLE

ROOT = SAMPLE / "test"
needs_tensorboard = pytest.mark.skipif(not tbevents.available(), reason="tensorboard is not installed")


def run_in(folder, code: str) -> str:
    """Run a snippet with ``folder`` as the working directory (snippets that write logs/ or .pth files)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        return codegen.run(code)
    finally:
        os.chdir(here)


def test_module_call_prints_tensor_2():
    assert codegen.run(snippets.module_call("en")).splitlines() == [
        "tensor(2.)", "hook saw tensor(2.)", "tensor(2.)", "tensor(2.)"]
    assert codegen.run(snippets.module_call("zh")).splitlines()[1] == "钩子看到 tensor(2.)"


def test_backward_gradients_match_the_snippet():
    g = backprop.gradients(ROOT, backprop.BackwardSettings(16, 0.01))
    printed = codegen.run(snippets.gradients(str(ROOT), 16)).splitlines()
    assert printed == [g.printed_loss, "None", "torch.Size([32, 3, 5, 5])", f"{g.once} {g.twice} {g.ratio}"]
    assert g.ratio == 2.0 and g.printed_loss.endswith("grad_fn=<NllLossBackward0>)")
    assert dict(g.shapes)["model.0.weight"] == (32, 3, 5, 5) and dict(g.shapes)["model.8.bias"] == (10,)
    assert np.allclose(g.stepped, g.weight - 0.01 * g.grad, atol=1e-7) and 0 < g.change < 1e-3


def test_optimizer_loop_prints_the_course_running_loss_and_it_falls():
    epochs = backprop.optimizer_loop(ROOT, backprop.BackwardSettings(64, 0.1), backprop.LoopSettings(3))
    printed = codegen.run(snippets.optimizer(str(ROOT), 64, 3, 0.1)).splitlines()
    assert printed == [e.printed for e in epochs]
    assert all(p.startswith("tensor(") and p.endswith("grad_fn=<AddBackward0>)") for p in printed)
    assert epochs[-1].total < epochs[0].total
    assert epochs[0].total == pytest.approx(2.3 * backprop.steps_per_epoch(64), rel=0.05)


def test_the_page_leaves_the_global_random_state_alone():
    before = torch.random.get_rng_state()
    backprop.gradients(ROOT, backprop.BackwardSettings(16, 0.01))
    assert torch.equal(torch.random.get_rng_state(), before)


@pytest.fixture(scope="module")
def course_logs():
    from PIL import Image

    img = np.array(Image.open(SAMPLE.parent / "samples" / "cat.jpg"))
    return img, tbcourse.course_logs(img, tbcourse.sample_batches(ROOT, 64, epochs=2))


@needs_tensorboard
def test_event_files_hold_the_course_scalars(course_logs):
    _, result = course_logs
    assert result.logs.scalars["y=2x"] == tuple((i, float(2 * i)) for i in range(100))
    assert result.logs.scalars["y=x"] == tuple((i, float(i)) for i in range(100))


@needs_tensorboard
def test_images_graph_and_wrong_dataformats(course_logs):
    img, result = course_logs
    test = result.logs.images["test"][0]
    assert (test.step, test.width, test.height) == (1, img.shape[1], img.shape[0])
    assert [p.step for p in result.logs.images["Epoch: 0"]] == list(range(16))   # 1,000 images, batches of 64
    assert result.last_batch_shape == "torch.Size([40, 3, 32, 32])"
    assert result.wrong_dataformats.startswith("TypeError: Cannot handle this data type")
    assert [op.shape[1:] for op in result.logs.graph][-1] == (10,)
    assert [op.scope for op in result.logs.graph][:2] == ["Conv2d[0]", "MaxPool2d[1]"]


@needs_tensorboard
def test_the_zip_opens_in_tensorboard_s_reader(course_logs):
    _, result = course_logs
    again = tbevents.read_zip(result.zip)
    assert again.scalars == result.logs.scalars
    assert {tag: len(p) for tag, p in again.images.items()} == {tag: len(p) for tag, p in result.logs.images.items()}
    assert again.graph == result.logs.graph


@needs_tensorboard
def test_tensorboard_snippets_print_what_the_page_shows(tmp_path, course_logs):
    img, result = course_logs
    code = snippets.tensorboard(str(SAMPLE.parent / "samples" / "cat.jpg"), str(ROOT), 64)
    printed = run_in(tmp_path, code)
    assert printed.splitlines() == ["<class 'numpy.ndarray'>", str(img.shape), result.last_batch_shape]
    read = run_in(tmp_path, snippets.tensorboard_read("y=2x"))
    assert read.splitlines() == [f"{list(result.logs.scalars)} {list(result.logs.images)}", "100 99 198.0"]
    mixed = tbcourse.same_tag_twice()
    again = run_in(tmp_path, snippets.tensorboard_same_tag())   # the course's trap: run again with 3 * i
    assert again.splitlines() == [str(len(mixed)), str(list(mixed[98:102]))]
    assert list(mixed[98:102]) == [(98, 196.0), (99, 198.0), (0, 0.0), (1, 3.0)]   # back to step 0: the doubled curve


def test_without_tensorboard_available_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    assert not tbevents.available()


def test_tensorboard_install_is_light():
    """What the page costs a server when tensorboard is installed: its import adds little memory."""
    code = ("import os, torch\n"
            "rss = lambda: int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
            "a = rss()\nfrom torch.utils.tensorboard import SummaryWriter\n"
            "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator\n"
            "print((rss() - a) // 2**20)")
    if not tbevents.available():
        pytest.skip("tensorboard is not installed")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert int(out) < 100



@pytest.fixture(scope="module")
def loads():
    from core.chapters import saving

    results = [saving.run(scenario) for scenario in saving.Scenario]
    return {"saved": results[0].saved} | {name: o for r in results for name, o in r.loads.items()}


def test_saving_both_ways_and_their_sizes(loads):
    from core.chapters import saving
    from core.model import Tudui, count_parameters

    whole, params = saving.sizes(loads["saved"])
    assert params > count_parameters(Tudui()) * 4 and whole > params   # the whole model adds its pickled structure


def test_whole_model_without_the_class_is_the_course_s_attribute_error(loads):
    loaded = loads["no_class"]
    assert loaded.failed
    assert loaded.error == "AttributeError: Can't get attribute 'Tudui' on <module '__main__' from 'model_load.py'>"


def test_weights_only_default_refuses_the_whole_model(loads):
    loaded = loads["weights_only"]
    assert loaded.failed and loaded.error.startswith("_pickle.UnpicklingError: Weights only load failed")
    assert "GLOBAL __main__.Tudui" in loaded.error and "\x1b" not in loaded.error and "/tmp" not in loaded.error


def test_class_and_weights_only_false_load_it_and_state_dict_loads_safely(loads):
    from core.model import Tudui

    assert loads["with_class"].printed == str(Tudui())
    assert loads["state_dict"].printed == "<All keys matched successfully>"


def test_gpu_saved_file_needs_map_location_on_a_cpu(loads):
    plain, mapped = loads["gpu_plain"], loads["gpu_map_location"]
    assert mapped.printed == "cpu"
    if not torch.cuda.is_available():
        assert plain.error.startswith("RuntimeError: Attempting to deserialize object on a CUDA device")
        assert "map_location=torch.device('cpu')" in plain.error


def test_measured_speeds_are_the_benchmark_figures():
    import re
    from pathlib import Path

    from core.training import speed

    readme = (Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md").read_text()
    assert speed.BENCHMARK in readme
    for m in speed.MEASURED:
        row = rf"\| {re.escape(m.device)} \| {re.escape(m.recipe)} \| {m.seconds_per_epoch:g} \| {m.images_per_s:,} \|"
        assert re.search(row, readme), row


def test_device_line_and_timing_print_what_the_page_says():
    from core.training import speed

    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert codegen.run(snippets.device_line()).splitlines() == [
        str(torch.cuda.is_available()), device, f"{device}:0" if device == "cuda" else "cpu"]
    wall, cpu = (float(line.split()[-1]) for line in speed.run_alone(snippets.timing()).splitlines())
    assert wall == 1.0 and cpu < 0.5


@needs_tensorboard
@pytest.mark.parametrize("form", snippets.GPU_FORMS)
def test_both_gpu_scripts_train_and_print_the_course_s_lines(form, tiny_cifar, tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    os.symlink(tiny_cifar, tmp_path / "run" / "dataset")
    # torch.save(tudui, …) pickles the class by its module's name, as a script's __main__ would be: give it a module
    script = types.ModuleType("train_gpu")
    monkeypatch.setitem(sys.modules, "train_gpu", script)
    out = io.StringIO()
    here = os.getcwd()
    code = snippets.gpu_training(form, snippets.GpuSettings(batch_size=16, lr=0.01, epochs=1), "en")
    os.chdir(tmp_path / "run")
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "train_gpu.py", "exec"), script.__dict__)
    finally:
        os.chdir(here)
    printed = out.getvalue().splitlines()
    assert printed[0] == "epoch 1" and printed[1].startswith("test loss (sum of batch means): ")
    accuracy = float(printed[2].split()[-1])
    assert 0 <= accuracy <= 1 and (tmp_path / "run" / "tudui_0.pth").is_file()


def test_model_py_checks_the_shape_only_when_run_as_a_script():
    from core.chapters import saving

    assert codegen.run(saving.model_py()) == ""                 # imported: nothing runs
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(saving.model_py(), "model.py", "exec"), {"__name__": "__main__"})
    assert out.getvalue().strip() == "torch.Size([64, 10])"


@needs_tensorboard
def test_stored_logs_are_read_back_whole_and_a_damaged_file_is_written_again(tmp_path, course_logs):
    img, result = course_logs
    asked = []

    def batches(batch_size):
        asked.append(batch_size)
        return [[torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(0))]] * 2

    (tmp_path / tbcourse.store_name(img, 64)).write_bytes(tbcourse.dump(result))
    assert tbcourse.stored(tmp_path, img, 64, batches) == result and asked == [], "read, not written again"
    (tmp_path / tbcourse.store_name(img, 64)).write_bytes(b"PK\x03\x04 cut short")
    again = tbcourse.stored(tmp_path, img, 64, batches)
    assert asked == [64] and again.last_batch_shape == "torch.Size([4, 3, 32, 32])"
    assert tbcourse.load((tmp_path / tbcourse.store_name(img, 64)).read_bytes()) == again, "and kept in its place"
    assert tbcourse.store_name(img, 64) != tbcourse.store_name(img[::-1], 64) != tbcourse.store_name(img, 128)
