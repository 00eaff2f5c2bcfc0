// pooling.cl — max and global average pooling on NCHW float32, PyTorch's semantics (padding is −inf for max).
// The CPU reference is Sources/CondenseCPU/Kernels/PoolingKernels.swift.
//
//   max_pool_forward                        one work-item per output element
//   max_pool_backward                       one work-item per input element, gathering the outputs whose windows
//                                           cover it (no atomics; overlapping windows sum)
//   global_avg_forward                      one work-item per plane (maps are small at the end of a network)
//   global_avg_backward                     one work-item per input element
//
// Defines (-D, defaults below): KH, KW window size.
// Geometry arguments: H, W, OH, OW, SH, SW, PH, PW, planes (N·C).

#ifndef KH
#define KH 2
#endif
#ifndef KW
#define KW 2
#endif

#define GEOMETRY const int H, const int W, const int OH, const int OW, const int SH, const int SW, const int PH, \
                 const int PW, const int planes

__kernel void max_pool_forward(__global const float* input, __global float* output, __global int* indices, GEOMETRY) {
    const int index = get_global_id(0);
    if (index >= planes * OH * OW) return;
    const int ox = index % OW, oy = (index / OW) % OH, plane = index / (OW * OH);
    __global const float* x = input + plane * H * W;
    float best = -INFINITY;
    int best_index = -1;
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * SH - PH + ky;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < KW; ++kx) {
            const int ix = ox * SW - PW + kx;
            if (ix < 0 || ix >= W) continue;
            const float value = x[iy * W + ix];
            if (value > best || best_index < 0) {
                best = value;
                best_index = iy * W + ix;
            }
        }
    }
    output[index] = best;
    indices[index] = best_index;
}

__kernel void max_pool_backward(__global const float* grad_output, __global const int* indices,
                                __global float* grad_input, GEOMETRY) {
    const int index = get_global_id(0);
    if (index >= planes * H * W) return;
    const int flat = index % (H * W), plane = index / (H * W), iy = flat / W, ix = flat % W;
    const int base = plane * OH * OW;
    float sum = 0.0f;
    FOR_COVERING_OUTPUTS(iy, ix, 1, 1, if (indices[base + o] == flat) sum += grad_output[base + o])
    grad_input[index] = sum;
}

__kernel void global_avg_forward(__global const float* input, __global float* output, const int spatial,
                                 const int planes) {
    const int plane = get_global_id(0);
    if (plane >= planes) return;
    __global const float* x = input + plane * spatial;
    float sum = 0.0f;
    for (int i = 0; i < spatial; ++i) sum += x[i];
    output[plane] = sum / (float)spatial;
}

__kernel void global_avg_backward(__global const float* grad_output, __global float* grad_input, const int spatial,
                                  const int count) {
    const int i = get_global_id(0);
    if (i < count) grad_input[i] = grad_output[i / spatial] / (float)spatial;
}
