"""The weights the app ships (assets/models/) and their model cards, read like any upload.

core.training.ship makes them from a finished run; the model and classify pages only read them here, so reading
a card needs nothing of training.
"""
from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

from core.inference import checkpoints
from core.model import ARCHITECTURES, Tudui

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"


@dataclass(frozen=True)
class ModelCard:
    """assets/models/<name>.json: how the weights beside it were trained and what they measured."""

    name: str
    weights: str                  # the .pth file's name in assets/models/
    sha256: str
    architecture: str
    recipe: str
    epochs: int
    device: str
    training_seconds: int
    mean: list[float] | None
    std: list[float] | None
    classes: list[str]
    test_acc: float               # re-measured on test_set when shipped, not copied from the run
    # how it was made, for a reader of the card (the pages show the fields above)
    hyperparameters: dict = field(default_factory=dict)
    images_per_s: int | None = None
    per_class_acc: list[float] = field(default_factory=list)
    test_set: str = ""
    command: str = ""             # the training command, as a learner would type it
    torch: str = ""
    date: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> ModelCard | None:
        """A card as saved; None for a file that is not one (a card of another shape is left out, not a crash)."""
        shown = {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}
        if not isinstance(data, dict) or shown - set(data) or data.get("architecture") not in ARCHITECTURES:
            return None
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def cards() -> dict[str, ModelCard]:
    """Model cards by name (the file stem), in the order of ARCHITECTURES, the course's first, so a table of them
    reads as a progression."""
    found = {p.stem: ModelCard.from_json(json.loads(p.read_text())) for p in MODELS.glob("*.json")}
    kept = {name: card for name, card in found.items() if card is not None}
    return dict(sorted(kept.items(), key=lambda item: (ARCHITECTURES.index(item[1].architecture), item[0])))


def load(name: str) -> tuple[Tudui, ModelCard]:
    """A shipped model, read like any upload (weights_only=True), with its card."""
    card = cards()[name]
    state = checkpoints.read_state_dict((MODELS / card.weights).read_bytes())
    return checkpoints.build(state, card.architecture), card
