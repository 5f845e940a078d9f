"""PyTorch (CPU) as a peer of the bench: the same network, parameters and batches as tapegrad's engines.

Run by packages/bench/src/peers/torch.ts, never by hand:  python3 torch_peer.py DIR
DIR holds problem.json and the binary arrays it names (little-endian, row-major); the answer goes to
DIR/answer.json and the gradients to DIR/grad.f32. Two modes:

  "steps"    one batch: loss and gradients at the given parameters (for the check against the manual engine), then
             the median time of a training step (forward, softmax cross-entropy, backward, SGD) at each thread count.
  "fashion"  Adam on a data set, the batches in the given orders: the gradients of the first batch, a "ready" line on
             stdout, then for each line read from stdin one epoch at every thread count in turn and a JSON line
             of its mean loss, test accuracy and training seconds per thread count.

A thread count is PyTorch's and its BLAS's (set_threads): Debian's torch runs its products on a pthreads OpenBLAS,
whose pool torch.set_num_threads does not size.

The network is written as the bench's engines write it: W^l is (in x out), z^l = a^{l-1} W^l + b^l (addmm), so the
parameters need no transposing.
"""
import ctypes
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "leakyRelu": lambda z: F.leaky_relu(z, 0.01),
}


_OPENBLAS = None


def openblas_libraries():
    """The OpenBLAS libraries this process has loaded (Debian's torch calls its BLAS, a pthreads OpenBLAS), as ctypes
    handles, found once. torch.set_num_threads sizes PyTorch's OpenMP pool (and MKL's), not OpenBLAS's: that one keeps
    a thread per core, so without set_threads the matrix products of a "one-thread" run use every core."""
    global _OPENBLAS
    if _OPENBLAS is None:
        torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # loads the BLAS, if it is loaded lazily
        _OPENBLAS = find_openblas()
    return _OPENBLAS


def find_openblas():
    """ctypes handles of the mapped libraries that have OpenBLAS's API."""
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6 and "openblas" in fields[5] and fields[5] not in paths:
                    paths.append(fields[5])
    except OSError:  # no /proc (not Linux): no OpenBLAS found this way
        return []
    libraries = []
    for path in paths:
        try:
            library = ctypes.CDLL(path)
            library.openblas_set_num_threads.argtypes = [ctypes.c_int]
            libraries.append(library)
        except (OSError, AttributeError):  # a mapped file without OpenBLAS's API (its LAPACK, say)
            pass
    return libraries


def set_threads(threads):
    """PyTorch's threads and its BLAS's: `threads`, checked with OpenBLAS (None where torch uses no OpenBLAS)."""
    torch.set_num_threads(threads)
    libraries = openblas_libraries()
    for library in libraries:
        library.openblas_set_num_threads(threads)
        got = library.openblas_get_num_threads()
        if got != threads:  # the caller's OPENBLAS_NUM_THREADS caps the pool; a run under another count's name would mislead
            raise RuntimeError(f"OpenBLAS runs {got} thread(s) where {threads} were asked for (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')})")
    return threads if libraries else None


def read(d, name, dtype, shape):
    return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=dtype).reshape(shape))


def load_params(d, sizes):
    params = []
    for l in range(1, len(sizes)):
        W = read(d, f"W{l}.f32", np.float32, (sizes[l - 1], sizes[l])).clone().requires_grad_(True)
        b = read(d, f"b{l}.f32", np.float32, (sizes[l],)).clone().requires_grad_(True)
        params += [W, b]
    return params


def forward(params, x, act):
    a = x
    n = len(params) // 2
    for l in range(n):
        z = torch.addmm(params[2 * l + 1], a, params[2 * l])  # z = a W + b
        a = act(z) if l < n - 1 else z
    return a  # the logits z^n


def write_grads(d, params):
    flat = np.concatenate([p.grad.detach().numpy().ravel() for p in params]).astype(np.float32)
    flat.tofile(os.path.join(d, "grad.f32"))


