// depthwise_conv.cl — depthwise 2-D convolution, NCHW float32, PyTorch's conv2d(groups = C) with channel
// multiplier m: output channel o reads input channel o / m; weight [C·m, 1, KH, KW]. The CPU reference is
// Sources/CondenseCore/CPU/Reference/DepthwiseConvReference.swift (same loop order per output element).
//
//   depthwise_forward        one work-item per output element; fused bias and activation.
//   depthwise_backward_input one work-item per input element, gathering the outputs whose windows cover it
//                            (no atomics).
//   depthwise_backward_weight one work-group of WG items per weight element (o, ky, kx), reducing over N·Ho·Wo in
//                            local memory; depthwise_backward_bias likewise per output channel.
//
// Defines (-D, defaults below): KH, KW kernel size (compile-time so the window loops unroll); ACTIVATION 0 none,
// 1 relu, 2 relu6; HAS_BIAS 0/1; WG work-group size of the reductions (a power of two).
// Geometry arguments: N, C, H, W, M (multiplier), OH, OW, SH, SW (stride), PH, PW (padding), DH, DW (dilation).

#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef ACTIVATION
#define ACTIVATION 0
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef WG
#define WG 128
#endif

#define GEOMETRY const int N, const int C, const int H, const int W, const int M, const int OH, const int OW, \
                 const int SH, const int SW, const int PH, const int PW, const int DH, const int DW

inline float activate(float x) {
#if ACTIVATION == 1
    return fmax(x, 0.0f);
#elif ACTIVATION == 2
    return fmin(fmax(x, 0.0f), 6.0f);
#else
    return x;
#endif
}

__kernel void depthwise_forward(__global const float* input, __global const float* weight,
                                __global const float* bias, __global float* output, GEOMETRY) {
    const int index = get_global_id(0);
    const int OC = C * M;
    if (index >= N * OC * OH * OW) return;
    const int ox = index % OW, oy = (index / OW) % OH, o = (index / (OW * OH)) % OC, n = index / (OW * OH * OC);
    __global const float* x = input + (n * C + o / M) * H * W;
    __global const float* w = weight + o * KH * KW;
#if HAS_BIAS
    float sum = bias[o];
#else
    float sum = 0.0f;
#endif
    const int y0 = oy * SH - PH, x0 = ox * SW - PW;
    #pragma unroll
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = y0 + ky * DH;
        if (iy < 0 || iy >= H) continue;
        #pragma unroll
        for (int kx = 0; kx < KW; ++kx) {
            const int ix = x0 + kx * DW;
            if (ix >= 0 && ix < W) sum += x[iy * W + ix] * w[ky * KW + kx];
        }
    }
    output[index] = activate(sum);
}

__kernel void depthwise_backward_input(__global const float* grad_output, __global const float* weight,
                                       __global float* grad_input, GEOMETRY) {
    const int index = get_global_id(0);
    if (index >= N * C * H * W) return;
    const int ix = index % W, iy = (index / W) % H, c = (index / (W * H)) % C, n = index / (W * H * C);
    const int OC = C * M;
    float sum = 0.0f;
    for (int j = 0; j < M; ++j) {
        const int channel = c * M + j;
        __global const float* dy = grad_output + (n * OC + channel) * OH * OW;
        __global const float* w = weight + channel * KH * KW;
        FOR_COVERING_OUTPUTS(iy, ix, DH, DW, sum += dy[o] * w[ky * KW + kx])
    }
    grad_input[index] = sum;
}

__kernel void depthwise_backward_weight(__global const float* input, __global const float* grad_output,
                                        __global float* grad_weight, GEOMETRY) {
    __local float scratch[WG];
    const int element = get_group_id(0);  // (o, ky, kx)
    const int kx = element % KW, ky = (element / KW) % KH, o = element / (KW * KH);
    const int OC = C * M, plane = OH * OW;
    float sum = 0.0f;
    for (int i = get_local_id(0); i < N * plane; i += WG) {
        const int n = i / plane, oy = (i % plane) / OW, ox = i % OW;
        const int iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
        if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
            sum += input[((n * C + o / M) * H + iy) * W + ix] * grad_output[(n * OC + o) * plane + oy * OW + ox];
        }
    }
    sum = group_sum(scratch, sum, WG);
    if (get_local_id(0) == 0) grad_weight[element] = sum;
}

__kernel void depthwise_backward_bias(__global const float* grad_output, __global float* grad_bias, GEOMETRY) {
    __local float scratch[WG];
    const int o = get_group_id(0), OC = C * M, plane = OH * OW;
    float sum = 0.0f;
    for (int i = get_local_id(0); i < N * plane; i += WG) sum += grad_output[(i / plane * OC + o) * plane + i % plane];
    sum = group_sum(scratch, sum, WG);
    if (get_local_id(0) == 0) grad_bias[o] = sum;
}
