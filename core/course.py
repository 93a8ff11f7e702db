"""The course's own numbers, so every page starts where the video does."""
import numpy as np

CONV_INPUT = np.array([[1, 2, 0, 3, 1],
                       [0, 1, 2, 3, 1],
                       [1, 2, 1, 0, 0],
                       [5, 2, 3, 1, 1],
                       [2, 1, 0, 1, 1]])
CONV_KERNEL = np.array([[1, 2, 1],
                        [0, 1, 0],
                        [2, 1, 0]])
ACTIVATION_INPUT = np.array([[1, -0.5],
                             [-1, 3]])
LOSS_INPUT = [1.0, 2.0, 3.0]
LOSS_TARGET = [1.0, 2.0, 5.0]
CROSS_ENTROPY_LOGITS = [0.1, 0.2, 0.3]
CROSS_ENTROPY_TARGET = 1
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# The course's CIFAR10-quick and the two variants the app trains (core.model builds them; named here, torch-free,
# so a page can draw its architecture picker before PyTorch has finished importing).
ARCHITECTURES = ("course", "relu", "bn_relu")