def steps_mode(d, p):
    sizes, act = p["sizes"], ACTIVATIONS[p["activation"]]
    params = load_params(d, sizes)
    x = read(d, "x.f32", np.float32, (p["batch"], sizes[0]))
    y = read(d, "labels.i32", np.int32, (p["batch"],)).long()
    loss = F.cross_entropy(forward(params, x, act), y)
    loss.backward()
    write_grads(d, params)
    opt = torch.optim.SGD(params, lr=p["lr"])
    timings = {}
    for threads in p["threads"]:
        blas = set_threads(threads)
        samples = []
        deadline = time.perf_counter() + p["maxSeconds"]
        while len(samples) < p["minSamples"] or (time.perf_counter() < deadline and len(samples) < 10000):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(forward(params, x, act), y).backward()
            opt.step()
            samples.append(time.perf_counter() - t0)
        samples = samples[len(samples) // 10 :]  # the first tenth warms up
        timings[str(threads)] = {"medianMs": 1000 * float(np.median(samples)), "samples": len(samples), "blasThreads": blas}
    return {"loss": loss.item(), "timings": timings}


def fashion_mode(d, p):
    """Trains an epoch at every thread count each time a line comes on stdin, printing one JSON line of figures,
    so that the bench can run PyTorch's epochs between its engines' (the machine's speed changes over minutes)."""
    sizes, act, batch = p["sizes"], ACTIVATIONS[p["activation"]], p["batch"]
    n_train, n_test, epochs = p["trainCount"], p["testCount"], p["epochs"]
    x_train = read(d, "train-x.u8", np.uint8, (n_train, sizes[0])).float() / 255
    y_train = read(d, "train-labels.i32", np.int32, (n_train,)).long()
    x_test = read(d, "test-x.u8", np.uint8, (n_test, sizes[0])).float() / 255
    y_test = read(d, "test-labels.i32", np.int32, (n_test,)).long()
    orders = read(d, "orders.i32", np.int32, (epochs, n_train)).long()
    runs, blas = {}, {}
    for threads in p["threads"]:
        blas[str(threads)] = set_threads(threads)
        params = load_params(d, sizes)
        if not runs:  # the gradients of the first batch at the starting parameters, for the check
            idx = orders[0, :batch]
            F.cross_entropy(forward(params, x_train[idx], act), y_train[idx]).backward()
            write_grads(d, params)
            for q in params:
                q.grad = None
        runs[str(threads)] = (params, torch.optim.Adam(params, lr=p["lr"], betas=tuple(p["betas"]), eps=p["eps"]))
    print(json.dumps({"ready": True, "blasThreads": blas, "version": torch.__version__}), flush=True)
    for e in range(epochs):
        if sys.stdin.readline() == "":  # the bench closed the pipe: nothing more to train
            return
        out = {}
        for threads in p["threads"]:
            set_threads(threads)
            params, opt = runs[str(threads)]
            total, steps = 0.0, n_train // batch
            t0 = time.perf_counter()
            for s in range(steps):
                idx = orders[e, s * batch : (s + 1) * batch]
                xb, yb = x_train[idx], y_train[idx]  # the gathering of a batch is part of the step, as in tapegrad's
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(forward(params, xb, act), yb)
                loss.backward()
                opt.step()
                total += loss.item()
            seconds = time.perf_counter() - t0
            with torch.no_grad():
                correct = (forward(params, x_test, act).argmax(1) == y_test).sum().item()
            out[str(threads)] = {"epoch": e + 1, "loss": total / steps, "accuracy": correct / n_test, "seconds": seconds}
        print(json.dumps({"epoch": e + 1, "runs": out}), flush=True)


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "problem.json")) as f:
        p = json.load(f)
    torch.manual_seed(0)
    if p["mode"] == "fashion":
        fashion_mode(d, p)  # answers on stdout, an epoch at a time
        return
    answer = steps_mode(d, p)
    answer["version"] = torch.__version__
    with open(os.path.join(d, "answer.json"), "w") as f:
        json.dump(answer, f)


if __name__ == "__main__":
    main()
