"""Every checkpoint the course's code saves, written by the course's own code in a fresh interpreter (the class in
``__main__`` via ``python -c``, or in the learner's ``model.py``), gives on the app the prediction the learner's own
test.py gives on the same photo."""
import subprocess
import sys

import pytest
import torch

from core.data import images
from core.data.tensors import TensorSplit
from core.inference import checkpoints, infer, matching
from core.inference.pickled import WholeModelError

CLASSES = '''
import torch
import torchvision
from PIL import Image
from torch import nn
from torch.nn import Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential


class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model = nn.Sequential(
            Conv2d(3, 32, 5, 1, 2), MaxPool2d(2), Conv2d(32, 32, 5, 1, 2), MaxPool2d(2),
            Conv2d(32, 64, 5, 1, 2), MaxPool2d(2), Flatten(), Linear(1024, 64), Linear(64, 10))

    def forward(self, x):
        x = self.model(x)
        return x


class MyModel(nn.Module):  # the Sequential chapter names its attribute model1
    def __init__(self):
        super().__init__()
        self.model1 = Sequential(
            Conv2d(3, 32, 5, padding=2), MaxPool2d(2), Conv2d(32, 32, 5, padding=2), MaxPool2d(2),
            Conv2d(32, 64, 5, padding=2), MaxPool2d(2), Flatten(), Linear(1024, 64), Linear(64, 10))

    def forward(self, x):
        return self.model1(x)


class Net(nn.Module):  # the chapter before Sequential: one attribute per layer, called in order
    def __init__(self):
        super().__init__()
        self.conv1 = Conv2d(3, 32, 5, padding=2)
        self.maxpool1 = MaxPool2d(2)
        self.conv2 = Conv2d(32, 32, 5, padding=2)
        self.maxpool2 = MaxPool2d(2)
        self.conv3 = Conv2d(32, 64, 5, padding=2)
        self.maxpool3 = MaxPool2d(2)
        self.flatten = Flatten()
        self.linear1 = Linear(1024, 64)
        self.linear2 = Linear(64, 10)

    def forward(self, x):
        for layer in (self.conv1, self.maxpool1, self.conv2, self.maxpool2, self.conv3, self.maxpool3,
                      self.flatten, self.linear1, self.linear2):
            x = layer(x)
        return x


class Mine(nn.Module):  # a learner's variation: 16 channels first, ReLU after each conv, Dropout
    def __init__(self):
        super().__init__()
        self.model1 = Sequential(
            Conv2d(3, 16, 5, 1, 2), ReLU(), MaxPool2d(2), Conv2d(16, 32, 5, 1, 2), ReLU(), MaxPool2d(2),
            Conv2d(32, 64, 5, 1, 2), ReLU(), MaxPool2d(2), Flatten(), Linear(1024, 64), ReLU(), Dropout(0.3),
            Linear(64, 10))

    def forward(self, x):
        return self.model1(x)


class Viewed(nn.Module):  # forward reshapes between layers: not a plain sequence
    def __init__(self):
        super().__init__()
        self.conv = Conv2d(3, 8, 5, 1, 2)
        self.pool = MaxPool2d(4)
        self.linear = Linear(8 * 8 * 8, 10)

    def forward(self, x):
        x = self.pool(self.conv(x))
        return self.linear(x.view(x.size(0), -1))
'''

