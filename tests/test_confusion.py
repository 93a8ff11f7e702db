"""A confusion cell lists exactly the test images of that true class the model predicted as that class, the most
confident first: checked against the course's own way of reading the bundled test images (ImageFolder + ToTensor
+ Normalize, a DataLoader) and predicting them."""
import shutil
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from core.data import tensors
from core.inference import infer, weights

SAMPLE = Path(__file__).resolve().parent.parent / "assets" / "cifar10-sample"


def test_every_confusion_cell_lists_exactly_its_images(tmp_path):
    for folder in sorted((SAMPLE / "test").iterdir()):  # the bundled JPEGs, 30 of each class
        (tmp_path / "test" / folder.name).mkdir(parents=True)
        for jpeg in sorted(folder.iterdir())[:30]:
            shutil.copy(jpeg, tmp_path / "test" / folder.name / jpeg.name)
    model, card = weights.load("course")
    split = tensors.load_split(tmp_path, "test")
    audit = infer.audit(model, split, card.mean, card.std)
    folder = datasets.ImageFolder(str(tmp_path / "test"), transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize(card.mean, card.std)]))
    assert folder.classes == split.classes
    probs, truth = [], []
    with torch.no_grad():
        for imgs, targets in DataLoader(folder, batch_size=200):
            probs.append(model.eval()(imgs).softmax(1))
            truth.append(targets)
    probs, truth = torch.cat(probs).numpy(), torch.cat(truth).numpy()
    guessed = probs.argmax(1)
    # the same images in the same order? compare them as the course reads them (then every index means one image)
    assert np.array_equal(truth, split.labels.numpy())
    n = len(split.classes)
    total = 0
    for true in range(n):
        for predicted in range(n):
            listed = audit.cell(true, predicted)
            expected = set(np.flatnonzero((truth == true) & (guessed == predicted)).tolist())
            assert set(listed) == expected and len(listed) == len(expected) == audit.confusion[true][predicted]
            confidence = probs[listed, predicted]
            assert np.all(np.diff(confidence) <= 1e-6)  # the most confident first
            total += len(listed)
    assert total == len(truth)
    off = [(t, p) for t in range(n) for p in range(n) if t != p and audit.confusion[t][p]]
    assert off, "a model this size makes mistakes on the sample"
