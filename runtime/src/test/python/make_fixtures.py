#!/usr/bin/env python3
"""Writes the safetensors fixtures that PythonFixturesTest loads: files written by the official
Python package (huggingface/safetensors), so that the Java reader is checked against the reference
writer, not only against itself.

Generated with safetensors 0.8.0 and numpy 1.24.2 (Python 3, Debian), from the repository root:

    /usr/bin/python3 -m pip install --target /tmp/pysafe safetensors==0.8.0
    PYTHONPATH=/tmp/pysafe /usr/bin/python3 runtime/src/test/python/make_fixtures.py

Deterministic: every array is a fixed formula (np.arange based) whose values are exact in float32,
and PythonFixturesTest recomputes the same formulas in Java. The official writer sorts the tensors
(by dtype alignment, then by name) and serialises the header with serde_json; rerunning the script
gives the same bytes except for the order of the __metadata__ keys, which the writer keeps in a
Rust HashMap (random order per run). Each file is a few KB.
"""
import os

import numpy as np
from safetensors.numpy import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "org", "rvsm", "runtime", "python")

# metadata with every awkward kind of character: newline, tab, quote, backslash, slash, a control
# character, non-ASCII (2-, 3- and 4-byte UTF-8, the last a surrogate pair in Java)
NOTE = 'line1\nline2\t"quoted" back\\slash /slash \x01 caf\u00e9 \u65e5\u672c \U0001F600'


def tiny_model():
    """A lenet300-shaped model, tiny: 784 -> 2 -> 3, about 80% zeros in the first weight."""
    i = np.arange(2 * 784)
    w1 = np.where(i % 5 == 0, ((i % 17) - 8) / 64.0, 0.0).astype(np.float32).reshape(2, 784)
    b1 = np.array([0.25, -0.5], dtype=np.float32)
    w2 = ((np.arange(6) - 2.5) / 2.0).astype(np.float32).reshape(3, 2)
    b2 = np.array([0.125, 0.0, -0.125], dtype=np.float32)
    return {"02Linear_weight": w1, "02Linear_bias": b1, "04Linear_weight": w2, "04Linear_bias": b2}


def image():
    return (((np.arange(784) % 11) - 5) / 8.0).astype(np.float32)


def logits(model, x):
    """The forward pass in float64: dense, ReLU, dense."""
    h = np.maximum(model["02Linear_weight"].astype(np.float64) @ x.astype(np.float64) + model["02Linear_bias"], 0.0)
    return model["04Linear_weight"].astype(np.float64) @ h + model["04Linear_bias"]


def csr(model):
    """The model in this project's sparse export (runtime SparseFormat, format rvsm-csr-1)."""
    out = {}
    meta = {"format": "rvsm-csr-1", "model": "tiny"}
    for name, t in model.items():
        if not name.endswith("_weight"):
            out[name] = t
            continue
        m = t.reshape(t.shape[0], -1)
        rows, cols = np.nonzero(m)  # row-major, columns ascending within a row
        out[name + ".indptr"] = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=m.shape[0]))]).astype(np.int32)
        out[name + ".indices"] = cols.astype(np.uint16)
        out[name + ".values"] = m[rows, cols].astype(np.float32)
        meta[name + ".shape"] = "[" + ",".join(str(d) for d in t.shape) + "]"
    return out, meta


def main():
    os.makedirs(OUT, exist_ok=True)
    model = tiny_model()
    save_file(model, os.path.join(OUT, "tiny_model.safetensors"), metadata={"model": "tiny", "note": NOTE})
    x = image()
    save_file({"image": x.reshape(1, 784), "logits": logits(model, x).astype(np.float32).reshape(1, 3)},
              os.path.join(OUT, "tiny_logits.safetensors"))
    sparse, meta = csr(model)
    save_file(sparse, os.path.join(OUT, "tiny_sparse.safetensors"), metadata=meta)
    save_file({
        "f32": (np.arange(6) * 0.5 - 1.0).astype(np.float32).reshape(2, 3),
        "i32": np.array([-2147483648, -1, 0, 2147483647], dtype=np.int32),
        "u16": np.array([0, 1, 65534, 65535], dtype=np.uint16).reshape(2, 2),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }, os.path.join(OUT, "dtypes.safetensors"))
    # the same model with names that sort out of model order: the writer puts "classes" before "hidden"
    save_file({"hidden_weight": model["02Linear_weight"], "hidden_bias": model["02Linear_bias"],
               "classes_weight": model["04Linear_weight"], "classes_bias": model["04Linear_bias"]},
              os.path.join(OUT, "unordered.safetensors"))
    save_file({"x": np.arange(4, dtype=np.float32)}, os.path.join(OUT, "empty_metadata.safetensors"), metadata={})
    save_file({"w": np.arange(3, dtype=np.float64), "b": np.arange(2, dtype=np.float32)},
              os.path.join(OUT, "f64.safetensors"))


if __name__ == "__main__":
    main()
