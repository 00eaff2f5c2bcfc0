// im2col.cl — the column matrices behind convolution as GEMM (CLBlast does the arithmetic), channel-major so one GEMM
// covers a whole chunk of samples: row (c·KH + ky)·KW + kx, then sample s, then position oy·OW + ox, i.e. element
// ((row·count + s)·OH + oy)·OW + ox. The CPU reference is Sources/CondenseCPU/Kernels/ColumnKernels.swift.
//
//   im2col  one work-item per output row of one column row and sample (3-D range, no index division): zeros for the
//           padding, then a branch-free copy of the outputs that read inside the row.
//   col2im  one work-item per input row of one channel and sample (no atomics): at stride 1 the row is the sum of
//           each tap's shifted column segment (contiguous loops); otherwise each element gathers the column
//           entries that read it.
//
// Defines (-D, defaults below): KH, KW kernel size and SH, SW stride (compile-time so the gather loops unroll and the
// stride tests need no division). Geometry arguments: C, H, W, OH, OW, PH, PW (padding), DH, DW (dilation), first
// sample, count.

#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef SH
#define SH 1
#endif
#ifndef SW
#define SW 1
#endif

#define GEOMETRY const int C, const int H, const int W, const int OH, const int OW, const int PH, const int PW, \
                 const int DH, const int DW, const int first, const int count

__kernel void im2col(__global const float* input, __global float* columns, GEOMETRY) {
    const int oy = get_global_id(0), sample = get_global_id(1), row = get_global_id(2);
    const int kx = row % KW, ky = (row / KW) % KH, c = row / (KW * KH);
    const int iy = oy * SH - PH + ky * DH, x0 = kx * DW - PW;
    __global float* target = columns + ((row * count + sample) * OH + oy) * OW;
    // Outputs [lo, hi) read inside the row (ix = ox·SW + x0 in [0, W)); the rest, and whole rows outside, are zero.
    const bool inside = iy >= 0 && iy < H;
    const int lo = inside ? clamp((-x0 + SW - 1) / SW, 0, OW) : OW;
    const int span = W - 1 - x0;  // the last ix, relative to x0
    const int hi = inside && span >= 0 ? clamp(span / SW + 1, lo, OW) : lo;
    __global const float* source = input + (((first + sample) * C + c) * H + iy) * W + x0;
    for (int ox = 0; ox < lo; ++ox) target[ox] = 0.0f;
    for (int ox = lo; ox < hi; ++ox) target[ox] = source[ox * SW];
    for (int ox = hi; ox < OW; ++ox) target[ox] = 0.0f;
}

__kernel void col2im(__global const float* columns, __global float* grad_input, GEOMETRY) {
    const int iy = get_global_id(0), sample = get_global_id(1), c = get_global_id(2);
    __global float* target = grad_input + (((first + sample) * C + c) * H + iy) * W;
#if SH == 1 && SW == 1
    // Stride 1: each tap (ky, kx) adds a shifted segment of one column row's output row oy = iy + PH − ky·DH to
    // the input row, ix = ox − PW + kx·DW: contiguous loops instead of a gather per element.
    for (int ix = 0; ix < W; ++ix) target[ix] = 0.0f;
    for (int ky = 0; ky < KH; ++ky) {
        const int oy = iy + PH - ky * DH;
        if (oy < 0 || oy >= OH) continue;
        for (int kx = 0; kx < KW; ++kx) {
            const int shift = PW - kx * DW;  // ox = ix + shift
            const int lo = max(0, -shift), hi = min(W, OW - shift);
            __global const float* source =
                columns + ((((c * KH + ky) * KW + kx) * count + sample) * OH + oy) * OW + shift;
            for (int ix = lo; ix < hi; ++ix) target[ix] += source[ix];
        }
    }
#else
    const int plane = OH * OW;
    for (int ix = 0; ix < W; ++ix) {
        float sum = 0.0f;
        FOR_COVERING_OUTPUTS(iy, ix, DH, DW,
                             sum += columns[((((c * KH + ky) * KW + kx) * count + sample) * plane + o)])
        target[ix] = sum;
    }
#endif
}
