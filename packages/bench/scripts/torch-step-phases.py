#!/usr/bin/python3
"""PyTorch's side of RESULTS.md's fashion comparison: one training step of 784-256-128-10 ReLU (batch 128, float32)
as the torch peer (../peers/torch_peer.py) trains it: its forward (z = a W + b with torch.addmm, W in × out),
torch.optim.Adam, zero_grad(set_to_none=True); split by phase, on one thread (PyTorch's and its OpenBLAS's, as the
peer sets them); and the first layer's product x W1 alone, in G multiply-adds a second. The batches are Fashion-MNIST's first 128 × 64 training images, as in training
(made-up data can drive PyTorch's Adam into subnormal numbers, ten times slower).

    /usr/bin/python3 packages/bench/scripts/torch-step-phases.py
"""
import gzip
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from torch_peer import forward, set_threads  # noqa: E402  the peer's forward and threads: what the peer runs

set_threads(1)
torch.manual_seed(0)
sizes = [784, 256, 128, 10]
params = []
for n_in, n_out in zip(sizes, sizes[1:]):
    params += [(torch.randn(n_in, n_out) * (2 / n_in) ** 0.5).requires_grad_(True), torch.zeros(n_out, requires_grad=True)]
opt = torch.optim.Adam(params, lr=1e-3)
DATA = "/usr/share/datasets/fashion-mnist"
with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
    images = torch.frombuffer(bytearray(f.read()[16 : 16 + 128 * 64 * 784]), dtype=torch.uint8).float().div(255).view(64, 128, 784)
with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
    labels = torch.frombuffer(bytearray(f.read()[8 : 8 + 128 * 64]), dtype=torch.uint8).long().view(64, 128)
batches = list(zip(images, labels))


def steps(n):
    phases = {"forward": [], "backward": [], "adam": []}
    for i in range(n):
        x, y = batches[i % len(batches)]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(forward(params, x, torch.relu), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        phases["forward"].append(t1 - t0)
        phases["backward"].append(t2 - t1)
        phases["adam"].append(t3 - t2)
    return {k: round(statistics.median(v) * 1e3, 3) for k, v in phases.items()}


steps(200)
print(f"PyTorch {torch.__version__}, 1 thread; median ms per phase of a step:")
for _ in range(3):
    print(" ", steps(300))
x, W = batches[0][0], torch.randn(784, 256)
times = []
for _ in range(300):
    t = time.perf_counter()
    torch.mm(x, W)
    times.append(time.perf_counter() - t)
ms = statistics.median(times) * 1e3
print(f"x W1 alone: {ms:.3f} ms, {128 * 784 * 256 / ms / 1e6:.1f} G multiply-adds/s")
