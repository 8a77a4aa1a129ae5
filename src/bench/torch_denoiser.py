"""The torch side of `npm run bench`'s network case (src/bench/network.ts): the digits network of
examples/make_networks.py, rebuilt from its module class and loaded with the weights of examples/digits-net.onnx,
timed as one EDM denoiser call D(x; sigma) = c_skip x + c_out F(c_in x, c_noise, class) per batch, on the CPU.

Run with Debian's torch (`/usr/bin/python3`, which also has the `onnx` module). One argument, a JSON object:
  {"onnx": path, "examples": folder of make_networks.py, "dir": scratch folder holding x.f64 ([rows, 64] float64)
   and labels.i64 (int64), "sigma": s, "sigmaData": sd, "threads": T, "batches": [1, 64, ...], "seconds": 1,
   "repeats": 3, "reference": test/fixtures/onnx/networks-reference.json or null}
Writes dir/torch-B.f64 (D of the first B rows, float64) per batch and prints one JSON line: torch's version, the
threads, the weights' check against the reference fixture and, per batch, the calls per second of each measurement.
Exit status 3 (with the reason on stderr) where torch or onnx cannot be imported.

Weights: every ONNX initializer named as a state_dict key is that tensor; GroupNorm's affine weight and bias were
folded by the exporter into anonymous `onnx::Mul_N` / `onnx::Add_N` initializers of shape [C, 1, 1], which are
mapped back through the scope of the node consuming them (`/mid.0/n1/Mul` -> `mid.0.n1.weight`). The state dict is
loaded strictly: every parameter must be found exactly once, with its shape.
"""
import json
import math
import os
import sys
import time

try:
    import numpy as np
    import torch
    import onnx
    from onnx import numpy_helper
except ImportError as e:  # the bench prints a skip line for the torch column
    print(f"{e}", file=sys.stderr)
    sys.exit(3)


def module_of(scope):
    """`/out/out.0/Mul` -> `out.0`, `/down.0/n1/Add` -> `down.0.n1`: the qualified module name of a node's scope."""
    name = ""
    for part in scope.strip("/").split("/")[:-1]:
        name = part if not name or part.startswith(name + ".") else name + "." + part
    return name


def onnx_state_dict(model, net):
    """The state dict of `net` filled from the initializers of the ONNX `model` (see the module doc)."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    want = net.state_dict()
    found = {k: torch.from_numpy(inits[k].copy()) for k in want if k in inits}
    for node in model.graph.node:
        if node.op_type not in ("Mul", "Add"):
            continue
        for i in node.input:
            if i in inits and i.startswith("onnx::"):
                key = f"{module_of(node.name)}.{'weight' if node.op_type == 'Mul' else 'bias'}"
                if key not in want or key in found:
                    raise SystemExit(f"initializer {i} (node {node.name}) maps to {key}, which is not a free parameter")
                found[key] = torch.from_numpy(inits[i].reshape(want[key].shape).copy())
    missing = sorted(set(want) - set(found))
    if missing:
        raise SystemExit(f"no ONNX initializer for {missing}")
    return found


def main():
    cfg = json.loads(sys.argv[1])
    sys.path.insert(0, cfg["examples"])
    import make_networks  # its training runs only under __main__; importing it sets one thread, reset below

    torch.set_num_threads(cfg["threads"])
    try:
        torch.set_num_interop_threads(1)  # as ONNX Runtime's one inter-op thread
    except RuntimeError:
        pass
    model = onnx.load(cfg["onnx"])
    classes = next(numpy_helper.to_array(t) for t in model.graph.initializer if t.name == "embed.weight").shape[0] - 1
    net = make_networks.DigitsNet(classes)
    net.load_state_dict(onnx_state_dict(model, net), strict=True)
    net.eval()

    sd, sigma = cfg["sigmaData"], cfg["sigma"]

    def denoise(x, s, c):
        """D(x; s) of EDM, as make_networks.py's train_digits computes it: c_skip x + c_out F(c_in x, log(s)/4, c)."""
        q = s * s + sd * sd
        f = net(x / math.sqrt(q), torch.full((x.shape[0],), 0.25 * math.log(s)), c)
        return sd * sd / q * x + s * sd / math.sqrt(q) * f

    check = None
    if cfg.get("reference") and os.path.exists(cfg["reference"]):
        # The reloaded module against the trained one: D of make_networks.py's torch model at 6 (x, sigma, class).
        ref = json.load(open(cfg["reference"]))["digits-net"]
        worst = 0.0
        with torch.inference_mode():
            for xi, s, c, want in zip(ref["x"], ref["sigma"], ref["class"], ref["denoised"]):
                x = torch.tensor(xi, dtype=torch.float32).reshape(1, 1, 8, 8)
                got = denoise(x, s, torch.tensor([classes if c < 0 else c])).double().numpy().ravel()
                worst = max(worst, float(np.abs(got - np.array(want)).max()))
        check = worst

    X = np.fromfile(os.path.join(cfg["dir"], "x.f64"))
    labels = np.fromfile(os.path.join(cfg["dir"], "labels.i64"), dtype=np.int64)
    X = X.reshape(len(labels), 1, 8, 8)
    results = []
    with torch.inference_mode():
        for B in cfg["batches"]:
            x = torch.tensor(X[:B], dtype=torch.float32)
            c = torch.from_numpy(labels[:B].copy())
            out = denoise(x, sigma, c)
            out.double().numpy().ravel().tofile(os.path.join(cfg["dir"], f"torch-{B}.f64"))
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.25 * cfg["seconds"]:  # warm-up
                denoise(x, sigma, c)
            rates = []
            for _ in range(cfg["repeats"]):
                n, t0 = 0, time.perf_counter()
                while True:
                    denoise(x, sigma, c)
                    n += 1
                    t = time.perf_counter() - t0
                    if t >= cfg["seconds"]:
                        break
                rates.append(n / t)
            results.append({"batch": B, "callsPerSecond": rates})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "check": check, "results": results}))


if __name__ == "__main__":
    main()
