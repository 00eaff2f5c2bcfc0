"""Test accuracy of PyTorch on a MedMNIST .npz with Condense's default recipe, to check that `condense train` reaches
what PyTorch reaches with the same models (models_torch.py), recipe and epochs: SGD with Nesterov momentum 0.9, peak
learning rate 0.05 after a linear warm-up from a tenth of it over the first epoch, cosine decay to zero at the last
step, weight decay 5e-4 on every parameter, batches of 128 (the last one smaller), horizontal flips, per-channel
normalization with the training split's mean and standard deviation; the weights best on validation (scored after
every epoch) are scored on the test split. Prints one JSON object."""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn

from models_torch import CIFARResNet, MobileNetV2


def load(path):
    """The splits as float NCHW tensors in [0, 1] and int64 labels."""
    data = np.load(path)

    def split(name):
        images = data[f"{name}_images"]
        images = images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
        return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(data[f"{name}_labels"].reshape(-1).astype(np.int64))

    return split("train"), split("val"), split("test")


def accuracy(model, images, labels, mean, std):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 512):
            logits = model((images[start:start + 512] - mean) / std)
            correct += int((logits.argmax(1) == labels[start:start + 512]).sum())
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", default="mobilenetv2", choices=["mobilenetv2", "resnet20"])
    parser.add_argument("--width", type=float, default=0.35)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    (train_x, train_y), (val_x, val_y), (test_x, test_y) = load(args.data)
    channels, side, classes = train_x.shape[1], train_x.shape[2], int(train_y.max()) + 1
    mean = train_x.mean((0, 2, 3), keepdim=True)[0]
    std = train_x.std((0, 2, 3), unbiased=False, keepdim=True)[0]
    model = (MobileNetV2(args.width, classes, side, channels) if args.model == "mobilenetv2"
             else CIFARResNet(3, args.width, classes, channels))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps_per_epoch = math.ceil(len(train_y) / args.batch)
    total = args.epochs * steps_per_epoch

    def factor(step):
        cosine = (1 + math.cos(math.pi * min(step, total) / total)) / 2
        return cosine * (0.1 + 0.9 * step / steps_per_epoch if step < steps_per_epoch else 1)

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    loss_function = nn.CrossEntropyLoss()
    best, best_state, start = -1.0, None, time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_y))
        for first in range(0, len(order), args.batch):
            index = order[first:first + args.batch]
            images = train_x[index]
            flip = torch.rand(len(index)) < 0.5
            images[flip] = images[flip].flip(3)
            optimizer.zero_grad(set_to_none=True)
            loss_function(model((images - mean) / std), train_y[index]).backward()
            optimizer.step()
            schedule.step()
        validation = accuracy(model, val_x, val_y, mean, std)
        if validation > best:
            best, best_state = validation, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    print(json.dumps({"peer": "pytorch", "version": torch.__version__, "model": args.model, "width": args.width,
                      "epochs": args.epochs, "seed": args.seed, "best_val_accuracy": best,
                      "accuracy": accuracy(model, test_x, test_y, mean, std),
                      "wall_s": time.perf_counter() - start, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
