// fake_quant.cl — fake quantization per tensor or per channel, its straight-through and learned-scale (LSQ)
// gradients, the observer pieces (min/max, scale and zero point), exactly as PyTorch's kernels (DESIGN.md §2), and
// the requantization step of integer inference:
//
//     inv = 1/s,  q = z + rint(x·inv),  y = (clamp(q, qmin, qmax) − z)·s      (rint: round half to even)
//
// The CPU reference is Sources/CondenseCore/CPU/Reference/FakeQuantReference.swift: same formulas in the same
// order, so elementwise results are bitwise equal. Two things keep them so on every driver:
//   - FP_CONTRACT is off (no a·b + c fused behind our back);
//   - 1/s and the divisions in quant_params are correctly rounded (recip_rn/div_rn below): OpenCL 1.2 allows
//     2.5 ulp for `/` unless the program is built with -cl-fp32-correctly-rounded-divide-sqrt.
//
// A tensor is seen as outer × channels × inner (per tensor: 1 × 1 × n); the channel of flat index i is
// (i / inner) % channels, computed only when PER_CHANNEL is 1. The forward runs one work-item per element. The
// backward and min/max run grouped by channel, and reduce (the LSQ scale gradient, min/max) in two passes with no
// atomics and no read-back: pass 1 launches `groups` work-groups of WG items per channel, each striding over its
// channel's outer·inner elements (coalesced along inner) and writing one partial per group through a local-memory
// tree; pass 2 (one work-group per channel) reduces the partials. With one group per channel the host passes the
// final outputs to pass 1 and skips pass 2.
//
// Defines (-D, with defaults below):
//   PER_CHANNEL  1 = one (scale, zero point) per channel, 0 = per tensor (channel always 0)
//   LSQ          fake_quant_backward: 1 = also sum the learned-scale gradient, 0 = straight-through dx only
//   WG           work-group size of the grouped kernels, a power of two (the host picks 32…256 from the
//                elements per channel, so small channels do not idle most of a group)
//
// Scale values are not validated here (that needs a read-back): quant_params clamps them to ≥ 1.1920929e-7.

#pragma OPENCL FP_CONTRACT OFF

#ifndef PER_CHANNEL
#define PER_CHANNEL 0
#endif
#ifndef LSQ
#define LSQ 0
#endif
#ifndef WG
#define WG 256
#endif

// MARK: - Correctly rounded division

// The correctly rounded a/b, from the driver's (possibly 2.5-ulp) quotient: of the candidate and its neighbours, the
// one with the smallest exact remainder |a − q·b| (fma rounds once, and the remainder of a near-correct quotient is
// representable). Exact halfway quotients cannot occur for finite float operands, so the pick is unique.
inline float div_rn(float a, float b) {
    float q = a / b;
    if (!isfinite(q) || q == 0.0f) return q;
    float best = q, error = fabs(fma(-q, b, a));
    const float down = nextafter(q, -INFINITY), up = nextafter(q, INFINITY);
    const float errorDown = fabs(fma(-down, b, a)), errorUp = fabs(fma(-up, b, a));
    if (errorDown < error) { best = down; error = errorDown; }
    if (errorUp < error) { best = up; }
    return best;
}

inline float recip_rn(float s) { return div_rn(1.0f, s); }

// Round half to even, exactly as rint, without the library calls some drivers make of rint, copysign and fabs
// (PoCL's are scalar and cost most of the kernel): adding and subtracting ±2²³ leaves the integer the hardware's
// round-to-nearest-even picked; |v| ≥ 2²³ is already an integer. Relies on FP_CONTRACT OFF and no fast-math.
inline float round_even(float v) {
    const float magic = v < 0.0f ? -8388608.0f : 8388608.0f;
    const float rounded = (v + magic) - magic;
    return (v < 8388608.0f && v > -8388608.0f) ? rounded : v;
}

// MARK: - Channel of an element

inline int channel_of(int i, int inner, int channels) {
#if PER_CHANNEL
    return (i / inner) % channels;
#else
    return 0;
#endif
}

// The flat index of the j-th element (j < outer·inner) of channel c.
inline int element_of(int j, int c, int inner, int channels) {
#if PER_CHANNEL
    const int o = j / inner;
    return (o * channels + c) * inner + (j - o * inner);
#else
    return j;
#endif
}

// MARK: - Forward (one work-item per element)

// y = (clamp(z + rint(x·inv), qmin, qmax) − z)·s
__kernel void fake_quant_forward(__global const float* x, __global const float* scale,
                                 __global const float* zeroPoint, __global float* y, int n, int inner, int channels,
                                 float qmin, float qmax) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const int c = channel_of(i, inner, channels);
    const float s = scale[c], inv = recip_rn(s), z = round_even(zeroPoint[c]);
    const float q = z + round_even(x[i] * inv);
    y[i] = (fmin(fmax(q, qmin), qmax) - z) * s;
}

// MARK: - Requantization (one work-item per element)

// y = clamp(z + rint(x·m), qmin, qmax) − z: integer accumulators x scaled by the channel's multiplier, rounded, shifted
// by the output zero point, clamped, and handed on centred (INT8 inference, as QLinearConv/QLinearAdd compute it).
__kernel void requantize(__global const float* x, __global const float* multiplier, __global float* y, int n,
                         int inner, int channels, float zero, float qmin, float qmax) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float q = zero + round_even(x[i] * multiplier[channel_of(i, inner, channels)]);
    y[i] = fmin(fmax(q, qmin), qmax) - zero;
}

// MARK: - Local-memory reductions (every work-item gets the result)

