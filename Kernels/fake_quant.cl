// fake_quant.cl — fake quantization per tensor or per channel, its straight-through and learned-scale (LSQ)
// gradients, the observer pieces (min/max, scale and zero point), exactly as PyTorch's kernels (ARCHITECTURE.md §4), and
// the requantization step of integer inference:
//
//     inv = 1/s,  q = z + rint(x·inv),  y = (clamp(q, qmin, qmax) − z)·s      (rint: round half to even)
//
// The CPU reference is Sources/CondenseCPU/Kernels/FakeQuantKernels.swift: same formulas in the same
// order, so elementwise results are bitwise equal. Two things keep them so on every driver:
//   - FP_CONTRACT is off (no a·b + c fused behind our back);
//   - 1/s and the divisions in quant_params are correctly rounded (recip_rn/div_rn below): OpenCL 1.2 allows
//     2.5 ulp for `/` unless the program is built with -cl-fp32-correctly-rounded-divide-sqrt.
//
// A tensor is seen as outer × channels × inner (per tensor: 1 × 1 × n), that is as rows = outer·channels rows of
// `inner` contiguous elements whose channel is row % channels. The elementwise kernels (forward, backward,
// requantize) run a 2-D range [segments, rows]: work-item (s, row) takes the chunk s·CHUNK… of its row (common.cl's
// vector chunks: one modulo and one 1/s per work-item, none per element). The backward's LSQ scale gradient is
// reduced without atomics or read-back: each work-group (local [WG, 1], within one row) writes one partial sum, and
// a second pass (one work-group per channel) adds a channel's partials. Min/max run grouped by channel instead:
// `groups` work-groups of WG items per channel stride over its outer·inner elements (the channel of flat index j is
// computed only when PER_CHANNEL is 1), one partial per group through a local-memory tree, then one work-group per
// channel reduces the partials (skipped with one group per channel: the host passes the final outputs to pass 1).
//
// Defines (-D, with defaults below):
//   PER_CHANNEL  1 = one (scale, zero point) per channel, 0 = per tensor (channel always 0)
//   LSQ          fake_quant_backward: 1 = also sum the learned-scale gradient, 0 = straight-through dx only
//   WG           work-group size, a power of two: of the min/max kernels (the host picks 32…256 from the elements
//                per channel, so small channels do not idle most of a group), and of the backward along a row
//   VEC, ITEMS   the elementwise kernels' chunk (common.cl)
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
// representable). Exact halfway quotients cannot occur for finite float operands, so the pick is unique. The
// neighbours of a finite nonzero q are its bit pattern ± 1 (nextafter is a scalar library call on some drivers).
inline float div_rn(float a, float b) {
    const float q = a / b;
    if (!isfinite(q) || q == 0.0f) return q;
    const float down = as_float(as_int(q) - 1), up = as_float(as_int(q) + 1);
    const float error = fabs(fma(-q, b, a)), errorDown = fabs(fma(-down, b, a)), errorUp = fabs(fma(-up, b, a));
    const float best = errorDown < error ? down : q;
    return errorUp < fmin(error, errorDown) ? up : best;
}

inline float recip_rn(float s) { return div_rn(1.0f, s); }

// Round half to even, exactly as rint, without the library calls some drivers make of rint, copysign and fabs
// (PoCL's are scalar and cost most of the kernel): adding and subtracting ±2²³ leaves the integer the hardware's
// round-to-nearest-even picked; |v| ≥ 2²³ is already an integer. Relies on FP_CONTRACT OFF and no fast-math.
inline floatV round_even_v(const floatV v) {
    const floatV magic = select((floatV)8388608.0f, (floatV)-8388608.0f, v < 0.0f);
    const floatV rounded = (v + magic) - magic;
    return select(v, rounded, v < 8388608.0f && v > -8388608.0f);
}

inline float round_even(float v) { return FIRST(round_even_v((floatV)v)); }

// MARK: - Channel of a row or an element

