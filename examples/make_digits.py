"""Writes the scikit-learn digits (1797 images of 8×8, values 0–16, 10 classes) as examples/digits.npy (float64,
1797 × 64) + examples/digits-labels.npy (int64), and the 0-vs-1 subset as examples/digits01.npy (+ labels), with
their model files (with `"shape": [8, 8]`: each point is an 8 × 8 image, row-major). The data ships with scikit-learn (no download). Run with Debian's system Python, which has
python3-sklearn: /usr/bin/python3 examples/make_digits.py"""
import json
import os

import numpy as np
from sklearn.datasets import load_digits

here = os.path.dirname(os.path.abspath(__file__))
digits = load_digits()
x = np.ascontiguousarray(digits.data, dtype=np.float64)
y = np.ascontiguousarray(digits.target, dtype=np.int64)
assert x.shape == (1797, 64) and y.shape == (1797,)
keep = y <= 1


def write(stem, name, xs, ys):
    np.save(os.path.join(here, stem + ".npy"), xs)
    np.save(os.path.join(here, stem + "-labels.npy"), ys)
    model = {"kind": "dataset", "name": name, "path": stem + ".npy", "labels": stem + "-labels.npy", "shape": [8, 8]}
    with open(os.path.join(here, stem + ".json"), "w") as f:
        f.write(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n")


write("digits", "scikit-learn digits (8×8)", x, y)
write("digits01", "scikit-learn digits (8×8), 0 vs 1", x[keep], y[keep])
