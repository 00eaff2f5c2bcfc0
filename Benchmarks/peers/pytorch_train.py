"""Steady-state training throughput of PyTorch (--device cpu, or cuda on a GPU machine), measured as
`condense bench train` measures ours: synthetic input, forward + backward + SGD step (momentum 0.9, weight decay 5e-4),
2 warm-up steps, then --steps. On CUDA the timed steps end with a synchronize, convolutions and matrix products run in
strict FP32 as Condense's do unless --tf32 is given, and the report adds the peak of PyTorch's device allocations."""
import time

import torch
from torch import nn

from common import arguments, report
from models_torch import build


def device_options(parser):
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a machine with an NVIDIA GPU")
    parser.add_argument("--tf32", action="store_true", help="let CUDA convolutions and matrix products use TF32")


args = arguments(__doc__, device_options)
device = torch.device(args.device)
if device.type == "cuda":
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = args.tf32
torch.manual_seed(0)
model = build(args.model, args.width, args.classes, args.image_size).train().to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
images = torch.randn(args.batch, 3, args.image_size, args.image_size, device=device)
labels = torch.arange(args.batch, device=device) % args.classes
loss_function = nn.CrossEntropyLoss()


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_function(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss


def synchronize():
    if device.type == "cuda":
        torch.cuda.synchronize()


for _ in range(2):
    step()
synchronize()
start, processor_start = time.perf_counter(), time.process_time()
for _ in range(args.steps):
    loss = step()
synchronize()
seconds, processor_seconds = time.perf_counter() - start, time.process_time() - processor_start
extra = {"device": args.device, "threads": torch.get_num_threads()}
if device.type == "cuda":
    extra.update(device_name=torch.cuda.get_device_name(device), tf32=args.tf32,
                 peak_device_bytes=torch.cuda.max_memory_allocated(device))
report(args, seconds, processor_seconds, peer="pytorch", version=torch.__version__, final_loss=float(loss.detach()),
       **extra)
