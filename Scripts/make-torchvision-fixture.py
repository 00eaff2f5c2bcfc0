#!/usr/bin/env python3
"""Writes Tests/Fixtures/torchvision/: a torchvision MobileNetV2 (width 0.35, 8 classes) state_dict as safetensors,
exactly as a user would save a model trained elsewhere, with one input batch and torchvision's eval-mode logits.

The import test loads the state dict into Condense's mobilenetv2 by name and must reproduce those logits. The input
is 96×96 so both models use the stride-2 stem (Condense switches to a stride-1 stem at ≤ 64 px). Batch-norm
statistics are randomized so folding them wrongly would show. Run: pip install torch torchvision safetensors numpy,
then Scripts/make-torchvision-fixture.py.
"""
import pathlib

import numpy as np
import torch
import torchvision
from safetensors.torch import save_file

out = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "torchvision"
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.mobilenet_v2(width_mult=0.35, num_classes=8)
with torch.no_grad():
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.2, 0.2)
model.eval()
images = torch.rand(2, 3, 96, 96) * 2 - 1
with torch.no_grad():
    logits = model(images)
save_file({name: tensor.contiguous() for name, tensor in model.state_dict().items()},
          str(out / "mobilenetv2_w035.safetensors"))
np.save(out / "input.npy", images.numpy())
np.save(out / "logits.npy", logits.numpy())
print(f"wrote {out}: torch {torch.__version__}, torchvision {torchvision.__version__}")
