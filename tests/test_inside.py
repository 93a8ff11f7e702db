"""What training does inside: the per-layer statistics equal what PyTorch's own hooks record, leave the model as it
was, and each epoch of a run records them."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from core import i18n
from core.inference import checkpoints
from core.model import build
from core.training import inside, runs, train

from neuron_check import check_model


def hooked(model, x, y):
    """Each layer's output and the loss's gradient with respect to it, as forward and full backward hooks see them."""
    outs, grads, handles = {}, {}, []
    for i, layer in enumerate(model.model):
        handles.append(layer.register_forward_hook(lambda m, a, out, i=i: outs.__setitem__(i, out.detach())))
        handles.append(layer.register_full_backward_hook(lambda m, gi, go, i=i: grads.__setitem__(i, go[0])))
    x = x.clone().requires_grad_(True)  # so the first layer's backward hook fires too
    F.cross_entropy(model.eval()(x), y).backward()
    for h in handles:
        h.remove()
    return outs, grads


@pytest.mark.parametrize("arch", ["course", "bn_relu"])
def test_the_statistics_equal_what_hooks_record(arch):
    g = torch.Generator().manual_seed(3)
    model = build(arch, g)
    x, y = torch.randn(16, 3, 32, 32, generator=g), torch.randint(0, 10, (16,), generator=g)
    before = inside.weights_of(model)
    with torch.no_grad():
        model.model[0].weight.add_(0.01)  # one epoch's move, known
    running = [b.clone() for b in model.buffers()]
    stats = inside.layer_stats(model, x, y, before)
    assert all(p.grad is None for p in model.parameters())  # training's gradients are not touched
    assert all(torch.equal(a, b) for a, b in zip(running, model.buffers()))  # nor BatchNorm's running statistics
    outs, grads = hooked(copy.deepcopy(model), x, y)
    assert [s.index for s in stats] == list(range(len(model.model)))
    for s in stats:
        out, grad = outs[s.index], grads[s.index]
        assert s.layer == type(model.model[s.index]).__name__
        assert (s.out_min, s.out_max) == (pytest.approx(float(out.min())), pytest.approx(float(out.max())))
        assert s.out_mean == pytest.approx(float(out.mean()), abs=1e-6)
        assert s.out_std == pytest.approx(float(out.std()), rel=1e-5)
        assert s.grad_std == pytest.approx(float(grad.std()), rel=1e-4)
        assert s.grad_max == pytest.approx(float(grad.abs().max()), rel=1e-4)
        weight = getattr(model.model[s.index], "weight", None)
        if weight is None:
            assert s.weight_norm is None and s.moved is None
        else:
            assert s.weight_norm == pytest.approx(float(weight.detach().norm()), rel=1e-6)
            expected = 0.01 * weight.numel() ** 0.5 / float(before[s.index].norm()) if s.index == 0 else 0.0
            assert s.moved == pytest.approx(expected, rel=1e-4, abs=1e-9)


def test_each_epoch_of_a_run_records_every_layer(tmp_path, folder_dataset):
    cfg = train.Config(data=str(folder_dataset), arch="relu", epochs=1, batch_size=16, device="cpu")
    rows = train.run(cfg, tmp_path / "run")
    run = runs.load(tmp_path / "run")
    saved = run.metrics
    # one run trained, so test_neuron's check of a clicked cell runs on it too: a run's model adds up as shipped ones do
    model = checkpoints.build(checkpoints.read_state_dict(run.checkpoint(1).read_bytes()), "relu")
    check_model(model, run.config, np.random.default_rng(7))
    for row, kept in zip(rows, saved):
        stats = [inside.LayerStats.from_row(r) for r in kept.layers]
        assert kept.layers == row.layers and len(stats) == 13 and None not in stats  # Tudui("relu") has 13
        moved = {s.layer: s.moved for s in stats if s.moved is not None}
        assert set(moved) == {"Conv2d", "Linear"} and all(m > 0 for m in moved.values())
        assert all(s.weight_norm is None for s in stats if s.layer in ("MaxPool2d", "ReLU", "Flatten"))
    assert inside.LayerStats.from_row({"index": 0}) is None  # a damaged file's entry is dropped, not a crash
    # the Training page's table: a row per layer, with what the epoch recorded
    at = AppTest.from_function(layers_page, args=(saved,), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert len(table) == 13 and table.iloc[0, 0] == "[0] Conv2d"
    assert table.iloc[0, -1] == f"{saved[-1].layers[0]['moved']:.2%}" and table.iloc[1, -1] == "–"  # ReLU: no weight
    assert at.markdown[0].value == f"**{i18n.t('inside.title', 'zh', epoch=1)}**"


def layers_page(metrics):
    from ui.training_inside import layers_view

    layers_view(metrics)
