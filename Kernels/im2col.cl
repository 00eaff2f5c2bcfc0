// im2col.cl — the column matrices behind convolution as GEMM (CLBlast does the arithmetic), channel-major so one GEMM
// covers a whole chunk of samples: row (c·KH + ky)·KW + kx, then sample s, then position oy·OW + ox, i.e. element
// ((row·count + s)·OH + oy)·OW + ox. The CPU reference is Sources/CondenseCore/CPU/Kernels/ColumnKernels.swift.
//
//   im2col  one work-item per output row of one column row and sample (3-D range, no index division): a loop over
//           ox that writes contiguously; zero in the padding.
//   col2im  one work-item per input row of one channel and sample, each element gathering the column entries that
//           read it (no atomics).
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
    if (iy < 0 || iy >= H) {
        for (int ox = 0; ox < OW; ++ox) target[ox] = 0.0f;
        return;
    }
    __global const float* source = input + (((first + sample) * C + c) * H + iy) * W;
    for (int ox = 0; ox < OW; ++ox) {
        const int ix = ox * SW + x0;
        target[ox] = (ix >= 0 && ix < W) ? source[ix] : 0.0f;
    }
}

__kernel void col2im(__global const float* columns, __global float* grad_input, GEOMETRY) {
    const int iy = get_global_id(0), sample = get_global_id(1), c = get_global_id(2);
    const int plane = OH * OW;
    __global float* target = grad_input + (((first + sample) * C + c) * H + iy) * W;
    for (int ix = 0; ix < W; ++ix) {
        float sum = 0.0f;
        FOR_COVERING_OUTPUTS(iy, ix, DH, DW,
                             sum += columns[((((c * KH + ky) * KW + kx) * count + sample) * plane + o)])
        target[ix] = sum;
    }
}
