"""Writes the example dataset examples/blobs.npy (+ labels) with numpy (fixed seed). Run: python3 examples/make_examples.py"""
import numpy as np

rng = np.random.default_rng(7)
centres = np.array([[-1.5, 0.0], [1.5, 0.5], [0.0, 2.0]])
x = np.concatenate([c + 0.3 * rng.standard_normal((40, 2)) for c in centres])
y = np.repeat(np.arange(3), 40).astype(np.int64)
np.save("examples/blobs.npy", x)
np.save("examples/blobs-labels.npy", y)
