// depthwise_conv.cl — depthwise 2-D convolution, NCHW float32, PyTorch's conv2d(groups = C) with channel
// multiplier m: output channel o reads input channel o / m; weight [C·m, 1, KH, KW]. The CPU reference is
// Sources/CondenseCore/CPU/Reference/DepthwiseConvReference.swift (same loop order per output element).
//
//   depthwise_forward        one work-item per output element; fused bias and activation.
//   depthwise_backward_input one work-item per input element, gathering the outputs whose windows cover it
//                            (no atomics).
//   depthwise_backward_weight_partial  one work-item per (output channel o, sample n): the KH·KW weight-gradient
//                            taps (and the bias gradient) of that sample's plane, in private sums, to
//                            partial[(o·N + n)·(KH·KW + 1) + tap]; no barriers, so CPU drivers run it as plain loops.
//   depthwise_backward_weight_reduce   one work-item per (o, tap): the sum over samples of the partials.
//
// Defines (-D, defaults below): KH, KW kernel size (compile-time so the window loops unroll); ACTIVATION 0 none,
// 1 relu, 2 relu6; HAS_BIAS 0/1.
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

#define TAPS (KH * KW)

__kernel void depthwise_backward_weight_partial(__global const float* input, __global const float* grad_output,
                                                __global float* partial, GEOMETRY) {
    const int o = get_global_id(0), n = get_global_id(1), OC = C * M;
    if (o >= OC || n >= N) return;
    __global const float* x = input + (n * C + o / M) * H * W;
    __global const float* dy = grad_output + (n * OC + o) * OH * OW;
    float sums[TAPS + 1];
    for (int tap = 0; tap <= TAPS; ++tap) sums[tap] = 0.0f;
    for (int oy = 0; oy < OH; ++oy) {
        for (int ox = 0; ox < OW; ++ox) {
            const float g = dy[oy * OW + ox];
            sums[TAPS] += g;
            #pragma unroll
            for (int ky = 0; ky < KH; ++ky) {
                const int iy = oy * SH - PH + ky * DH;
                if (iy < 0 || iy >= H) continue;
                #pragma unroll
                for (int kx = 0; kx < KW; ++kx) {
                    const int ix = ox * SW - PW + kx * DW;
                    if (ix >= 0 && ix < W) sums[ky * KW + kx] += x[iy * W + ix] * g;
                }
            }
        }
    }
    __global float* target = partial + (o * N + n) * (TAPS + 1);
    for (int tap = 0; tap <= TAPS; ++tap) target[tap] = sums[tap];
}

__kernel void depthwise_backward_weight_reduce(__global const float* partial, __global float* grad_weight,
                                               __global float* grad_bias, GEOMETRY) {
    const int element = get_global_id(0), o = element / (TAPS + 1), tap = element % (TAPS + 1);
    if (o >= C * M) return;
    float sum = 0.0f;
    for (int n = 0; n < N; ++n) sum += partial[(o * N + n) * (TAPS + 1) + tap];
    if (tap < TAPS) grad_weight[o * TAPS + tap] = sum;
#if HAS_BIAS
    else grad_bias[o] = sum;
#endif
}