inline int channel_of_row(int row, int channels) {
#if PER_CHANNEL
    return row % channels;
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

// MARK: - Elementwise kernels: range [segments, rows], one chunk of a row per work-item

// y = (clamp(z + rint(x·inv), qmin, qmax) − z)·s
inline floatV fake_quant_value(const floatV x, const float s, const float inv, const float z, const float qmin,
                               const float qmax) {
    const floatV q = z + round_even_v(x * inv);
    return (fmin(fmax(q, qmin), qmax) - z) * s;
}

__kernel void fake_quant_forward(__global const float* x, __global const float* scale,
                                 __global const float* zeroPoint, __global float* y, int inner, int channels,
                                 float qmin, float qmax) {
    ROW_CHUNK(inner);
    if (count <= 0) return;
    const int c = channel_of_row(row, channels);
    const float s = scale[c], inv = recip_rn(s), z = round_even(zeroPoint[c]);
    x += start;
    y += start;
#define BODY_FAKE_QUANT(LOAD, STORE, j) STORE(fake_quant_value(LOAD(x + j), s, inv, z, qmin, qmax), y + j)
    POINTWISE(BODY_FAKE_QUANT);
}

// y = clamp(z + rint(x·m), qmin, qmax) − z: integer accumulators x scaled by the channel's multiplier, rounded, shifted
// by the output zero point, clamped, and handed on centred (INT8 inference, as QLinearConv/QLinearAdd compute it).
inline floatV requantize_value(const floatV x, const float m, const float zero, const float qmin, const float qmax) {
    return fmin(fmax(zero + round_even_v(x * m), qmin), qmax) - zero;
}

__kernel void requantize(__global const float* x, __global const float* multiplier, __global float* y, int inner,
                         int channels, float zero, float qmin, float qmax) {
    ROW_CHUNK(inner);
    if (count <= 0) return;
    const float m = multiplier[channel_of_row(row, channels)];
    x += start;
    y += start;
#define BODY_REQUANTIZE(LOAD, STORE, j) STORE(requantize_value(LOAD(x + j), m, zero, qmin, qmax), y + j)
    POINTWISE(BODY_REQUANTIZE);
}

// Straight-through dx = dy where qmin ≤ q ≤ qmax, else 0; with LSQ also adds to *term the scale gradient's terms
// gradFactor·(dy·(y − x)·inv | dy·(qmin − z) | dy·(qmax − z)) (in range | below | otherwise).
inline floatV fake_quant_gradient(const floatV x, const floatV dy, const float s, const float inv, const float z,
                                  const float qmin, const float qmax, const float gradFactor, floatV* term) {
    const floatV q = z + round_even_v(x * inv);
#if LSQ
    const floatV outside = dy * select((floatV)(qmax - z), (floatV)(qmin - z), q < qmin);
    *term += select(outside, dy * ((q - z) * s - x) * inv, q >= qmin && q <= qmax) * gradFactor;
#endif
    return select((floatV)0.0f, dy, q >= qmin && q <= qmax);
}

// Range [segments, rows] padded to local [WG, 1]: dx, and with LSQ the partial scale gradient of work-group
// (g, row) in partial[row·groups + g], groups = segments / WG.
__kernel void fake_quant_backward(__global const float* x, __global const float* dy, __global const float* scale,
                                  __global const float* zeroPoint, __global float* dx, __global float* partial,
                                  int inner, int channels, float qmin, float qmax, float gradFactor) {
    ROW_CHUNK(inner);
    const int c = channel_of_row(row, channels);
    const float s = scale[c], inv = recip_rn(s), z = round_even(zeroPoint[c]);
    x += start;
    dy += start;
    dx += start;
    floatV sums = 0.0f;
    float tail = 0.0f;
    int j = 0;
    for (; j + VEC <= count; j += VEC) {
        STOREV(fake_quant_gradient(LOADV(x + j), LOADV(dy + j), s, inv, z, qmin, qmax, gradFactor, &sums), dx + j);
    }
    for (; j < count; ++j) {
        floatV term = 0.0f;
        dx[j] = FIRST(fake_quant_gradient((floatV)x[j], (floatV)dy[j], s, inv, z, qmin, qmax, gradFactor, &term));
        tail += FIRST(term);
    }
#if !LSQ
    (void)tail;  // the scale gradient is summed only with LSQ
#else
    __local float scratch[WG];
    const float sum = group_sum(scratch, sum_lanes(sums) + tail, WG);
    if (get_local_id(0) == 0) partial[row * get_num_groups(0) + get_group_id(0)] = sum;
#endif
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

// MARK: - Pass 2: one work-group per channel reduces its partials

// The backward's partials [outer, channels, groups]: output[c] = the sum of channel c's outer·groups partials.
__kernel void sum_partials(__global const float* partial, __global float* output, int outer, int channels,
                           int groups) {
    __local float scratch[WG];
    const int c = get_group_id(0), lid = get_local_id(0);
    float sum = 0.0f;
    for (int o = 0; o < outer; ++o) {
        __global const float* rowPartials = partial + (o * channels + c) * groups;
        for (int g = lid; g < groups; g += WG) sum += rowPartials[g];
    }
    sum = group_sum(scratch, sum, WG);
    if (lid == 0) output[c] = sum;
}

// Min/max partials [channels, groups]: minimum[c], maximum[c] of channel c's groups.
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
