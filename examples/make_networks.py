"""Trains the two example networks of issue 15 and exports them to ONNX with their model files.

  blobs-net.onnx / .json   a class-conditional MLP (rectified flow: velocity v = z - y of x_t = (1 - t) y + t z, the
                           time t as input) with a null class, on examples/blobs.npy (120 points, 3 labelled blobs)
  digits-net.onnx / .json  a class-conditional convolutional denoiser with EDM preconditioning (sigma_data = the data's
                           standard deviation, c_noise = log(sigma)/4 as input) and a null class, on the scikit-learn
                           digits examples/digits.npy (1797 images of 8 x 8 in 0..16, 10 classes)

Run with Debian's torch on the CPU (it serves the system Python): `/usr/bin/python3 examples/make_networks.py`
(seeded, one thread; about 5 minutes on an idle core). Both nets see the null class with probability 0.1 in training
(classifier-free guidance training), are exported in float32 with a dynamic batch, and record their training
settings and final losses in their model file. The loss per sigma is E|y - D(y + sigma z, sigma)|^2 over the training
set (8 noise draws per point), beside the exact mmse of the training set's empirical law at that sigma (the least any
denoiser can reach; numpy, float64).
"""
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)  # one thread: deterministic sums, and no OpenMP barrier stalls on a shared machine
P_UNCOND = 0.1
EVAL_SIGMAS = [0.1, 0.3, 1.0, 3.0, 10.0]


