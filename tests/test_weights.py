"""The weights the app ships: the cards are honest, the targets are met, predictions on fixed photos stay put."""
import hashlib
import json

import pytest

from core.course import CIFAR10_CLASSES
from core.data import images
from core.data.tensors import load_split
from core.inference import checkpoints, infer, weights

CARDS = weights.cards()
TARGETS = {"course": 0.75, "relu": 0.80, "bn_relu": 0.82}
# (predicted class, its probability) for the bundled photos; only a change in the weights or the preprocessing moves them
PINNED = {
    "course": {"cat": ("cat", 0.5681), "coffee": ("dog", 0.3667), "rocket": ("deer", 0.2557)},
    "relu": {"cat": ("cat", 0.6139), "coffee": ("dog", 0.5490), "rocket": ("truck", 0.2913)},
    "bn_relu": {"cat": ("dog", 0.5719), "coffee": ("cat", 0.4206), "rocket": ("ship", 0.3341)},
}


def test_the_course_architecture_and_the_best_variant_ship():
    assert {c.architecture for c in CARDS.values()} >= {"course", "bn_relu"}
    for name, target in TARGETS.items():
        assert CARDS[name].test_acc >= target


@pytest.mark.parametrize("name", sorted(CARDS))
def test_each_card_describes_its_file(name):
    card = CARDS[name]
    content = (weights.MODELS / card.weights).read_bytes()
    assert hashlib.sha256(content).hexdigest() == card.sha256
    state = checkpoints.read_state_dict(content)  # the same safe path as an upload
    assert checkpoints.guess_architecture(state) == card.architecture
    assert card.classes == list(CIFAR10_CLASSES) and card.epochs > 0 and card.training_seconds > 0
    assert (card.mean is None) == (card.std is None) == (card.recipe == "course")
    assert len(card.per_class_acc) == 10 and min(card.per_class_acc) > 0


@pytest.mark.parametrize("name", sorted(PINNED))
def test_predictions_on_the_bundled_photos_are_stable(name):
    model, card = weights.load(name)
    for photo, (expected, probability) in PINNED[name].items():
        _, probs = infer.predict(model, infer.prepare(images.sample(photo), card.mean, card.std).batch)
        assert CIFAR10_CLASSES[int(probs.argmax())] == expected
        assert float(probs.max()) == pytest.approx(probability, abs=2e-3)


def test_cards_report_the_accuracy_measured_on_the_jpeg_test_set(shared_cifar):
    test = load_split(shared_cifar / "cifar10-jpg", "test")
    for name in CARDS:
        model, card = weights.load(name)
        assert infer.audit(model, test, card.mean, card.std).accuracy == pytest.approx(card.test_acc, abs=1e-4)


def test_a_card_of_another_shape_is_left_out_not_a_crash(tmp_path, monkeypatch):
    good = CARDS["course"].to_json()
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "course.json").write_text(json.dumps(good))
    (folder / "older.json").write_text(json.dumps({k: v for k, v in good.items() if k != "test_acc"}))
    (folder / "foreign.json").write_text(json.dumps({**good, "architecture": "vgg16"}))
    monkeypatch.setattr(weights, "MODELS", folder)
    assert list(weights.cards()) == ["course"] and weights.cards()["course"] == CARDS["course"]
