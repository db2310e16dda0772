#!/usr/bin/env python3
"""Tl1's thresholding operator in PyTorch and numpy, one thread: the outside peer for Tl1VsTorch.

Reads n little-endian float32 from one file and, for each regime "a:mu" given, applies the stable
form of docs/math.md section 3.4 (the formula TransformedL1 computes) in three ways:

  torch64  in float64 (the precision of the project's contract), result rounded to float32
  torch32  in float32 throughout (faster, less accurate)
  numpy64  in float64, result rounded to float32

  T(x) = 0                                         if |x| <= t*
         sgn(x) clamp(|x| - (4/3)(a + |x|) sin^2(phi/6), 0, |x|)   otherwise,
  phi = 2 asin(sqrt(min(q, 1))),  q = eps/2 = 27 mu a (a + 1) / (4 (a + |x|)^3)
  t* = mu (a + 1)/a if mu <= a^2 / (2 (a + 1)), else sqrt(2 mu (a + 1)) - a/2

Each variant runs once to warm up, then `reps` timed times (one call = the whole array, conversions
included); its result goes to OUT_DIR/<variant>-<regime index>.f32. Each call is timed by the wall
clock and by this thread's CPU time (time.thread_time_ns: the time the thread ran, which on a loaded
machine leaves out the time it waited for a core). Prints one JSON line: versions and the per-call
times in ms per variant and regime, wall ("times_ms") and CPU ("cpu_ms").

With --serve first, it instead prints the versions line, then reads requests from stdin, one a line,
"INDEX [CALLS]", and for each runs that regime CALLS times (REPS if not given; after one warm-up call,
writing its results the first time) and prints one JSON line of its times,
{"times_ms": {variant: [...]}, "cpu_ms": {...}}, until stdin ends: so that Tl1VsTorch can take turns
with it a few calls at a time without starting Python each time.

Usage: torch_tl1.py [--serve] DATA.f32 OUT_DIR REPS a:mu [a:mu ...]   (needs torch and numpy)
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch


def threshold(a, mu):
    if mu <= a * a / (2.0 * (a + 1.0)):
        return mu * (a + 1.0) / a
    return math.sqrt(2.0 * mu * (a + 1.0)) - a / 2.0


def largest_float32_at_most(t):
    """The largest float32 <= t: for float32 x, |x| > t exactly when |x| > this (compared in float32)."""
    f = np.float32(t)
    return float(f if float(f) <= t else np.nextafter(f, np.float32(-np.inf)))


def tl1_torch(x, a, mu, t, dtype):
    xd = x.to(dtype)
    ax = xd.abs()
    apx = ax + a
    q = apx * apx
    q.mul_(apx).reciprocal_().mul_(27.0 * mu * a * (a + 1.0) / 4.0)
    s = q.clamp_(max=1.0).sqrt_().asin_().mul_(1.0 / 3.0).sin_()      # sin(phi/6)
    y = s.mul_(s).mul_(apx).mul_(-4.0 / 3.0).add_(ax)                 # |x| - (4/3)(a+|x|) s^2
    y = torch.minimum(y.clamp_(min=0.0), ax).copysign_(xd)
    y.masked_fill_(ax <= t, 0.0)
    return y.to(torch.float32)


def tl1_numpy(x, a, mu, t):
    xd = x.astype(np.float64)
    ax = np.abs(xd)
    apx = ax + a
    q = apx * apx
    q *= apx
    np.reciprocal(q, out=q)
    q *= 27.0 * mu * a * (a + 1.0) / 4.0
    np.minimum(q, 1.0, out=q)
    np.sqrt(q, out=q)
    np.arcsin(q, out=q)
    q *= 1.0 / 3.0
    s = np.sin(q, out=q)
    s *= s
    s *= apx
    s *= -4.0 / 3.0
    y = np.add(s, ax, out=s)
    np.maximum(y, 0.0, out=y)
    np.minimum(y, ax, out=y)
    np.copysign(y, xd, out=y)
    y[ax <= t] = 0.0
    return y.astype(np.float32)


def run_regime(x32, xt, a, mu, reps, out_dir, index, write):
    """Times the three variants on one regime; their per-call ms, wall and CPU."""
    t = threshold(a, mu)
    t32 = largest_float32_at_most(t)
    variants = {
        "torch64": lambda: tl1_torch(xt, a, mu, t, torch.float64).numpy(),
        "torch32": lambda: tl1_torch(xt, a, mu, t32, torch.float32).numpy(),
        "numpy64": lambda: tl1_numpy(x32, a, mu, t),
    }
    wall, cpu = {}, {}
    for name, run in variants.items():
        result = run()                                                # warm-up
        if write:
            result.astype("<f4").tofile(os.path.join(out_dir, "%s-%d.f32" % (name, index)))
        wall[name], cpu[name] = [], []
        for _ in range(reps):
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            run()
            end_cpu, end = time.thread_time_ns(), time.perf_counter_ns()
            wall[name].append((end - start) / 1e6)
            cpu[name].append((end_cpu - start_cpu) / 1e6)
    return wall, cpu


def main():
    args = sys.argv[1:]
    serve = args[:1] == ["--serve"]
    if serve:
        args = args[1:]
    path, out_dir, reps = args[0], args[1], int(args[2])
    regimes = [tuple(float(v) for v in r.split(":")) for r in args[3:]]
    torch.set_num_threads(1)
    x32 = np.fromfile(path, dtype="<f4")
    xt = torch.from_numpy(x32)
    versions = {"torch": torch.__version__, "numpy": np.__version__, "torch_threads": torch.get_num_threads()}
    if serve:
        print(json.dumps(versions), flush=True)
        written = set()
        for line in sys.stdin:
            if not line.strip():
                continue
            request = line.split()
            i = int(request[0])
            calls = int(request[1]) if len(request) > 1 else reps
            a, mu = regimes[i]
            wall, cpu = run_regime(x32, xt, a, mu, calls, out_dir, i, i not in written)
            written.add(i)
            print(json.dumps({"times_ms": wall, "cpu_ms": cpu}), flush=True)
        return
    times = {"torch64": [], "torch32": [], "numpy64": []}
    cpu_times = {"torch64": [], "torch32": [], "numpy64": []}
    for i, (a, mu) in enumerate(regimes):
        wall, cpu = run_regime(x32, xt, a, mu, reps, out_dir, i, True)
        for name in times:
            times[name].append(wall[name])
            cpu_times[name].append(cpu[name])
    print(json.dumps(dict(versions, times_ms=times, cpu_ms=cpu_times)))


if __name__ == "__main__":
    main()
