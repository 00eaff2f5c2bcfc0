// im2col.cl — the column matrices behind convolution as GEMM (CLBlast does the arithmetic). Layout of one sample's
// columns: row (c·KH + ky)·KW + kx, column oy·OW + ox. The CPU reference is
// Sources/CondenseCore/CPU/Reference/ConvReference.swift.
//
//   im2col  one work-item per column element (coalesced along ox); zero in the padding.
//   col2im  one work-item per input element, gathering the column entries that read it (no atomics).
//
// Defines (-D, defaults below): KH, KW kernel size (compile-time so the gather loops unroll).
// Geometry arguments: C, H, W, OH, OW, SH, SW (stride), PH, PW (padding), DH, DW (dilation), first sample, count.

#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif

#define GEOMETRY const int C, const int H, const int W, const int OH, const int OW, const int SH, const int SW, \
                 const int PH, const int PW, const int DH, const int DW, const int first, const int count

__kernel void im2col(__global const float* input, __global float* columns, GEOMETRY) {
    const int index = get_global_id(0);
    const int plane = OH * OW, rows = C * KH * KW;
    if (index >= count * rows * plane) return;
    const int ox = index % OW, oy = (index / OW) % OH, row = (index / plane) % rows, sample = index / (plane * rows);
    const int kx = row % KW, ky = (row / KW) % KH, c = row / (KW * KH);
    const int iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
    columns[index] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? input[(((first + sample) * C + c) * H + iy) * W + ix]
                                                              : 0.0f;
}

__kernel void col2im(__global const float* columns, __global float* grad_input, GEOMETRY) {
    const int index = get_global_id(0);
    if (index >= count * C * H * W) return;
    const int ix = index % W, iy = (index / W) % H, c = (index / (W * H)) % C, sample = index / (W * H * C);
    const int plane = OH * OW, rows = C * KH * KW;
    float sum = 0.0f;
    FOR_COVERING_OUTPUTS(iy, ix, DH, DW, sum += columns[(sample * rows + (c * KH + ky) * KW + kx) * plane + o])
    grad_input[first * C * H * W + index] = sum;
}
