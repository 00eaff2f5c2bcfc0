"""MobileNetV2 and the CIFAR ResNet-20 in PyTorch, built exactly as Condense builds them (Sources/CondenseNN/Models):
torchvision's MobileNetV2 with a stride-1 stem for images <= 64 px, and He et al.'s CIFAR ResNets with 1x1
projection shortcuts (option B) where the shape changes."""
import torch
from torch import nn


def make_divisible(value, divisor=8):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn(cin, cout, kernel, stride=1, groups=1, activation=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, nn.ReLU6(inplace=True)) if activation else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = cin * expansion
        layers = [conv_bn(cin, hidden, 1)] if expansion != 1 else []
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, activation=False)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, width, classes, image_size, channels=3):
        super().__init__()
        cin = make_divisible(32 * width)
        last = make_divisible(1280 * max(1.0, width))
        layers = [conv_bn(channels, cin, 3, 1 if image_size <= 64 else 2)]
        for t, c, n, s in self.STAGES:
            cout = make_divisible(c * width)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(conv_bn(cin, last, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, classes))

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + self.downsample(x))


class CIFARResNet(nn.Module):
    def __init__(self, blocks, width, classes, channels=3):
        super().__init__()
        base = max(1, round(16 * width))
        self.stem = nn.Sequential(nn.Conv2d(channels, base, 3, 1, 1, bias=False), nn.BatchNorm2d(base), nn.ReLU())
        layers, cin = [], base
        for stage in range(3):
            for i in range(blocks):
                layers.append(BasicBlock(cin, base << stage, 2 if i == 0 and stage > 0 else 1))
                cin = base << stage
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        return self.fc(self.layers(self.stem(x)).mean((2, 3)))


def build(model, width, classes, image_size):
    if model == "mobilenetv2":
        return MobileNetV2(width, classes, image_size)
    if model == "resnet20":
        return CIFARResNet(3, width, classes)
    raise SystemExit(f"unknown model {model!r}: mobilenetv2 or resnet20")
