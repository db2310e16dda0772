"""Reads the files of `rvsm export` with the official safetensors package (an independent reader) and
checks them: every CSR weight of sparse.safetensors, rebuilt with scipy, equals the dense export; the
compacted model is smaller; and for lenet300, a numpy forward pass of all three gives the same
predictions on random inputs.

Usage: python3 bench/load_export.py EXPORT_DIR   (needs numpy, scipy, safetensors)
"""
import json
import sys

import numpy as np
import scipy.sparse as sp
from safetensors import safe_open
from safetensors.numpy import load_file


def csr_weights(path):
    t = load_file(path)
    with safe_open(path, "np") as f:
        meta = f.metadata()
    assert meta["format"] == "rvsm-csr-1", meta.get("format")
    out = {}
    for key in t:
        if key.endswith(".indptr"):
            name = key[: -len(".indptr")]
            shape = json.loads(meta[name + ".shape"])
            m = sp.csr_matrix((t[name + ".values"], t[name + ".indices"], t[name + ".indptr"]),
                              shape=(shape[0], int(np.prod(shape[1:]))))
            out[name] = m.toarray().reshape(shape)
        elif "." not in key:
            out[key] = t[key]
    return out


def lenet300(w, x):
    names = sorted(k[: -len("_weight")] for k in w if k.endswith("_weight"))
    for i, n in enumerate(names):
        x = x @ w[n + "_weight"].T + w[n + "_bias"]
        if i < len(names) - 1:
            x = np.maximum(x, 0)
    return x


def main(directory):
    dense = load_file(directory + "/dense.safetensors")
    sparse = csr_weights(directory + "/sparse.safetensors")
    compact = load_file(directory + "/compact.safetensors")
    assert dense.keys() == sparse.keys(), (dense.keys(), sparse.keys())
    for k in dense:
        assert dense[k].dtype == np.float32 and np.array_equal(dense[k], sparse[k]), k
    print("sparse.safetensors == dense.safetensors for", len(dense), "tensors")
    if all(v.ndim == 2 for k, v in dense.items() if k.endswith("_weight")):
        x = np.random.default_rng(1).standard_normal((1000, 784)).astype(np.float32)
        a, b, c = (lenet300(m, x).argmax(1) for m in (dense, sparse, compact))
        print("lenet300 predictions on 1000 random inputs: dense = sparse:", bool((a == b).all()),
              "; dense = compact:", int((a == c).sum()), "of 1000")
    for k in compact:
        if k.endswith("_weight"):
            print(k, "dense", dense[k].shape, "-> compact", compact[k].shape)


if __name__ == "__main__":
    main(sys.argv[1])
