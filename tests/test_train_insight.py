"""The Training page's insight on two small real runs (the course's loop and the fast recipe, one epoch on a tiny
folder set): a confusion cell opens exactly the test images of that true and predicted class, the most confident
first, checked against the course's own way of reading the test set (ImageFolder + ToTensor) and predicting it; the
clicked cell lives in the URL."""
import json

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from core import i18n, viz
from core.inference import checkpoints
from core.training import train
from core.training.rundir import RunDir, RunState

from conftest import make_folder_dataset
from pagetest import open_page

SETTINGS = {"epochs": 1, "batch_size": 32}


def link(config: train.Config) -> dict[str, str]:
    return {"dataset": "pets", "recipe": config.recipe, "epochs": str(config.epochs),
            "batch_size": str(config.batch_size)}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The course's loop and the fast recipe, each one epoch on the same tiny set, finished as the page finishes them."""
    root = tmp_path_factory.mktemp("insight")
    data = make_folder_dataset(root / "data" / "pets").resolve()
    made = {}
    for recipe in ("course", "fast"):
        config = train.Config(data=str(data), recipe=recipe, **SETTINGS)
        train.run(config, root / "runs" / config.key())
        RunDir(root / "runs" / config.key()).set_state(RunState.DONE)
        made[recipe] = config
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATA_DIR", str(root / "data"))
        patch.setenv("RUNS_DIR", str(root / "runs"))
        yield data, root / "runs", made


def expected_cells(data, runs, config) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """(test images as uint8, each one's class, the softmax the run's saved model gives it), the course's way."""
    model = checkpoints.build(checkpoints.read_state_dict(RunDir(runs / config.key()).checkpoint(1).read_bytes()),
                              "course").eval()
    folder = datasets.ImageFolder(str(data / "test"), transforms.ToTensor())
    images, truth, probs = [], [], []
    with torch.no_grad():
        for x, y in DataLoader(folder, batch_size=100):
            images.append((x * 255).round().to(torch.uint8))
            truth.append(y)
            probs.append(model(x).softmax(1))
    return torch.cat(images), torch.cat(truth).numpy(), torch.cat(probs).numpy()


def test_the_cells_kept_are_each_cell_s_most_confident_images_for_many_test_passes():
    from core.training import insight

    g = torch.Generator().manual_seed(1)
    for n in (1, 7, 300, 3000):
        labels, predicted = torch.randint(0, 10, (n,), generator=g), torch.randint(0, 12, (n,), generator=g)
        confidence = torch.randint(0, 20, (n,), generator=g).float() / 20   # many ties
        true_prob = torch.rand(n, generator=g)
        kept = insight.cells(labels, predicted, confidence, true_prob)
        truth, guessed, sure, right = labels.tolist(), predicted.tolist(), confidence.tolist(), true_prob.tolist()
        for true in range(10):
            for guess in range(12):
                inside = sorted((i for i in range(n) if truth[i] == true and guessed[i] == guess),
                                key=lambda i: (-sure[i], i))
                expected = [(i, round(sure[i], 4), round(right[i], 4)) for i in inside[:24]]
                assert insight.behind(kept, true, guess) == expected
        assert sum(map(len, kept.values())) == sum(min(24, int(c)) for c in
                                                   torch.bincount(labels * 12 + predicted, minlength=120))
    json.dumps(kept)   # JSON as it is
    for damaged in ("x", {"0,0": [[1, 0.5]]}, {"0,0": [["a", 0.5, 0.5]]}, {}):
        assert insight.behind(damaged, 0, 0) == []   # an older or damaged insight opens no images, and no traceback