def fourier(c, n=16, scale=1.0):
    """Sinusoidal features of a per-row scalar c (shape [B]) -> [B, n]."""
    freqs = torch.exp(torch.linspace(0.0, math.log(1000.0), n // 2, dtype=c.dtype)) * scale
    a = c.reshape(-1, 1) * freqs[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


def exact_mmse(data, sigma, n_draws=8, seed=0):
    """E Tr Cov[y | x] of the empirical law of `data` at sigma (Monte Carlo over x = y + sigma z, exact posterior)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(data, n_draws, axis=0)
    x = y + sigma * rng.standard_normal(y.shape)
    sq = (data * data).sum(1)
    out = 0.0
    for i in range(0, len(x), 512):
        xb = x[i:i + 512]
        logits = -(sq[None, :] - 2 * xb @ data.T) / (2 * sigma * sigma)
        logits -= logits.max(1, keepdims=True)
        w = np.exp(logits)
        w /= w.sum(1, keepdims=True)
        m = w @ data
        out += (w @ sq - (m * m).sum(1)).sum()  # Tr Cov = sum_j w_j |y_j|^2 - |m|^2
    return out / len(x)


def network_loss(denoise, data, labels, sigma, n_draws=8, seed=0):
    """E|y - D(y + sigma z, sigma)|^2 over the training set, unconditional (the null class)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(data, n_draws, axis=0)
    x = y + sigma * rng.standard_normal(y.shape)
    with torch.no_grad():
        d = denoise(torch.tensor(x, dtype=torch.float32), sigma).double().numpy()
    return float(((y - d) ** 2).sum(1).mean())


# ---------------------------------------------------------------- blobs: rectified flow MLP
class BlobsNet(nn.Module):
    """v(x_t, t, c): x_t = (1 - t) y + t z, v = z - y; class K is the null class."""

    def __init__(self, num_classes, width=128):
        super().__init__()
        self.embed = nn.Embedding(num_classes + 1, 32)
        self.net = nn.Sequential(nn.Linear(2 + 32 + 32, width), nn.SiLU(), nn.Linear(width, width), nn.SiLU(),
                                 nn.Linear(width, width), nn.SiLU(), nn.Linear(width, 2))

    def forward(self, x, t, c):
        return self.net(torch.cat([x, fourier(t, 32, 4.0), self.embed(c)], dim=1))


def train_blobs():
    torch.manual_seed(0)
    data = np.load(os.path.join(HERE, "blobs.npy"))
    labels = np.load(os.path.join(HERE, "blobs-labels.npy")).astype(np.int64)
    K = int(labels.max()) + 1
    y_all = torch.tensor(data, dtype=torch.float32)
    c_all = torch.tensor(labels)
    net = BlobsNet(K)
    steps, batch, lr = 5000, 256, 2e-3
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    log_lo, log_hi = math.log(0.005), math.log(200.0)
    t0 = time.time()
    ema = None
    for step in range(steps):
        i = torch.randint(0, len(y_all), (batch,))
        y, c = y_all[i], c_all[i].clone()
        c[torch.rand(batch) < P_UNCOND] = K
        sigma = torch.exp(torch.rand(batch) * (log_hi - log_lo) + log_lo)  # log-uniform VE sigma
        t = sigma / (1 + sigma)
        z = torch.randn_like(y)
        xt = (1 - t)[:, None] * y + t[:, None] * z
        loss = ((net(xt, t, c) - (z - y)) ** 2).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        ema = loss.item() if ema is None else 0.99 * ema + 0.01 * loss.item()
        if (step + 1) % 1000 == 0:
            print(f"  step {step + 1}/{steps}: loss (EMA) {ema:.4f}, {time.time() - t0:.0f} s", flush=True)
    seconds = time.time() - t0
    net.eval()

    def denoise(x, sigma, c=K):  # VE x -> E[y | x, c]: x_t = (1 - t) y + t z = s x with s = 1 - t, y = x_t - t v
        t = sigma / (1 + sigma)
        xt = (1 - t) * x
        return xt - t * net(xt, torch.full((len(x),), t), torch.full((len(x),), c, dtype=torch.int64))

    return net, K, data, labels, denoise, {"steps": steps, "batch": batch, "optimizer": "Adam", "lr": lr, "schedule": "cosine",
                                           "sigma": "log-uniform in [0.005, 200], t = sigma/(1 + sigma)", "loss": "|v - v_hat|^2, v = z - y",
                                           "width": 128, "layers": 4, "pUncond": P_UNCOND, "seed": 0, "seconds": round(seconds, 1),
                                           "finalLossEma": round(ema, 5)}


# ---------------------------------------------------------------- digits: EDM-preconditioned conv net
class Block(nn.Module):
    def __init__(self, ch, emb):
        super().__init__()
        self.n1, self.c1 = nn.GroupNorm(8, ch), nn.Conv2d(ch, ch, 3, padding=1)
        self.n2, self.c2 = nn.GroupNorm(8, ch), nn.Conv2d(ch, ch, 3, padding=1)
        self.film = nn.Linear(emb, 2 * ch)

    def forward(self, h, e):
        scale, shift = self.film(e)[:, :, None, None].chunk(2, dim=1)
        u = self.c1(F.silu(self.n1(h)))
        u = self.n2(u) * (1 + scale) + shift
        return h + self.c2(F.silu(u))


class DigitsNet(nn.Module):
    """F(c_in x, c_noise, c) of EDM: D = c_skip x + c_out F; class K is the null class."""

    def __init__(self, num_classes, ch=32, emb=64):
        super().__init__()
        self.embed = nn.Embedding(num_classes + 1, emb)
        self.noise = nn.Sequential(nn.Linear(32, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.inp = nn.Conv2d(1, ch, 3, padding=1)
        self.down = nn.ModuleList([Block(ch, emb)])
        self.pool = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.mid = nn.ModuleList([Block(ch, emb), Block(ch, emb)])
        self.up = nn.ConvTranspose2d(ch, ch, 2, stride=2)
        self.out_blocks = nn.ModuleList([Block(ch, emb)])
        self.merge = nn.Conv2d(2 * ch, ch, 1)
        self.out = nn.Sequential(nn.GroupNorm(8, ch), nn.SiLU(), nn.Conv2d(ch, 1, 3, padding=1))

    def forward(self, x, c_noise, c):
        e = F.silu(self.noise(fourier(c_noise, 32, 1.0)) + self.embed(c))
        h = self.inp(x)
        for b in self.down:
            h = b(h, e)
        skip = h
        h = self.pool(h)
        for b in self.mid:
            h = b(h, e)
        h = self.merge(torch.cat([self.up(h), skip], dim=1))
        for b in self.out_blocks:
            h = b(h, e)
        return self.out(h)


def train_digits():
    torch.manual_seed(0)
    data = np.load(os.path.join(HERE, "digits.npy"))
    labels = np.load(os.path.join(HERE, "digits-labels.npy")).astype(np.int64)
    K = int(labels.max()) + 1
    sigma_data = float(data.std())
    y_all = torch.tensor(data, dtype=torch.float32).reshape(-1, 1, 8, 8)
    c_all = torch.tensor(labels)
    net = DigitsNet(K)
    steps, batch, lr = 2500, 128, 1e-3
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    log_lo, log_hi = math.log(0.05), math.log(500.0)
    t0 = time.time()
    ema = None
    for step in range(steps):
        i = torch.randint(0, len(y_all), (batch,))
        y, c = y_all[i], c_all[i].clone()
        c[torch.rand(batch) < P_UNCOND] = K
        sigma = torch.exp(torch.rand(batch) * (log_hi - log_lo) + log_lo)[:, None, None, None]
        x = y + sigma * torch.randn_like(y)
        q = sigma ** 2 + sigma_data ** 2
        c_skip, c_out, c_in = sigma_data ** 2 / q, sigma * sigma_data / q.sqrt(), 1 / q.sqrt()
        target = (y - c_skip * x) / c_out  # EDM's training target: lambda(sigma) |D - y|^2 = |F - target|^2
        loss = ((net(c_in * x, 0.25 * torch.log(sigma.flatten()), c) - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        ema = loss.item() if ema is None else 0.99 * ema + 0.01 * loss.item()
        if (step + 1) % 1000 == 0:
            print(f"  step {step + 1}/{steps}: loss (EMA) {ema:.4f}, {time.time() - t0:.0f} s", flush=True)
    seconds = time.time() - t0
    net.eval()

    def denoise(x, sigma, c=K):
        q = sigma ** 2 + sigma_data ** 2
        xi = x.reshape(-1, 1, 8, 8)
        f = net(xi / math.sqrt(q), torch.full((len(x),), 0.25 * math.log(sigma)), torch.full((len(x),), c, dtype=torch.int64))
        return (sigma_data ** 2 / q * xi + sigma * sigma_data / math.sqrt(q) * f).reshape(len(x), -1)

    return net, K, sigma_data, data, labels, denoise, {
        "steps": steps, "batch": batch, "optimizer": "Adam", "lr": lr, "schedule": "cosine",
        "sigma": "log-uniform in [0.05, 500]", "loss": "EDM: |F - (y - c_skip x)/c_out|^2 per pixel", "channels": 32,
        "parameters": sum(p.numel() for p in net.parameters()), "pUncond": P_UNCOND, "seed": 0,
        "seconds": round(seconds, 1), "finalLossEma": round(ema, 5)}


def evaluate(denoise, data, labels):
    net_loss = [round(network_loss(denoise, data, labels, s), 6) for s in EVAL_SIGMAS]
    mmse = [round(float(exact_mmse(data, s)), 6) for s in EVAL_SIGMAS]
    return {"sigma": EVAL_SIGMAS, "networkLoss": net_loss, "exactMmse": mmse,
            "note": "E|y - D(y + sigma z)|^2 (null class, 8 draws per training point) vs the exact mmse of the training set"}


def reference(denoise, data, labels, K, sigmas, seed):
    """D(x, sigma, class) of the torch model at a few noisy training points, for infodyn's ONNX route to match."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(data), size=len(sigmas), replace=False)
    x = data[idx] + np.array(sigmas)[:, None] * rng.standard_normal((len(sigmas), data.shape[1]))
    classes = [int(labels[i]) if k % 2 == 0 else -1 for k, i in enumerate(idx)]
    out = []
    with torch.no_grad():
        for xi, s, c in zip(x, sigmas, classes):
            d = denoise(torch.tensor(xi[None], dtype=torch.float32), s, K if c < 0 else c)
            out.append(d.double().numpy()[0].tolist())
    return {"x": x.tolist(), "sigma": sigmas, "class": classes, "denoised": out}


def write_spec(name, spec):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(spec, f, indent=1)
        f.write("\n")


def main():
    net, K, data, labels, denoise, training = train_blobs()
    training["evaluation"] = evaluate(denoise, data, labels)
    x = torch.randn(4, 2)
    torch.onnx.export(net, (x, torch.rand(4), torch.zeros(4, dtype=torch.int64)), os.path.join(HERE, "blobs-net.onnx"),
                      input_names=["x", "t", "class"], output_names=["v"], opset_version=17,
                      dynamic_axes={n: {0: "batch"} for n in ["x", "t", "class", "v"]})
    write_spec("blobs-net", {"kind": "onnx", "name": "rectified-flow MLP on the three blobs (class-conditional, null class 3)",
                             "path": "blobs-net.onnx", "parameterization": "v", "process": "flow", "noiseInput": "t",
                             "inputs": {"x": "x", "noise": "t", "class": "class"}, "nullClass": K,
                             "data": "blobs.npy", "labels": "blobs-labels.npy", "training": training})
    print("blobs", json.dumps(training), flush=True)
    references = {"blobs-net": reference(denoise, data, labels, K, [0.05, 0.3, 1.0, 4.0, 20.0, 100.0], 1)}

    net, K, sigma_data, data, labels, denoise, training = train_digits()
    training["evaluation"] = evaluate(denoise, data, labels)
    x = torch.randn(4, 1, 8, 8)
    torch.onnx.export(net, (x, torch.rand(4), torch.zeros(4, dtype=torch.int64)), os.path.join(HERE, "digits-net.onnx"),
                      input_names=["x", "c_noise", "class"], output_names=["F"], opset_version=17,
                      dynamic_axes={n: {0: "batch"} for n in ["x", "c_noise", "class", "F"]})
    write_spec("digits-net", {"kind": "onnx", "name": "EDM-preconditioned conv net on the scikit-learn digits (class-conditional, null class 10)",
                              "path": "digits-net.onnx", "parameterization": "edm", "process": "edm", "noiseInput": "c_noise",
                              "sigmaData": sigma_data, "shape": [1, 8, 8], "inputs": {"x": "x", "noise": "c_noise", "class": "class"},
                              "nullClass": K, "data": "digits.npy", "labels": "digits-labels.npy", "training": training})
    print("digits", json.dumps(training), flush=True)
    references["digits-net"] = reference(denoise, data, labels, K, [0.2, 1.0, 3.0, 10.0, 40.0, 200.0], 2)
    with open(os.path.join(HERE, "..", "test", "fixtures", "onnx", "networks-reference.json"), "w") as f:
        json.dump({"note": "D(x, sigma, class) of examples/make_networks.py's torch models (float32; class -1: the null class)", **references}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
