"""Steady-state training throughput of PyTorch on the CPU, measured as `condense bench train` measures ours:
synthetic input, forward + backward + SGD step (momentum 0.9, weight decay 5e-4), 2 warm-up steps, then --steps."""
import time

import torch
from torch import nn

from common import arguments, report
from models_torch import build

args = arguments(__doc__)
torch.manual_seed(0)
model = build(args.model, args.width, args.classes, args.image_size).train()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
images = torch.randn(args.batch, 3, args.image_size, args.image_size)
labels = torch.arange(args.batch) % args.classes
loss_function = nn.CrossEntropyLoss()


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_function(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss


for _ in range(2):
    step()
start, processor_start = time.perf_counter(), time.process_time()
for _ in range(args.steps):
    loss = step()
seconds, processor_seconds = time.perf_counter() - start, time.process_time() - processor_start
report(args, seconds, processor_seconds, device="cpu", peer="pytorch", version=torch.__version__, threads=torch.get_num_threads(),
       final_loss=float(loss.detach()))
