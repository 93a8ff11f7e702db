"""Around ToTensor in the course: a class's ``__call__`` (why ``tensor_trans(img)`` works), ``ToPILImage`` back, and
an image read by OpenCV against PIL.

OpenCV is not a dependency of the app (a large wheel for one comparison), so ``cv2.imread`` is shown and not run;
what it returns is computed here from PIL's pixels: the same H × W × C uint8 array with its channels reversed
(B, G, R). ToTensor keeps whatever order it is given, which is the trap: channel 0 is then blue.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from torchvision import transforms


@dataclass(frozen=True)
class Reading:
    rgb: np.ndarray          # np.asarray(PIL image): H × W × C, uint8, R, G, B
    bgr: np.ndarray          # what cv2.imread gives: the same, B, G, R
    round_trip: Image.Image  # ToPILImage()(ToTensor()(img))
    same: bool               # whether the round trip gave the very pixels back


def read(photo: Image.Image) -> Reading:
    """The photo as PIL and as OpenCV read it, and ToTensor then ToPILImage."""
    rgb = np.asarray(photo.convert("RGB"))
    back = transforms.ToPILImage()(transforms.ToTensor()(photo.convert("RGB")))
    return Reading(rgb, rgb[:, :, ::-1], back, bool(np.array_equal(np.asarray(back), rgb)))


def printed(r: Reading) -> str:
    """What ``snippet`` prints, from the page's own arrays."""
    channels = transforms.ToTensor()(r.bgr.copy())[:, 0, 0]
    return "\n".join([f"Image {r.round_trip.mode} {r.round_trip.size}", str(r.same),
                      f"{r.rgb.shape} {r.rgb.dtype} {r.rgb[0, 0]}", f"{r.bgr.shape} {r.bgr.dtype} {r.bgr[0, 0]}",
                      str(channels)])


def snippet(path: str) -> str:
    """ToPILImage back from a tensor, and PIL's array beside the one cv2.imread returns (made with numpy)."""
    return f"""import numpy as np
from PIL import Image
from torchvision import transforms

img = Image.open({path!r}).convert('RGB')
tensor_img = transforms.ToTensor()(img)
img_back = transforms.ToPILImage()(tensor_img)      # [C, H, W] floats in [0, 1] back to a PIL image
print(type(img_back).__name__, img_back.mode, img_back.size)
print(np.array_equal(np.asarray(img_back), np.asarray(img)))

img_rgb = np.asarray(img)                           # PIL: H × W × C, uint8, in R, G, B order
img_bgr = img_rgb[:, :, ::-1]                       # what cv2.imread gives: the same array in B, G, R order
print(img_rgb.shape, img_rgb.dtype, img_rgb[0, 0])
print(img_bgr.shape, img_bgr.dtype, img_bgr[0, 0])
print(transforms.ToTensor()(img_bgr.copy())[:, 0, 0])   # ToTensor keeps the order it gets: channel 0 is blue
"""


def cv2_snippet(path: str) -> str:
    """The course's OpenCV reading, shown without running (OpenCV is not installed here)."""
    return f"""import cv2                                          # pip install opencv-python
from torchvision import transforms

img_cv = cv2.imread({path!r})                       # a numpy array: H × W × C, uint8, B, G, R
print(type(img_cv), img_cv.shape, img_cv.dtype, img_cv[0, 0])
img_rgb = cv2.cvtColor(img_cv, cv2.COLOR_BGR2RGB)   # R, G, B, as PIL and the trained network expect
tensor_img = transforms.ToTensor()(img_rgb)         # ToTensor takes a numpy array as it takes a PIL image
"""


def call_snippet() -> str:
    """The course's Person class: what ``__call__`` does, and why a transform is called like a function."""
    return """from torchvision import transforms


class Person:
    def __call__(self, name):
        print("__call__" + " Hello " + name)

    def hello(self, name):
        print("hello " + name)


person = Person()
person("zhangsan")                  # an object called like a function runs its __call__
person.hello("lisi")                # any other method needs its name
tensor_trans = transforms.ToTensor()
print(callable(person), callable(tensor_trans))   # so tensor_trans(img) runs ToTensor.__call__(img)
"""