inline float2 group_min_max(__local float2* scratch, float2 value) {
    const int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = WG / 2; width > 0; width >>= 1) {
        if (lid < width) {
            const float2 other = scratch[lid + width];
            scratch[lid] = (float2)(fmin(scratch[lid].x, other.x), fmax(scratch[lid].y, other.y));
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float2 result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

// MARK: - Backward: straight-through dx and, with LSQ, per-group partial scale gradients

// Work-group (c, g) of `groups` per channel strides over its share of channel c (j = g·WG + lid, + groups·WG, …):
//   dx = dy where qmin ≤ q ≤ qmax, else 0,
// and with LSQ the partial sum of gradFactor·(dy·(y − x)·inv | dy·(qmin − z) | dy·(qmax − z)) (in range | below |
// otherwise) into partial[c·groups + g]. Global size channels·groups·WG, local WG.
__kernel void fake_quant_backward(__global const float* x, __global const float* dy, __global const float* scale,
                                  __global const float* zeroPoint, __global float* dx, __global float* partial,
                                  int perChannel, int inner, int channels, int groups, float qmin, float qmax,
                                  float gradFactor) {
    const int group = get_group_id(0), c = group / groups, g = group - c * groups, lid = get_local_id(0);
    const float s = scale[c], inv = recip_rn(s), z = round_even(zeroPoint[c]);
#if LSQ
    __local float scratch[WG];
    const float below = qmin - z, above = qmax - z;
    float sum = 0.0f;
#endif
    for (int j = g * WG + lid; j < perChannel; j += groups * WG) {
        const int i = element_of(j, c, inner, channels);
        const float xi = x[i], dyi = dy[i];
        const float q = z + round_even(xi * inv);
        const int inRange = q >= qmin && q <= qmax;
        dx[i] = inRange ? dyi : 0.0f;
#if LSQ
        const float term = inRange ? dyi * ((q - z) * s - xi) * inv : dyi * (q < qmin ? below : above);
        sum += term * gradFactor;
#endif
    }
#if LSQ
    sum = group_sum(scratch, sum, WG);
    if (lid == 0) partial[group] = sum;
#endif
}

// MARK: - Min/max (pass 1: per-group partial minima and maxima)

// Work-group (c, g): min and max over its share of channel c into partialMin/Max[c·groups + g].
__kernel void min_max_partial(__global const float* x, __global float* partialMin, __global float* partialMax,
                              int perChannel, int inner, int channels, int groups) {
    __local float2 scratch[WG];
    const int group = get_group_id(0), c = group / groups, g = group - c * groups, lid = get_local_id(0);
    float2 value = (float2)(INFINITY, -INFINITY);
    for (int j = g * WG + lid; j < perChannel; j += groups * WG) {
        const float xi = x[element_of(j, c, inner, channels)];
        value = (float2)(fmin(value.x, xi), fmax(value.y, xi));
    }
    value = group_min_max(scratch, value);
    if (lid == 0) {
        partialMin[group] = value.x;
        partialMax[group] = value.y;
    }
}

// MARK: - Pass 2: one work-group per channel reduces its `groups` partials

__kernel void sum_partials(__global const float* partial, __global float* output, int groups) {
    __local float scratch[WG];
    const int c = get_group_id(0), lid = get_local_id(0);
    float sum = 0.0f;
    for (int g = lid; g < groups; g += WG) sum += partial[c * groups + g];
    sum = group_sum(scratch, sum, WG);
    if (lid == 0) output[c] = sum;
}

__kernel void min_max_partials(__global const float* partialMin, __global const float* partialMax,
                               __global float* minimum, __global float* maximum, int groups) {
    __local float2 scratch[WG];
    const int c = get_group_id(0), lid = get_local_id(0);
    float2 value = (float2)(INFINITY, -INFINITY);
    for (int g = lid; g < groups; g += WG) {
        value = (float2)(fmin(value.x, partialMin[c * groups + g]), fmax(value.y, partialMax[c * groups + g]));
    }
    value = group_min_max(scratch, value);
    if (lid == 0) {
        minimum[c] = value.x;
        maximum[c] = value.y;
    }
}

// MARK: - Scale and zero point from min/max (one work-item per channel)

// PyTorch's _calculate_qparams: min⁻ = min(min, 0), max⁺ = max(max, 0);
//   affine:    s = max((max⁺ − min⁻)/(qmax − qmin), eps), z = clamp(qmin − rint(min⁻/s), qmin, qmax)
//   symmetric: s = max(max(−min⁻, max⁺)/((qmax − qmin)/2), eps), z = symmetricZero
// and s = 1, z = 0 for an empty observation (min > max).
__kernel void quant_params(__global const float* minimum, __global const float* maximum, __global float* scale,
                           __global float* zeroPoint, int count, float qmin, float qmax, int symmetric,
                           float symmetricZero, float eps) {
    const int c = get_global_id(0);
    if (c >= count) return;
    const float lo = minimum[c], hi = maximum[c];
    if (!(lo <= hi)) {
        scale[c] = 1.0f;
        zeroPoint[c] = 0.0f;
        return;
    }
    const float minNeg = fmin(lo, 0.0f), maxPos = fmax(hi, 0.0f);
    if (symmetric) {
        scale[c] = fmax(div_rn(fmax(-minNeg, maxPos), (qmax - qmin) / 2.0f), eps);
        zeroPoint[c] = symmetricZero;
    } else {
        const float s = fmax(div_rn(maxPos - minNeg, qmax - qmin), eps);
        scale[c] = s;
        zeroPoint[c] = fmin(fmax(qmin - rint(div_rn(minNeg, s)), qmin), qmax);
    }
}
