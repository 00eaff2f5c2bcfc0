"""Fits the polynomial of Kernels/common.cl's exp2_nonpositive and checks the whole function in float32.

2^f = 1 + f*q(f) on [-1/2, 1/2], q of degree 4, near-minimax for relative error (Lawson's iteratively reweighted
least squares on Chebyshev nodes). Then exp2_nonpositive is emulated in float32 (fma as a float64 product and sum
rounded once) over [-126, 0] against float64, and its largest relative error printed.

    python3 Scripts/fit-exp2.py        (numpy only)
"""
import numpy as np

nodes = np.cos(np.linspace(0, np.pi, 4001)) * 0.5
nodes = nodes[np.abs(nodes) > 1e-12]
wanted_q = (np.exp2(nodes) - 1) / nodes
relative = np.abs(nodes) / np.exp2(nodes)  # d(relative error of 2^f) / d(error of q)
powers = np.vander(nodes, 5, increasing=True)
weights = np.ones_like(nodes)
for _ in range(200):
    row_weights = np.sqrt(weights) * relative
    coefficients, *_ = np.linalg.lstsq(powers * row_weights[:, None], wanted_q * row_weights, rcond=None)
    error = np.abs((powers @ coefficients - wanted_q) * relative)
    weights = weights * error / np.sum(weights * error)
q = coefficients.astype(np.float32)
print("q, lowest degree first:", ", ".join(f"{c:.9e}f" for c in q))


def fma(a, b, c):
    return np.float32(np.float64(a) * np.float64(b) + np.float64(c))


x = np.concatenate([-np.random.default_rng(1).uniform(0, 126, 2_000_000), -np.linspace(0, 1, 100_001)])
x = x.astype(np.float32)
rounding_shift = np.float32(12583039.0)  # 1.5 * 2^23 + 127
shifted = (x + rounding_shift).astype(np.float32)
f = (x - (shifted - rounding_shift)).astype(np.float32)
p = fma(f, q[4], q[3])
for c in (q[2], q[1], q[0]):
    p = fma(p, f, c)
two_to_k = (shifted.view(np.int32) << 23).astype(np.int32).view(np.float32)
result = (fma(p, f, np.float32(1)) * two_to_k).astype(np.float32)
error = np.abs(result / np.exp2(x.astype(np.float64)) - 1)
print(f"largest relative error over [-126, 0]: {error.max():.2e} ({error.max() / 2**-24:.1f} ulp)")
