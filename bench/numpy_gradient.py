#!/usr/bin/env python3
"""The empirical loss and gradient of the no-overlap network in numpy: the outside peer for
GradientVsNumpy. Reads Z (n,k,d), y (n) and w (d) as little-endian float64 from one file, runs the
computation `reps` times, prints one JSON line: the per-run times (ms), the loss and the gradient.

  l_n(w)      = mean_j (f(Z^j,w) - y^j)^2,  f(Z,w) = (1/k) sum_i relu(Z_i . w)
  grad l_n(w) = 2/(n k) sum_j (f(Z^j,w) - y^j) sum_i 1{Z^j_i . w > 0} Z^j_i
"""
import json
import sys
import time

import numpy as np


def loss_and_gradient(z, y, w):
    n, k, _ = z.shape
    products = z @ w                                  # (n, k): one BLAS pass over Z
    residual = np.maximum(products, 0.0).sum(axis=1) / k - y
    weights = (products > 0.0) * residual[:, None]    # (n, k)
    gradient = (2.0 / (n * k)) * (weights.reshape(-1) @ z.reshape(n * k, -1))  # a second pass
    return float(np.mean(residual * residual)), gradient


def main():
    path, n, k, d, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    data = np.fromfile(path, dtype="<f8")
    z = data[: n * k * d].reshape(n, k, d)
    y = data[n * k * d: n * k * d + n]
    w = data[n * k * d + n:]
    assert w.shape == (d,), w.shape
    loss, gradient = loss_and_gradient(z, y, w)       # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        loss, gradient = loss_and_gradient(z, y, w)
        times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"numpy": np.__version__, "times_ms": times, "loss": loss,
                      "gradient": gradient.tolist()}))


if __name__ == "__main__":
    main()