SAVE = '''
import model

outputs = {}
transform = torchvision.transforms.Compose([torchvision.transforms.Resize((32, 32)), torchvision.transforms.ToTensor()])
image = torch.reshape(transform(Image.open("photo.png").convert("RGB")), (1, 3, 32, 32))
for where, classes in (("__main__", (Tudui, MyModel, Net, Mine, Viewed)),
                       ("model", (model.Tudui, model.MyModel, model.Net, model.Mine, model.Viewed))):
    for seed, cls in enumerate(classes):
        torch.manual_seed(seed)
        tudui = cls()
        tudui.eval()
        with torch.no_grad():
            outputs[cls.__name__] = tudui(image)
        torch.save(tudui, f"{where}.{cls.__name__}_0.pth")
        torch.save(tudui.state_dict(), f"{where}.{cls.__name__}_state.pth")
torch.manual_seed(9)
tudui = Tudui()
tudui.eval()
with torch.no_grad():
    outputs["wrapped"] = tudui(image)
torch.save(outputs, "outputs.pt")
optimizer = torch.optim.SGD(tudui.parameters(), lr=0.01, momentum=0.9)
torch.save({"epoch": 3, "model_state_dict": tudui.state_dict(), "optimizer_state_dict": optimizer.state_dict(),
            "loss": 1.5}, "tutorial.pth")
torch.save({"state_dict": tudui.state_dict(), "epoch": 3}, "state_dict.pth")
torch.save({"net": tudui.state_dict()}, "net.pth")
torch.save(nn.DataParallel(tudui).state_dict(), "parallel.pth")
torch.save({"model": nn.DataParallel(tudui).state_dict()}, "model_parallel.pth")
# as a GPU saves it: every storage tagged cuda:0 (what torch.save writes for tensors on a GPU)
torch.serialization.register_package(0, lambda storage: "cuda:0", lambda storage, location: None)
torch.save(tudui, "gpu_0.pth")
torch.save(tudui.state_dict(), "gpu_state.pth")
'''


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The folder where the course's code ran, with each class in ``__main__`` (``python -c``) and in the
    learner's ``model.py``, and the logits the learner's own test.py printed for the photo."""
    folder = tmp_path_factory.mktemp("learner")
    images.sample("cat").save(folder / "photo.png")
    (folder / "model.py").write_text(CLASSES)
    subprocess.run([sys.executable, "-c", CLASSES + SAVE], cwd=folder, check=True, timeout=300)
    return folder, torch.load(folder / "outputs.pt", weights_only=True)


def predicted(model) -> torch.Tensor:
    batch = infer.prepare(images.sample("cat")).batch  # the bundled photo, as the page opens it
    return infer.predict(model, batch)[0]


def assert_same(model, expected: torch.Tensor) -> None:
    logits = predicted(model)
    assert torch.allclose(logits, expected[0], atol=1e-5) and int(logits.argmax()) == int(expected.argmax())


@pytest.mark.parametrize("module", ["__main__", "model"])
@pytest.mark.parametrize("name,arch", [("Tudui", "course"), ("MyModel", "course"), ("Net", "course")])
def test_a_whole_model_runs_as_the_learner_s_own_code(saved, module, name, arch):
    folder, outputs = saved
    upload = checkpoints.read_upload((folder / f"{module}.{name}_0.pth").read_bytes())
    assert upload.whole.classes == (f"{module}.{name}",)
    assert upload.guessed == arch and upload.whole.network.arch == arch
    assert_same(upload.whole.network, outputs[name])


def test_renames_are_said_once_when_only_the_attribute_differs():
    assert matching.summarised([("model1.0", "model.0"), ("model1.3", "model.3")]) == [("model1.*", "model.*")]
    assert matching.summarised([("conv1", "model.0"), ("conv2", "model.2")]) == [("conv1", "model.0"), ("conv2", "model.2")]
    assert matching.summarised([("a.b.0", "model.0"), ("a.b.1", "model.1")]) == [("a.b.0", "model.0"), ("a.b.1", "model.1")]


def test_the_layers_keep_their_own_names(saved):
    folder, _ = saved
    assert checkpoints.read_upload((folder / "model.MyModel_0.pth").read_bytes()).whole.paths[:2] == ("model1.0", "model1.1")
    assert checkpoints.read_upload((folder / "model.Net_0.pth").read_bytes()).whole.paths[:3] == ("conv1", "maxpool1", "conv2")


@pytest.mark.parametrize("name,renamed", [("Tudui", []), ("MyModel", [("model1.0", "model.0")]),
                                          ("Net", [("conv1", "model.0"), ("conv2", "model.2")])])
def test_a_state_dict_is_matched_by_its_structure(saved, name, renamed):
    folder, outputs = saved
    upload = checkpoints.read_upload((folder / f"__main__.{name}_state.pth").read_bytes())
    assert upload.guessed == "course"
    assert checkpoints.renames(upload.shapes, "course")[:len(renamed)] == renamed
    assert_same(checkpoints.build(upload.state, "course"), outputs[name])


@pytest.mark.parametrize("file,wrapper,prefix", [("tutorial.pth", "model_state_dict", None),
                                                 ("state_dict.pth", "state_dict", None), ("net.pth", "net", None),
                                                 ("parallel.pth", None, "module."),
                                                 ("model_parallel.pth", "model", "module.")])
def test_wrappers_and_the_dataparallel_prefix_are_taken_off(saved, file, wrapper, prefix):
    folder, outputs = saved
    upload = checkpoints.read_upload((folder / file).read_bytes())
    assert (upload.wrapper, upload.prefix, upload.guessed) == (wrapper, prefix, "course")
    assert checkpoints.renames(upload.shapes, "course") == []
    assert_same(checkpoints.build(upload.state, "course"), outputs["wrapped"])


def test_files_saved_on_a_gpu_load_on_the_cpu(saved):
    folder, outputs = saved
    with pytest.raises(RuntimeError, match="CUDA"):  # the files really name a GPU
        torch.load(folder / "gpu_state.pth", weights_only=True)
    upload = checkpoints.read_upload((folder / "gpu_state.pth").read_bytes())
    assert_same(checkpoints.build(upload.state, "course"), outputs["wrapped"])
    whole = checkpoints.read_upload((folder / "gpu_0.pth").read_bytes()).whole
    assert_same(whole.network, outputs["wrapped"])


def test_a_learner_s_variation_runs_as_their_network_with_its_feature_maps(saved):
    folder, outputs = saved
    upload = checkpoints.read_upload((folder / "model.Mine_0.pth").read_bytes())
    network = upload.whole.network
    assert upload.guessed is None and network.arch is None
    assert_same(network, outputs["Mine"])
    maps = infer.feature_maps(network, infer.prepare(images.sample("cat")).batch)
    assert [(i, tuple(m.shape)) for i, _, m in maps] == [(0, (16, 32, 32)), (2, (16, 16, 16)), (3, (32, 16, 16)),
                                                         (5, (32, 8, 8)), (6, (64, 8, 8)), (8, (64, 4, 4))]
    assert str(network.model[12]) == "Dropout(p=0.3, inplace=False)"


def test_a_forward_that_is_not_a_sequence_is_explained(saved):
    folder, _ = saved
    with pytest.raises(WholeModelError) as err:
        checkpoints.read_upload((folder / "model.Viewed_0.pth").read_bytes())
    assert err.value.code == "not_sequence" and err.value.params["path"] == "linear"
    assert "mat1 and mat2 shapes cannot be multiplied" in err.value.params["reason"]


def test_a_learner_s_network_is_audited_on_a_set_with_fewer_classes(saved):
    folder, _ = saved
    network = checkpoints.read_upload((folder / "model.Mine_0.pth").read_bytes()).whole.network
    images_ = torch.randint(0, 256, (90, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    split = TensorSplit(images_, torch.arange(90) % 3, ["ants", "bees", "wasps"])
    result = infer.audit(network, split, None, None, batch_size=32)
    predicted = network(images_.float() / 255).argmax(1)
    confusion = torch.tensor(result.confusion)
    assert confusion.shape == (10, 10) and confusion.sum() == 90 and confusion[3:].sum() == 0
    assert result.accuracy == pytest.approx(float((predicted == split.labels).float().mean()))
    assert len(result.per_class) == 3 and confusion[:, 3:].sum() == int((predicted >= 3).sum())


class Alpha(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                         torch.nn.Linear(4 * 15 * 15, 10))


class Beta(Alpha):
    pass


def test_whole_models_read_at_once_by_many_sessions_each_get_their_own():
    import io
    import threading

    files = []
    for cls in (Alpha, Beta) * 4:
        buffer = io.BytesIO()
        torch.save(cls(), buffer)
        files.append((cls, buffer.getvalue()))
    start, found = threading.Barrier(len(files)), {}

    def read(i: int) -> None:
        start.wait()
        for _ in range(3):
            found[i] = checkpoints.read_upload(files[i][1]).whole.classes

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [found[i] for i in range(len(files))] == [(f"{__name__}.{cls.__name__}",) for cls, _ in files]


def test_average_pooling_has_feature_maps_and_grows_the_receptive_field():
    from core.inference import receptive
    from core.model import Network

    network = Network([torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
                       torch.nn.Linear(4 * 16 * 16, 10)]).eval()
    maps = infer.feature_maps(network, torch.rand(1, 3, 32, 32))
    assert [(i, tuple(m.shape)) for i, _, m in maps] == [(0, (4, 32, 32)), (1, (4, 16, 16))]
    assert receptive.fields(network.model)[:2] == [receptive.Field(3, 1, -1), receptive.Field(4, 2, -1)]
