"""A training step replayed as a CUDA graph trains exactly like the eager step (runs where CUDA is)."""
import copy

import pytest
import torch

from core.model import Tudui
from core.training import cudagraph

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_graphed_steps_follow_the_eager_steps(monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)  # full float32, so only summation order differs
    torch.manual_seed(0)
    eager_model = Tudui("bn_relu").cuda()
    graph_model = copy.deepcopy(eager_model)
    images, labels = torch.randn(64, 3, 32, 32, device="cuda"), torch.randint(0, 10, (64,), device="cuda")

    def trainer(model):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4,
                                    fused=True)

        def step(idx):
            loss = torch.nn.functional.cross_entropy(model(images[idx]), labels[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return loss.detach()
        return optimizer, step

    eager_opt, eager_step = trainer(eager_model)
    graph_opt, step = trainer(graph_model)
    graph_step = cudagraph.graphed(step, (torch.arange(16, device="cuda"),), graph_model, graph_opt)
    for i, lr in enumerate([0.01, 0.05, 0.03, 0.0, 0.02]):
        idx = torch.randperm(64, device="cuda")[:16]
        cudagraph.set_lr(eager_opt, lr)
        cudagraph.set_lr(graph_opt, lr)
        assert graph_step(idx).item() == pytest.approx(eager_step(idx).item(), rel=1e-5), f"step {i}"
    for (name, a), b in zip(eager_model.state_dict().items(), graph_model.state_dict().values()):
        assert torch.allclose(a.float(), b.float(), atol=1e-5), name