def figures(at) -> dict[str, dict]:
    return {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def chart(at, key: str) -> dict | None:
    return next((spec for k, spec in figures(at).items() if k.endswith(key)), None)


@pytest.mark.parametrize("lang", ["zh"])   # the learners' language; the browser test opens a cell in English
def test_a_confusion_cell_opens_exactly_its_images_and_lives_in_the_url(two_runs, lang):
    data, runs, made = two_runs
    config = made["course"]
    images, truth, probs = expected_cells(data, runs, config)
    guessed = probs.argmax(1)
    names = [i18n.t(f"classes.{c}", lang) for c in ("cat", "dog", "ship")]
    filled = sorted({(int(a), int(b)) for a, b in zip(truth, guessed)})
    assert len(filled) > 1
    first, *others = filled[::-1]
    at = open_page("train", lang, **link(config), confusion=f"{first[0]},{first[1]}")   # the link's cell
    for true, predicted in [first, *others]:
        if (true, predicted) != first:   # the learner's click, as the chart's callback keeps it
            at.session_state["train_confusion_cell"] = (true, predicted)
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.query_params["confusion"] in (f"{true},{predicted}", [f"{true},{predicted}"])
        inside = np.flatnonzero((truth == true) & (guessed == predicted))
        inside = inside[np.argsort(-probs[inside, predicted], kind="stable")]
        label = [*names, *(f"#{i}" for i in range(3, 10))]
        said = i18n.t("confusion.cell", lang, true=label[true], predicted=label[predicted], n=len(inside),
                      shown=min(len(inside), 24))
        assert said in [m.value for m in at.markdown]
        if true == predicted:
            captions = [f"{probs[i, predicted]:.0%}" for i in inside]
        else:
            captions = [f"{probs[i, predicted]:.0%} / {probs[i, true]:.0%}" for i in inside]
        shown = chart(at, "train_confusion_images")
        assert [a["text"] for a in shown["layout"]["annotations"]] == captions
        pictures = np.ascontiguousarray(images[inside.tolist()].permute(0, 2, 3, 1).numpy())
        drawn = viz.image_batch(pictures, captions, columns=8, tile=96, width_px=viz.base.DESKTOP_PX)
        assert shown["data"][0]["source"] == drawn.data[0].source, "the very images of the cell, in this order"
    matrix = chart(at, "train_confusion")
    outline = matrix["layout"]["shapes"][0]
    assert (outline["y0"] + 0.5, outline["x0"] + 0.5) == others[-1], "the matrix outlines the open cell"


def test_a_link_to_a_cell_that_is_no_cell_says_so_and_opens_the_most_frequent_mistake(two_runs):
    data, runs, made = two_runs
    at = open_page("train", "en", **link(made["course"]), confusion="cat,dog")
    note = i18n.t("url.unreadable", "en", name="confusion", reason=i18n.t("url.confusion_link.bad", "en", value="cat,dog"))
    assert any(c.value.endswith(note) for c in at.caption), [c.value for c in at.caption]
    assert "confusion" not in at.query_params
    _, truth, probs = expected_cells(data, runs, made["course"])
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (truth, probs.argmax(1)), 1)
    np.fill_diagonal(matrix, 0)
    outline = chart(at, "train_confusion")["layout"]["shapes"][0]
    assert (outline["y0"] + 0.5, outline["x0"] + 0.5) == np.unravel_index(matrix.argmax(), matrix.shape)


def weighted(runs, config) -> list[dict]:
    """The run's Conv2d and Linear layers after its last epoch, as metrics.jsonl holds them, with the epochs' mean move."""
    rows = [json.loads(line) for line in (runs / config.key() / "metrics.jsonl").read_text().splitlines()]
    last = [dict(r) for r in rows[-1]["layers"] if r["layer"] in ("Conv2d", "Linear")]
    for r in last:
        r["moved"] = float(np.mean([row["layers"][r["index"]]["moved"] for row in rows]))
        r["acc"] = rows[-1]["test_acc"]
    return last


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_runs_compared_inside_layer_by_layer_with_a_line_that_reads_them(two_runs, lang):
    data, runs, made = two_runs
    at = open_page("train", lang, **link(made["fast"]))
    picker = next(m for m in at.multiselect if m.label == i18n.t("train.compare", lang))
    picker.set_value([made["fast"].key(), made["course"].key()]).run()
    assert not at.exception, [e.value for e in at.exception]
    a, b = weighted(runs, made["fast"]), weighted(runs, made["course"])
    assert [r["layer"] for r in a] == ["Conv2d"] * 3 + ["Linear"] * 2
    grad = i18n.t("inside_compare.col_grad", lang, run="A")
    (table,) = [d.value for d in at.dataframe if grad in d.value.columns]
    assert list(table[i18n.t("inside.col_layer", lang)]) == ["Conv2d #1", "Conv2d #2", "Conv2d #3", "Linear #1",
                                                             "Linear #2"]
    for run, side in (("A", a), ("B", b)):
        assert list(table[i18n.t("inside_compare.col_grad", lang, run=run)]) == [f"{r['grad_std']:.2e}" for r in side]
        assert list(table[i18n.t("inside_compare.col_moved", lang, run=run)]) == [f"{r['moved']:.2%}" for r in side]
        assert list(table[i18n.t("inside_compare.col_out", lang, run=run)]) == [f"{r['out_std']:.3g}" for r in side]
    first_a, first_b = a[0], b[0]
    further, less = ("A", "B") if first_a["moved"] >= first_b["moved"] else ("B", "A")
    line = i18n.t("inside_compare.line", lang, layer="Conv2d #1", grad_a=f"{first_a['grad_std']:.2e}",
                  grad_b=f"{first_b['grad_std']:.2e}", grad_times=f"{first_b['grad_std'] / first_a['grad_std']:.3g}",
                  moved_a=f"{first_a['moved']:.2%}", moved_b=f"{first_b['moved']:.2%}", further=further, less=less,
                  times=f"{max(first_a['moved'], first_b['moved']) / min(first_a['moved'], first_b['moved']):.3g}",
                  acc_a=f"{first_a['acc']:.1%}", acc_b=f"{first_b['acc']:.1%}")
    assert line in [m.value for m in at.markdown]
