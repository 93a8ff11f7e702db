"""The 练一练 / Practice section that ends every teaching page, and the learner's progress on the home page.

The question is a pure function of (page, kind, seed) in core.practice, so the URL holds it:
``/conv?practice=output_size&seed=17`` asks everyone the same question (``seed=mine``: about the settings the
link sets on the page). The data and transforms pages already use ``seed`` for the DataLoader's and
torch.manual_seed's, so theirs is ``practice_seed``. Progress (right / tried per page) lives in the session
only; nothing is stored on the server.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

import streamlit as st

from core.basics.ops import SettingsError, number
from core.practice.answers import AnswerError
from core.practice.question import Form, Line, Question
from ui.language import explain, labels, t
from ui.loading import wait_for_torch

DEFAULT_SEED = 1
CELL_PX = 40   # a grid cell's button: nine in a row fit a phone's 420 px
MINE = "mine"
PROGRESS = "practice_progress"   # {page: {"tried": {question ids}, "right": {question ids}}}
SEED_NAME = {"data": "practice_seed", "transforms": "practice_seed"}  # pages whose own "seed" is another setting


def _topics():
    """core.practice.topics, imported when the section is drawn: it imports torch, which the page's title and
    controls do not wait for (core.preload imports it in the background)."""
    from core.practice import topics

    return topics


@st.cache_data(max_entries=2000, show_spinner=False)
def _drawn(topic: str, kind: str, seed: int) -> Question:
    """A seed's question, made once for everyone who opens its link (a class opening one link asks it once)."""
    return _topics().make(topic, kind, seed)


def _seed_name(topic: str) -> str:
    return SEED_NAME.get(topic, "seed")


def _read_link(topic: str, has_mine: bool) -> None:
    """The first time the section is drawn in a session: the question the URL names, or a note and the default."""
    topics = _topics()
    kinds = list(topics.KINDS[topic])
    kind_key, seed_key = f"practice_{topic}_kind", f"practice_{topic}_seed"
    if kind_key in st.session_state:
        return
    kind, raw = st.query_params.get("practice"), st.query_params.get(_seed_name(topic))
    seed: int | None = DEFAULT_SEED
    usable = kind is None or kind in kinds
    if raw == MINE and has_mine and kind in topics.MINE.get(topic, ()):
        seed = None
    elif raw is not None and raw.isdigit() and int(raw) < topics.MAX_SEED:
        seed = int(raw)
    elif raw is not None:
        usable = False
    if not usable:
        st.caption(f":orange[:material/link_off:] {t('practice.bad_link', kind=str(kind)[:30], seed=str(raw)[:12])}")
        kind, seed = kinds[0], DEFAULT_SEED
    st.session_state[kind_key] = kind or kinds[0]
    st.session_state[seed_key] = seed


def _write_link(topic: str, kind: str, seed: int | None) -> None:
    """The question into the URL, once the learner or a link has moved away from the page's first question."""
    name = _seed_name(topic)
    if (kind, seed) != (next(iter(_topics().KINDS[topic])), DEFAULT_SEED) or "practice" in st.query_params:
        st.query_params["practice"] = kind
        st.query_params[name] = MINE if seed is None else str(seed)


def _another(topic: str) -> None:
    st.session_state[f"practice_{topic}_seed"] = random.SystemRandom().randrange(2, 100_000)


def _mine(topic: str) -> None:
    st.session_state[f"practice_{topic}_seed"] = None


def _params(q: Question) -> dict[str, object]:
    """The prompt's values, with the architecture's name translated."""
    params = dict(q.params)
    if "arch" in params:
        params["arch"] = t(f"arch.{params['arch']}")
    return params


def _worked(lines: tuple[Line, ...]) -> None:
    """The worked answer: arithmetic in a code block (as the page's trace writes it), sentences as text."""
    block: list[str] = []
    for line in (*lines, None):
        if line is not None and line.text:
            block.append(line.text)
            continue
        if block:
            st.code("\n".join(block), language=None, wrap_lines=True)
            block = []
        if line is not None:
            st.markdown(t(line.key if "." in line.key else f"practice.{line.key}", **line.params))


def _cells_text(cells: list[tuple[int, int]]) -> str:
    return ", ".join(f"({r}, {c})" for r, c in sorted(cells)) or "—"


