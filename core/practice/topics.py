"""Which questions each page asks, by the name a link uses: ``/conv?practice=output_size&seed=17``.

The output-size question is ``output_size`` on every windowed page; every other kind has its own name. A
question is a pure function of (page, kind, seed): the same link asks everyone the same thing. ``seed=None``
asks about the learner's own settings on the page (``mine``) instead of drawn ones.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import replace

from core.practice import conv, data, layers, model, pool, training, transposed
from core.practice.question import Question

Generator = Callable[[random.Random, Mapping | None], Question]

KINDS: dict[str, dict[str, Generator]] = {
    "conv": {"output_size": conv.output_size, "conv_value": conv.value, "readers": conv.readers},
    "pool": {"output_size": pool.output_size, "pool_value": pool.value},
    "conv_transpose": {"output_size": transposed.output_size, "output_padding": transposed.output_padding},
    "layers": {"activation": layers.activation, "loss": layers.loss},
    "model": {"layer_shape": model.layer_shape, "param_count": model.param_count, "in_features": model.in_features},
    "data": {"loader_len": data.loader_len, "imgs_shape": data.imgs_shape},
    "transforms": {"normalize": data.normalize, "resize": data.resize},
    "train": {"spot_bug": training.spot_bug},
    "gpu": {"spot_bug": training.spot_bug},
    "save_load": {"load_line": training.load_line},
}
# the kinds that can ask about the page's own settings
MINE = {"conv": {"output_size", "conv_value", "readers"}, "pool": {"output_size", "pool_value"},
        "conv_transpose": {"output_size"}, "layers": {"activation", "loss"},
        "model": {"layer_shape", "param_count", "in_features"}, "data": {"loader_len"}}
MAX_SEED = 10**9


def make(topic: str, kind: str, seed: int | None, mine: Mapping | None = None) -> Question:
    """The question ``kind`` of page ``topic`` for ``seed``, or for the page's settings ``mine`` when seed is None.

    A local random.Random: never the process's random state, which other learners' requests share."""
    rng = random.Random(0 if seed is None else seed)
    question = KINDS[topic][kind](rng, mine if seed is None else None)
    return replace(question, topic=topic, kind=kind, seed=seed)
