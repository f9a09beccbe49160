"""PyTorch's examples/mnist/main.py as SwiftTorch's examples/mnist ports it, for side-by-side time
and memory: the same network, Adadelta (lr 1.0) with StepLR (gamma 0.7), batch 64, test batches
of 1000, on Debian's Fashion-MNIST read with numpy and kept as uint8, converted and normalised per
sample as torchvision's ToTensor() and Normalize((0.1307,), (0.3081,)) do. Prints the test lines
and the peak resident memory (ru_maxrss).
Usage: python scripts/mnist_example_torch.py [--epochs N] [--limit N] [--threads N]
"""
import argparse
import gzip
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--limit", type=int, default=0)
p.add_argument("--threads", type=int, default=2)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)
root = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{root}/{name}", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Pixels(torch.utils.data.Dataset):
    """uint8 images, each made a normalised float [1, 28, 28] when fetched (torchvision's way)."""

    def __init__(self, images, labels):
        self.images, self.labels = torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.images[i].to(torch.float32).div(255).unsqueeze(0)
        return (x - 0.1307) / 0.3081, self.labels[i]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return F.log_softmax(self.fc2(x), dim=1)


train_x, train_y = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
test_x, test_y = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
if args.limit > 0:
    train_x, train_y = train_x[:args.limit], train_y[:args.limit]
    test_x, test_y = test_x[:args.limit], test_y[:args.limit]
train_loader = torch.utils.data.DataLoader(Pixels(train_x, train_y), batch_size=64, shuffle=True)
test_loader = torch.utils.data.DataLoader(Pixels(test_x, test_y), batch_size=1000)
model = Net()
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, args.epochs + 1):
    t0 = time.perf_counter()
    model.train()
    for data, target in train_loader:
        optimizer.zero_grad()
        F.nll_loss(model(data), target).backward()
        optimizer.step()
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            loss += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    n = len(test_loader.dataset)
    print(f"epoch {epoch}: {time.perf_counter() - t0:.2f} s, test loss {loss / n:.4f}, "
          f"accuracy {correct}/{n} ({100.0 * correct / n:.0f}%)", flush=True)
    scheduler.step()
print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
