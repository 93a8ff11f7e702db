"""A whole training step recorded once as a CUDA graph and replayed.

The CIFAR10-quick net is so small that an eager step on a GPU is all launch
overhead: about a hundred kernels, each costing the host more time than the
GPU spends on it. Replayed as one graph, a step costs one launch.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

WARMUP_STEPS = 3  # capture needs them: cuDNN picks its kernels, SGD makes its momentum buffers


def graphed(step: Callable[..., torch.Tensor], example: tuple[torch.Tensor, ...], model: nn.Module,
            optimizer: torch.optim.SGD) -> Callable[..., torch.Tensor]:
    """step(*tensors) -> loss (forward, backward, optimizer step), as a function that replays it.

    The replayed step reads its inputs from fixed buffers and the learning rate
    from a tensor (set it with :func:`set_lr`). The warm-up steps are undone
    afterwards, so training goes on exactly as without the graph.
    """
    device = example[0].device
    for group in optimizer.param_groups:
        group["lr"] = torch.tensor(float(group["lr"]), device=device)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    momentum = {p: s["momentum_buffer"].clone() for p, s in optimizer.state.items()
                if s.get("momentum_buffer") is not None}
    inputs = tuple(t.clone() for t in example)
    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):
        for _ in range(WARMUP_STEPS):
            step(*inputs)
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph, capture_error_mode="thread_local"):  # the app trains in a background thread
        loss = step(*inputs)
    with torch.no_grad():
        for k, v in model.state_dict().items():
            v.copy_(weights[k])
        for p, s in optimizer.state.items():
            if p in momentum:
                s["momentum_buffer"].copy_(momentum[p])
            else:  # a zero buffer makes SGD's next update the same as its first
                s["momentum_buffer"].zero_()

    def replay(*tensors: torch.Tensor) -> torch.Tensor:
        for buffer, t in zip(inputs, tensors, strict=True):
            buffer.copy_(t)
        graph.replay()
        return loss.clone()

    return replay


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Set the learning rate of every group, in place where a graph reads it from a tensor."""
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr
