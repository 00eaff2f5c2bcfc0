"""Steady-state training throughput of tinygrad (device from DEV, e.g. DEV=CL for PoCL, DEV=CPU), measured as
`condense bench train` measures ours: synthetic input, forward + backward + SGD step (momentum 0.9, weight decay
5e-4) compiled once with TinyJit, 2 warm-up steps (which capture the JIT), then --steps."""
import importlib.metadata
import time

from tinygrad import Device, Tensor, TinyJit, nn
from tinygrad.helpers import Context
from tinygrad.nn.state import get_parameters

from common import arguments, report


def make_divisible(value, divisor=8):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class ConvBN:
    def __init__(self, cin, cout, kernel, stride=1, groups=1, activation="relu6"):
        self.conv = nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm(cout)
        self.activation = activation

    def __call__(self, x):
        x = self.bn(self.conv(x))
        return {"relu6": Tensor.relu6, "relu": Tensor.relu, None: lambda v: v}[self.activation](x)


class InvertedResidual:
    def __init__(self, cin, cout, stride, expansion):
        hidden = cin * expansion
        self.layers = [ConvBN(cin, hidden, 1)] if expansion != 1 else []
        self.layers += [ConvBN(hidden, hidden, 3, stride, hidden), ConvBN(hidden, cout, 1, activation=None)]
        self.residual = stride == 1 and cin == cout

    def __call__(self, x):
        y = x.sequential(self.layers)
        return x + y if self.residual else y


class MobileNetV2:
    STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, width, classes, image_size):
        cin, last = make_divisible(32 * width), make_divisible(1280 * max(1.0, width))
        self.layers = [ConvBN(3, cin, 3, 1 if image_size <= 64 else 2)]
        for t, c, n, s in self.STAGES:
            cout = make_divisible(c * width)
            for i in range(n):
                self.layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        self.layers.append(ConvBN(cin, last, 1))
        self.fc = nn.Linear(last, classes)

    def __call__(self, x):
        return self.fc(x.sequential(self.layers).mean((2, 3)).dropout(0.2))


class BasicBlock:
    def __init__(self, cin, cout, stride):
        self.body = [ConvBN(cin, cout, 3, stride, activation="relu"), ConvBN(cout, cout, 3, activation=None)]
        self.downsample = [ConvBN(cin, cout, 1, stride, activation=None)] if stride != 1 or cin != cout else []

    def __call__(self, x):
        return (x.sequential(self.body) + x.sequential(self.downsample)).relu()


class CIFARResNet:
    def __init__(self, blocks, width, classes):
        base = max(1, round(16 * width))
        self.layers, cin = [ConvBN(3, base, 3, activation="relu")], base
        for stage in range(3):
            for i in range(blocks):
                self.layers.append(BasicBlock(cin, base << stage, 2 if i == 0 and stage > 0 else 1))
                cin = base << stage
        self.fc = nn.Linear(cin, classes)

    def __call__(self, x):
        return self.fc(x.sequential(self.layers).mean((2, 3)))


args = arguments(__doc__)
Tensor.manual_seed(0)
model = (MobileNetV2(args.width, args.classes, args.image_size) if args.model == "mobilenetv2"
         else CIFARResNet(3, args.width, args.classes))
optimizer = nn.optim.SGD(get_parameters(model), lr=0.01, momentum=0.9, weight_decay=5e-4)
images = Tensor.randn(args.batch, 3, args.image_size, args.image_size).realize()
labels = (Tensor.arange(args.batch) % args.classes).realize()


@TinyJit
@Context(TRAINING=1)
def step():
    optimizer.zero_grad()
    loss = model(images).sparse_categorical_crossentropy(labels).backward()
    optimizer.step()
    return loss.realize()


for _ in range(2):
    step()
Device[Device.DEFAULT].synchronize()
start, processor_start = time.perf_counter(), time.process_time()
for _ in range(args.steps):
    loss = step()
Device[Device.DEFAULT].synchronize()
seconds, processor_seconds = time.perf_counter() - start, time.process_time() - processor_start
report(args, seconds, processor_seconds, device=Device.DEFAULT, peer="tinygrad", version=importlib.metadata.version("tinygrad"),
       final_loss=float(loss.item()))
