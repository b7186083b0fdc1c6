"""PyTorch reference for PeerGrid's neural forecasters: the same network, sizes, batch, optimiser and epochs,
trained on the very samples PeerGrid trains on (written by `benchmark forecast` as raw float32 arrays).

Usage: neural_reference.py DIR OUT.json
DIR holds meta.json, x.bin (samples x window x features, sample major) and y.bin (samples x horizon).
Reports seconds per epoch, samples per second and inference times (CPU, torch.set_num_threads(meta threads)).
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


class LSTMNet(nn.Module):
    def __init__(self, features, layers, hidden, outputs):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


class TCN(nn.Module):
    """Causal dilated convolutions (left padding), ReLU after each, head on the last step."""

    def __init__(self, features, filters, kernel, dilations, outputs):
        super().__init__()
        self.pads = [(kernel - 1) * d for d in dilations]
        self.convs = nn.ModuleList()
        width = features
        for d in dilations:
            self.convs.append(nn.Conv1d(width, filters, kernel, dilation=d))
            width = filters
        self.head = nn.Linear(filters, outputs)

    def forward(self, x):
        h = x.transpose(1, 2)  # (batch, channels, time)
        for pad, conv in zip(self.pads, self.convs):
            h = torch.relu(conv(nn.functional.pad(h, (pad, 0))))
        return self.head(h[:, :, -1])


def pinball(prediction, target, quantiles):
    h = target.shape[1]
    total = 0.0
    for k, q in enumerate(quantiles):
        d = target - prediction[:, k * h:(k + 1) * h]
        total = total + torch.maximum(q * d, (q - 1) * d).sum()
    return total / prediction.numel()


def main():
    directory, out = sys.argv[1], sys.argv[2]
    meta = json.load(open(f"{directory}/meta.json"))
    torch.set_num_threads(meta["threads"])
    torch.manual_seed(meta["seed"])
    n, w, f, h = meta["samples"], meta["window"], meta["features"], meta["horizon"]
    x = torch.from_numpy(np.fromfile(f"{directory}/x.bin", dtype="<f4").reshape(n, w, f).copy())
    y = torch.from_numpy(np.fromfile(f"{directory}/y.bin", dtype="<f4").reshape(n, h).copy())
    q = meta["quantiles"]
    arch = meta["architecture"]
    outputs = h * len(q)
    if arch["kind"] == "lstm":
        model = LSTMNet(f, arch["layers"], arch["hidden"], outputs)
    else:
        model = TCN(f, arch["filters"], arch["kernel"], arch["dilations"], outputs)
    nn.init.zeros_(model.head.weight)
    nn.init.zeros_(model.head.bias)
    optimiser = torch.optim.Adam(model.parameters(), lr=meta["learning_rate"])
    batch = meta["batch"]
    generator = torch.Generator().manual_seed(meta["seed"])
    epoch_seconds, losses = [], []
    for _ in range(meta["epochs"]):
        model.train()
        order = torch.randperm(n, generator=generator)
        start = time.perf_counter()
        total, batches = 0.0, 0
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimiser.zero_grad()
            loss = pinball(model(x[idx]), y[idx], q)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), meta["clip_norm"])
            optimiser.step()
            total += loss.item()
            batches += 1
        epoch_seconds.append(time.perf_counter() - start)
        losses.append(total / batches)
    model.eval()
    m = min(n, meta["inference_samples"])
    with torch.no_grad():
        start = time.perf_counter()
        for i in range(0, m, 256):
            model(x[i:min(m, i + 256)])
        batch_inference = time.perf_counter() - start
        single = []
        for _ in range(20):
            t0 = time.perf_counter()
            model(x[:1])
            single.append(time.perf_counter() - t0)
    single.sort()
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "epoch_seconds": epoch_seconds,
               "losses": losses, "batch_inference_seconds": batch_inference, "single_inference_seconds": single[len(single) // 2],
               "inference_samples": m}, open(out, "w"), indent=1)


if __name__ == "__main__":
    main()
