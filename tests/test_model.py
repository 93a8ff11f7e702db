"""CIFAR10-quick as the course builds it, and its variants."""
import pytest
import torch

from core.model import ARCHITECTURES, Tudui, count_parameters, layer_table


@pytest.mark.parametrize("arch,params,layers", [("course", 145_578, 9), ("relu", 145_578, 13),
                                                ("bn_relu", 145_834, 16)])
def test_every_architecture_maps_a_cifar_batch_to_ten_scores(arch, params, layers):
    net = Tudui(arch)
    assert count_parameters(net) == params and len(net.model) == layers
    assert net(torch.ones((64, 3, 32, 32))).shape == (64, 10)
    rows = layer_table(arch, (64, 3, 32, 32))
    assert sum(r.params for r in rows) == params and rows[-1].shape == (64, 10)


def test_the_course_state_dict_keys():
    keys = list(Tudui("course").state_dict())
    assert keys == [f"model.{i}.{p}" for i in (0, 2, 4, 7, 8) for p in ("weight", "bias")]


def test_shapes_after_every_layer_of_the_course_net():
    shapes = [r.shape[1:] for r in layer_table("course")]
    assert shapes == [(32, 32, 32), (32, 16, 16), (32, 16, 16), (32, 8, 8), (64, 8, 8), (64, 4, 4), (1024,), (64,),
                      (10,)]


def test_print_model_matches_the_course():
    printed = str(Tudui("course"))
    assert printed.startswith("Tudui(\n  (model): Sequential(\n    (0): Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), "
                              "padding=(2, 2))")
    assert "(8): Linear(in_features=64, out_features=10, bias=True)" in printed


def test_unknown_architecture_is_refused():
    with pytest.raises(ValueError):
        Tudui("resnet")
    assert ARCHITECTURES == ("course", "relu", "bn_relu")
