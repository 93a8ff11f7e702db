"""AppTest: "use my settings" asks about what the learner has set on the page, wherever they set it: the Layers
page's matrices and CrossEntropy target whichever tab is open, and the Data page's DataLoader settings when the
learner is on the Dataset tab (set by a link, or in the DataLoader tab before leaving it)."""
import re

import pytest
import torch
from torch import nn

from core import i18n
from core.basics.ops import number

from pagetest import answer, open_page


def prompts(at) -> list[str]:
    return [m.value for m in at.markdown]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_activation_question_takes_a_value_of_the_learner_s_matrix_from_another_tab(lang):
    at = open_page("layers", lang, view="loss", practice="activation", seed="mine", input="2,-3;0.5,4")
    assert i18n.t("practice.mine_caption", lang) in [c.value for c in at.caption]
    asked = [p for p in prompts(at) if "nn.ReLU()" in p or "nn.Sigmoid()" in p]
    sigmoid = i18n.t("practice.activation", lang, layer="nn.Sigmoid()", value="-3")
    relu = i18n.t("practice.activation", lang, layer="nn.ReLU()", value="-3")
    assert asked in ([sigmoid], [relu]), asked   # the matrix's one negative value
    layer = nn.Sigmoid() if asked == [sigmoid] else nn.ReLU()
    expected = float(layer(torch.tensor(-3.0)))
    at = answer(at, "practice_layers_activation_mine", f"{expected:.2f}")
    assert [s.value for s in at.success] == [i18n.t("practice.right", lang, answer=number(expected))]


def test_the_loss_question_takes_the_learner_s_pair_while_the_activation_tab_is_open():
    at = open_page("layers", "en", practice="loss", seed="mine", input_target="1,2,3,4;0,2,5,1")
    prompt = next(p for p in prompts(at) if "Loss()" in p)
    inputs, targets = torch.tensor([1.0, 2, 3, 4]), torch.tensor([0.0, 2, 5, 1])
    if "L1Loss" in prompt:
        expected = float(nn.L1Loss()(inputs, targets))
    else:
        assert "MSELoss" in prompt
        expected = float(nn.MSELoss()(inputs, targets))
    assert "[1, 2, 3, 4]" in prompt and "[0, 2, 5, 1]" in prompt
    at = answer(at, "practice_layers_loss_mine", f"{expected:.4f}")
    assert at.success, [e.value for e in at.error]


def test_use_my_settings_is_offered_and_asks_about_the_page_s_own_values():
    at = open_page("layers", "en")
    at.selectbox(key="practice_layers_kind").set_value("activation").run()
    at.button(key="practice_layers_mine").click().run()
    assert at.query_params["seed"] in ("mine", ["mine"])
    asked = next(p for p in prompts(at) if "nn.ReLU()" in p or "nn.Sigmoid()" in p)
    assert re.search(r"value (-0\.5|-1)\?", asked), asked   # the course's [[1, -0.5], [-1, 3]]: one of its negatives


def loader_question(at) -> str:
    return next(p for p in prompts(at) if "len(DataLoader(" in p)


def test_the_data_page_reads_a_link_s_loader_settings_on_the_dataset_tab():
    at = open_page("data", "en", view="Dataset", practice="loader_len", practice_seed="mine", batch_size="16",
                   drop_last="true")
    assert "A `Dataset` tells PyTorch" in " ".join(prompts(at)), "the Dataset tab is the open one"
    prompt = loader_question(at)
    assert "batch_size=16, drop_last=True" in prompt, prompt
    n = int(re.search(r"(\d+) images", prompt).group(1))
    at = answer(at, "practice_data_loader_len_mine", str(n // 16))
    assert [s.value for s in at.success] == [i18n.t("practice.right", "en", answer=str(n // 16))]


def test_the_data_page_keeps_what_the_learner_set_in_the_loader_tab_after_leaving_it():
    at = open_page("data", "en", practice="loader_len", practice_seed="mine")
    at.select_slider(key="data_batch_size").set_value(8).run()
    at.toggle(key="drop_last").set_value(True).run()
    assert "batch_size=8, drop_last=True" in loader_question(at)
    at.session_state["view"] = "Dataset"   # the learner opens the Dataset tab
    at.run()
    assert "A `Dataset` tells PyTorch" in " ".join(prompts(at))
    assert "batch_size=8, drop_last=True" in loader_question(at)


def test_my_settings_questions_equal_what_torch_computes_for_many_pages_values():
    """Each question drawn about the page's values (any rng: each loss in turn) against torch's own modules."""
    import random

    import numpy as np

    from core.practice import layers

    rng = np.random.default_rng(5)
    asked = set()
    for seed in range(60):
        x = np.round(rng.uniform(-4, 4, (int(rng.integers(1, 7)), int(rng.integers(1, 9)))), 4)
        n, classes = int(rng.integers(1, 9)), int(rng.integers(2, 11))
        mine = {"input": x, "inputs": np.round(rng.uniform(-5, 5, n), 4), "targets": np.round(rng.uniform(-5, 5, n), 4),
                "logits": np.round(rng.uniform(-3, 3, classes), 4), "target": int(rng.integers(0, classes))}
        q = layers.activation(random.Random(seed), mine)
        value = float(q.params["value"])
        assert value in x.ravel().tolist() and (value < 0 or (x >= 0).all())
        layer = nn.ReLU() if q.params["layer"] == "nn.ReLU()" else nn.Sigmoid()
        assert q.expected == pytest.approx(float(layer(torch.tensor(value))), abs=1e-6)
        q = layers.loss(random.Random(seed), mine)
        a, b = torch.tensor(mine["inputs"], dtype=torch.float32), torch.tensor(mine["targets"], dtype=torch.float32)
        if q.prompt == "loss_l1":
            expected = nn.L1Loss()(a, b)
        elif q.prompt == "loss_mse":
            expected = nn.MSELoss()(a, b)
        else:
            expected = nn.CrossEntropyLoss()(torch.tensor(mine["logits"], dtype=torch.float32)[None],
                                             torch.tensor([mine["target"]]))
        assert q.expected == pytest.approx(float(expected), rel=1e-5, abs=1e-6)
        asked.add(q.prompt)
    assert asked == {"loss_l1", "loss_mse", "loss_cross_entropy"}