def _picked(q: Question, qid: str) -> list[tuple[int, int]]:
    """The grid cells the learner has clicked, in reading order (those still in the grid: with "my settings",
    the page's matrix may have shrunk since)."""
    return sorted((r, c) for r, c in st.session_state.get(f"{qid}_picked", ()) if r < len(q.grid) and c < len(q.grid[r]))


def _toggle(qid: str, cell: tuple[int, int]) -> None:
    picked = set(st.session_state.get(f"{qid}_picked", ()))
    st.session_state[f"{qid}_picked"] = picked ^ {cell}


def _grid(q: Question, qid: str) -> None:
    """The padded input as rows of buttons, one per cell: a click marks a cell (and a second click unmarks it);
    padding cells are drawn without a border, as the page's figure sets them apart.

    Buttons, not pills: pills tell options apart by their labels, and a grid repeats its numbers."""
    st.caption(t("practice.grid_intro"))
    picked = _picked(q, qid)
    labels = [[number(v) for v in row] for row in q.grid]
    width = CELL_PX if max(len(label) for row in labels for label in row) <= 3 else "content"
    pad, h, w = q.params.get("padding", 0), q.params.get("h", 0), q.params.get("w", 0)
    grid = st.container(gap=None)   # rows touching, like the page's grids
    for r, row in enumerate(labels):
        with grid.container(horizontal=True, gap=None, key=f"{qid}_row_{r}"):
            for c, label in enumerate(row):
                inside = pad <= r < pad + h and pad <= c < pad + w
                look = "primary" if (r, c) in picked else "secondary" if inside else "tertiary"
                st.button(label, key=f"{qid}_cell_{r}_{c}", type=look, width=width, on_click=_toggle, args=(qid, (r, c)))
    if picked:
        st.caption(t("practice.picked", count=len(picked), values=", ".join(number(q.grid[r][c]) for r, c in picked)))


def _record(topic: str, qid: str, right: bool) -> None:
    progress = st.session_state.setdefault(PROGRESS, {}).setdefault(topic, {"tried": set(), "right": set()})
    progress["tried"].add(qid)
    if right:
        progress["right"].add(qid)


def _check(q: Question, qid: str) -> None:
    """Read and judge the answer (a callback: the widgets' values are this click's); keep the verdict in the
    session, so later reruns still show it."""
    given, picked = st.session_state.get(f"{qid}_answer"), _picked(q, qid)
    try:
        if q.form is Form.CHOICE and given is None:
            raise AnswerError("no_choice")
        value = given if q.form is Form.CHOICE else q.read(str(given or ""))
    except AnswerError as err:
        st.session_state[f"{qid}_verdict"] = {"error": explain(err), "about": q}
        return
    right = q.accepts(value)
    shown = t(f"practice.{q.choices[value].key}") if q.form is Form.CHOICE else str(given)
    st.session_state[f"{qid}_verdict"] = {"right": right, "given": shown, "choice": value, "picked": picked,
                                          "about": q}
    _record(q.topic, qid, right)


def _feedback(q: Question, qid: str) -> None:
    verdict = st.session_state.get(f"{qid}_verdict")
    if verdict is None or verdict["about"] != q:   # "my settings" changed since: another question
        return
    if "error" in verdict:
        st.warning(verdict["error"], icon=":material/edit_note:")
        return
    if verdict["right"]:
        st.success(t("practice.right", answer=q.answer_text()), icon=":material/check_circle:")
    elif q.form is Form.CHOICE:
        choice = q.choices[verdict["choice"]]
        st.error(t(f"practice.{choice.why}", **choice.params), icon=":material/cancel:")
        return
    else:
        st.error(t("practice.wrong", given=verdict["given"]), icon=":material/cancel:")
    if q.cells and verdict["picked"]:
        picked = set(verdict["picked"])
        st.caption(t("practice.picked_right") if picked == q.cells else
                   t("practice.picked_wrong", cells=_cells_text(list(q.cells)), picked=_cells_text(list(picked))))
    _worked(q.worked)


def _reveal(q: Question) -> None:
    st.info(t("practice.revealed", answer=t(f"practice.{q.choices[q.expected].key}") if q.form is Form.CHOICE
              else q.answer_text()), icon=":material/visibility:")
    if q.form is Form.CHOICE:
        for letter, choice in zip("ABCDE", q.choices):
            st.markdown(f"**{letter}.** {t(f'practice.{choice.why}', **choice.params)}")
    else:
        if q.cells:
            st.caption(_cells_text(list(q.cells)))
        _worked(q.worked)


