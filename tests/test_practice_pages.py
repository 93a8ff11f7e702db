"""AppTest: a practice link asks its question in both languages; a right answer is confirmed, a wrong one gets the
worked arithmetic from the page's trace, a non-answer the hint; progress shows on the home page."""
import re

import numpy as np
import pytest

from core import i18n
from core.basics import ops
from core.basics.ops import ConvSettings
from core.practice import topics

from pagetest import answer, open_page


def t_prompt(q, lang: str = "en") -> str:
    params = {**q.params, "arch": i18n.t(f"arch.{q.params['arch']}", lang)} if "arch" in q.params else q.params
    return i18n.t(f"practice.{q.prompt}", lang, **params)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_conv_value_link_asks_its_question_and_judges_answers(lang):
    q = topics.make("conv", "conv_value", 17)
    at = open_page("conv", lang, practice="conv_value", seed="17")
    prompt = i18n.t("practice.conv_value", lang, **q.params)
    assert prompt in [m.value for m in at.markdown]
    qid = "practice_conv_conv_value_17"

    outside = next((r, c) for r in range(len(q.grid)) for c in range(len(q.grid[0])) if (r, c) not in q.cells)
    at.button(key=f"{qid}_cell_{outside[0]}_{outside[1]}").click().run()   # a cell the window does not read
    at = answer(at, qid, str(ops.number(q.expected + 3)))
    assert [e.value for e in at.error] == [i18n.t("practice.wrong", lang, given=ops.number(q.expected + 3))]
    cells = ", ".join(f"({r}, {c})" for r, c in sorted(q.cells))
    assert i18n.t("practice.picked_wrong", lang, cells=cells, picked=f"({outside[0]}, {outside[1]})") in [
        c.value for c in at.caption]
    trace = ops.conv2d_trace(np.array(q.params["x"]), np.array(q.params["weight"]),
                             ConvSettings(q.params["stride"], q.params["padding"], q.params["dilation"]))
    window = trace.windows[trace.step_of((q.params["row"], q.params["col"]))]
    assert ops.window_formula(window) in [c.value for c in at.code]   # the products and their sum, as the page writes

    at = answer(at, qid, "3.5.1")
    assert [w.value for w in at.warning] == [i18n.t("practice.bad_number", lang, text="3.5.1")]
    at = answer(at, qid, "")
    assert [w.value for w in at.warning] == [i18n.t("practice.empty", lang)]

    at = answer(at, qid, ops.number(q.expected))
    assert [s.value for s in at.success] == [i18n.t("practice.right", lang, answer=ops.number(q.expected))]
    assert i18n.t("practice.tried", lang, right=1, tried=1) in [c.value for c in at.caption]

    at.switch_page("app_pages/home.py").run()
    line = i18n.t("practice.progress_line", lang, page=i18n.t("conv.title", lang), right=1, tried=1)
    assert line in [c.value for c in at.caption]


def test_a_shape_in_any_form_hint_and_show_me_on_the_model_page():
    q = topics.make("model", "layer_shape", 5)
    at = open_page("model", "en", practice="layer_shape", seed="5")
    qid = "practice_model_layer_shape_5"
    at.button(key=f"{qid}_hint").click().run()
    assert i18n.t("practice.hint_model_shape", "en") in [i.value for i in at.info]
    at = answer(at, qid, "x".join(map(str, q.expected)))
    assert [s.value for s in at.success] == [i18n.t("practice.right", "en", answer=q.answer_text())]
    at.button(key=f"{qid}_show").click().run()
    assert i18n.t("practice.revealed", "en", answer=q.answer_text()) in [i.value for i in at.info]
    assert q.worked[-1].text in at.code[-1].value
    at.button(key="practice_model_another").click().run()   # a new seed, in the link to share
    assert at.query_params["practice"] == "layer_shape" and at.query_params["seed"] != "5"
    seed = int(at.query_params["seed"])
    assert t_prompt(topics.make("model", "layer_shape", seed)) in [m.value for m in at.markdown]


def test_a_wrong_choice_is_explained_and_my_settings_ask_about_the_page():
    q = topics.make("gpu", "spot_bug", 3)
    at = open_page("gpu", "zh", practice="spot_bug", seed="3")
    qid = "practice_gpu_spot_bug_3"
    at.button(key=f"{qid}_check").click().run()
    assert [w.value for w in at.warning] == [i18n.t("practice.no_choice", "zh")]
    wrong = next(i for i in range(len(q.choices)) if i != q.expected)
    at.radio(key=f"{qid}_answer").set_value(wrong)
    at.button(key=f"{qid}_check").click().run()
    choice = q.choices[wrong]
    assert [e.value for e in at.error] == [i18n.t(f"practice.{choice.why}", "zh", **choice.params)]

    at = open_page("conv", "en", practice="output_size", seed="mine", stride="2", padding="1")
    assert i18n.t("practice.mine_caption", "en") in [c.value for c in at.caption]
    answer(at, "practice_conv_output_size_mine", "[1, 1, 3, 3]")  # the course's 5×5 input, 3×3 kernel
    assert at.success and not at.error


def test_a_link_to_a_question_the_page_lacks_says_so():
    at = open_page("pool", "en", practice="spot_bug", seed="2")
    assert i18n.t("practice.bad_link", "en", kind="spot_bug", seed="2") in " ".join(c.value for c in at.caption)
    assert i18n.t("practice.pool_size", "en", **topics.make("pool", "output_size", 1).params) in [
        m.value for m in at.markdown]


def test_the_data_page_asks_about_its_own_loader_under_practice_seed():
    at = open_page("data", "en", practice="loader_len", practice_seed="mine", batch_size="16", drop_last="true")
    prompt = next(m.value for m in at.markdown if "len(DataLoader(" in m.value and "batch_size=16" in m.value)
    n = int(re.search(r"(\d+) images", prompt).group(1))   # the page's own data set's size
    answer(at, "practice_data_loader_len_mine", str(n // 16))
    assert [s.value for s in at.success] == [i18n.t("practice.right", "en", answer=str(n // 16))]
    assert at.query_params["practice_seed"] == "mine" and "seed" not in at.query_params  # the DataLoader's own seed