def practice_section(topic: str, mine: Mapping | None = None) -> None:
    """The page's Practice section: one question (from the link, a new seed, or the learner's own settings
    ``mine``, named with PyTorch's argument names), an answer box, a hint, "show me", and the verdict."""
    st.divider()
    st.subheader(t("practice.title"))
    st.caption(t("practice.intro"))
    wait_for_torch()
    topics = _topics()
    kinds = list(topics.KINDS[topic])
    has_mine = mine is not None
    _read_link(topic, has_mine)
    kind_key, seed_key = f"practice_{topic}_kind", f"practice_{topic}_seed"
    if len(kinds) > 1:
        kind = st.selectbox(t("practice.kind"), kinds, format_func=labels("practice.kind_"), key=kind_key)
    else:
        kind = kinds[0]
    can_mine = has_mine and kind in topics.MINE.get(topic, ())
    seed = st.session_state[seed_key] if can_mine or st.session_state[seed_key] is not None else DEFAULT_SEED
    _write_link(topic, kind, seed)
    try:
        q = _drawn(topic, kind, seed) if seed is not None else topics.make(topic, kind, None, mine)
    except (SettingsError, RuntimeError):  # the page's own settings, which PyTorch refuses: the page says why
        st.caption(t("practice.mine_refused"))
        seed = DEFAULT_SEED
        q = _drawn(topic, kind, seed)
    qid = f"practice_{topic}_{kind}_{MINE if seed is None else seed}"

    st.markdown(t(f"practice.{q.prompt}", **_params(q)))
    st.caption(t("practice.mine_caption") if seed is None else t("practice.seed_caption", seed=seed))
    if q.grid:
        _grid(q, qid)
    if q.code and q.form is not Form.CHOICE:
        st.code(q.code, language="python")
    if q.form is Form.CHOICE:
        if q.code:
            st.code(q.code, language="python", line_numbers=True)
        for letter, choice in zip("ABCDE", q.choices):
            if choice.code:
                st.markdown(f"**{letter}.**")
                st.code(choice.code, language="python", wrap_lines=True)
        st.radio(t("practice.answer_choice"), list(range(len(q.choices))), index=None, key=f"{qid}_answer",
                 format_func=lambda i: f"{'ABCDE'[i]}. {t(f'practice.{q.choices[i].key}')}")
    else:
        label = t("practice.answer_shape" if q.form is Form.SHAPE else "practice.answer_number")
        st.text_input(label, key=f"{qid}_answer")
    actions = st.container(horizontal=True)
    actions.button(t("practice.check"), key=f"{qid}_check", type="primary", icon=":material/task_alt:",
                   on_click=_check, args=(q, qid))
    hint = actions.button(t("practice.hint_button"), key=f"{qid}_hint", icon=":material/lightbulb:")
    show = actions.button(t("practice.show"), key=f"{qid}_show", icon=":material/visibility:")
    if hint:
        st.info(t(f"practice.{q.hint}"), icon=":material/lightbulb:")
    _feedback(q, qid)
    if show:
        _reveal(q)
    more = st.container(horizontal=True)
    more.button(t("practice.another"), key=f"practice_{topic}_another", icon=":material/casino:", on_click=_another,
                args=(topic,))
    if can_mine:
        more.button(t("practice.mine"), key=f"practice_{topic}_mine", icon=":material/tune:", on_click=_mine,
                    args=(topic,))
    done = st.session_state.get(PROGRESS, {}).get(topic)
    if done:
        st.caption(t("practice.tried", right=len(done["right"]), tried=len(done["tried"])))


def practice_progress() -> None:
    """Right / tried per page this session, beside the home page's chapter map."""
    progress = st.session_state.get(PROGRESS, {})
    st.markdown(f"**{t('practice.progress_title')}**")
    if not progress:
        st.caption(t("practice.progress_none"))
        return
    st.caption(" · ".join(t("practice.progress_line", page=t(f"{page}.title"), right=len(done["right"]),
                                tried=len(done["tried"])) for page, done in progress.items()))
