// batch_norm.cl — batch normalization over the channels of [N, C, spatial] float32 tensors, PyTorch's semantics.
// The CPU reference is Tests/CondenseTestSupport/References/BatchNormReference.swift (two-pass statistics).
// Reductions are two launches without barriers (which CPU drivers such as PoCL run slowly): per (channel, sample)
// plane, then per channel over the samples.
//
//   bn_partial_moments  one work-item per ROWS consecutive (n, c) planes: each plane's mean and squared deviations
//                       (two passes, VEC lanes).
//   bn_statistics       one work-item per channel: the planes combined (Chan et al.), saves mean and
//                       1/sqrt(var + eps); updates the running statistics.
//   bn_normalize        one chunk of ROWS planes per work-item: y = activation(x·scale + shift) with per-channel
//                       scale/shift from saved (TRAINING 1) or running (TRAINING 0) statistics.
//   bn_partial_backward one work-item per ROWS consecutive (n, c) planes: Σ dy and Σ dy·(x − mean) of each plane.
//   bn_backward_reduce  one work-item per channel: dβ = Σ dy, dγ = Σ dy·x̂.
//   bn_backward_input   one chunk of ROWS planes per work-item: dx = γ·inv/M · (M·dy − dβ − x̂·dγ).
// With a fused activation the backward kernels gate dy themselves, at the pre-activation x·scale + shift they
// recompute as bn_normalize does, so the forward output and a separate masking pass are never needed.
//
// Defines (-D, defaults below): ACTIVATION 0 none, 1 relu, 2 relu6 (common.cl); TRAINING 1 = normalize with the
// saved batch statistics, 0 = with the running ones; VEC, ITEMS and ROWS, the chunks and row blocks of common.cl
// (ChunkTiling.rowBlocks).

#ifndef TRAINING
#define TRAINING 1
#endif

// The normalization of channel c as y = x·scale + shift: (scale, shift) = (γ·inv, β − mean·scale).
inline float2 channel_affine(const float gamma, const float beta, const float mean, const float inverse_std) {
    const float scale = gamma * inverse_std;
    return (float2)(scale, beta - mean * scale);
}

// Mean and sum of squared deviations of one contiguous plane (two passes, stable for large means), VEC lanes at a
// time and then the tail.
inline float2 plane_moments(__global const float* x, const int spatial) {
    floatV lanes = 0.0f;
    float sum = 0.0f;
    int i = 0;
    for (; i + VEC <= spatial; i += VEC) lanes += LOADV(x + i);
    for (; i < spatial; ++i) sum += x[i];
    const float mean = (sum_lanes(lanes) + sum) / spatial;
    lanes = 0.0f;
    float squares = 0.0f;
    for (i = 0; i + VEC <= spatial; i += VEC) lanes += (LOADV(x + i) - mean) * (LOADV(x + i) - mean);
    for (; i < spatial; ++i) squares += (x[i] - mean) * (x[i] - mean);
    return (float2)(mean, sum_lanes(lanes) + squares);
}

// Range [1, ceil(N·C / ROWS)] (the planes' blocks of ChunkTiling.rowBlocks); partial[c·N + n] is plane (n, c)'s.
__kernel void bn_partial_moments(__global const float* x, __global float2* partial, const int batch,
                                 const int channels, const int spatial) {
    FOR_EACH_ROW(row, batch * channels) {
        partial[row % channels * batch + row / channels] = plane_moments(x + (size_t)row * spatial, spatial);
    }
}

__kernel void bn_statistics(__global const float2* partial, __global float* saved_mean,
                            __global float* saved_inverse_std, __global float* running_mean,
                            __global float* running_variance, const int batch, const int channels, const int spatial,
                            const float momentum, const float epsilon, const float unbias) {
    const int c = get_global_id(0);
    if (c >= channels) return;
    // Chan et al.'s pairwise combination of the planes' (mean, squared deviations).
    float mean = partial[c * batch].x, squares = partial[c * batch].y, count = spatial;
    for (int n = 1; n < batch; ++n) {
        const float2 plane = partial[c * batch + n];
        const float total = count + spatial, delta = plane.x - mean;
        mean += delta * (spatial / total);
        squares += plane.y + delta * delta * (count * spatial / total);
        count = total;
    }
    const float variance = squares / count;
    saved_mean[c] = mean;
    saved_inverse_std[c] = 1.0f / sqrt(variance + epsilon);
    running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean;
    running_variance[c] = (1.0f - momentum) * running_variance[c] + momentum * variance * unbias;
}

// Range [segments, ceil(N·C / ROWS)] (ChunkTiling.rowBlocks over the N·C = `rows` planes).
__kernel void bn_normalize(__global const float* x, __global const float* gamma, __global const float* beta,
                           __global const float* mean, __global const float* statistic, __global float* y,
                           const int rows, const int channels, const int spatial, const float epsilon) {
    FOR_EACH_ROW(row, rows) {
        CHUNK_OF_ROW(row, spatial);
        if (count <= 0) return;
        const int c = row % channels;
#if TRAINING
        const float inverse_std = statistic[c];
#else
        const float inverse_std = 1.0f / sqrt(statistic[c] + epsilon);
#endif
        const float2 affine = channel_affine(gamma[c], beta[c], mean[c], inverse_std);
        __global const float* in = x + start;
        __global float* out = y + start;
#define BODY_NORMALIZE(LOAD, STORE, j) STORE(activate(LOAD(in + j) * affine.x + affine.y), out + j)
        POINTWISE(BODY_NORMALIZE);
    }
}

// dy at element j of plane g, gated by the fused activation at the pre-activation of x's element (plane v).
#define GATED_DY(LOAD, j) activation_gradient(LOAD(v + (j)) * affine.x + affine.y, LOAD(g + (j)))

// Range and partial sums as bn_partial_moments's.
__kernel void bn_partial_backward(__global const float* dy, __global const float* x, __global const float* gamma,
                                  __global const float* beta, __global const float* mean,
                                  __global const float* inverse_std, __global float2* partial, const int batch,
                                  const int channels, const int spatial) {
    FOR_EACH_ROW(row, batch * channels) {
        const int n = row / channels, c = row % channels;
        const float m = mean[c];
        const float2 affine = channel_affine(gamma[c], beta[c], m, inverse_std[c]);
        __global const float* g = dy + (size_t)row * spatial;
        __global const float* v = x + (size_t)row * spatial;
        floatV dyLanes = 0.0f, centeredLanes = 0.0f;
        float sum_dy = 0.0f, sum_dy_centered = 0.0f;
        int i = 0;
        for (; i + VEC <= spatial; i += VEC) {
            const floatV gated = GATED_DY(LOADV, i);
            dyLanes += gated;
            centeredLanes += gated * (LOADV(v + i) - m);
        }
        for (; i < spatial; ++i) {
            const float gated = FIRST(GATED_DY(LOAD_ONE, i));
            sum_dy += gated;
            sum_dy_centered += gated * (v[i] - m);
        }
        partial[c * batch + n] = (float2)(sum_lanes(dyLanes) + sum_dy, sum_lanes(centeredLanes) + sum_dy_centered);
    }
}

__kernel void bn_backward_reduce(__global const float2* partial, __global const float* inverse_std,
                                 __global float* grad_gamma, __global float* grad_beta, const int batch,
                                 const int channels) {
    const int c = get_global_id(0);
    if (c >= channels) return;
    float2 sum = (float2)(0.0f, 0.0f);
    for (int n = 0; n < batch; ++n) sum += partial[c * batch + n];
    grad_beta[c] = sum.x;
    grad_gamma[c] = sum.y * inverse_std[c];
}

// Range [segments, ceil(N·C / ROWS)] (ChunkTiling.rowBlocks over the N·C = `rows` planes).
__kernel void bn_backward_input(__global const float* dy, __global const float* x, __global const float* gamma,
                                __global const float* beta, __global const float* mean,
                                __global const float* inverse_std, __global const float* grad_gamma,
                                __global const float* grad_beta, __global float* dx, const int rows,
                                const int channels, const int spatial, const float per_channel) {
    FOR_EACH_ROW(row, rows) {
        CHUNK_OF_ROW(row, spatial);
        if (count <= 0) return;
        const int c = row % channels;
        // dx = γ·inv/M·(M·dy − dβ − x̂·dγ) with x̂ = (x − mean)·inv, as a·dy + b·(x − mean) + shift (dy gated).
        const float inv = inverse_std[c], factor = gamma[c] * inv / per_channel, m = mean[c];
        const float a = factor * per_channel, b = -factor * inv * grad_gamma[c], shift = -factor * grad_beta[c];
        const float2 affine = channel_affine(gamma[c], beta[c], m, inv);
        __global const float* g = dy + start;
        __global const float* v = x + start;
        __global float* out = dx + start;
#define BODY_BACKWARD_INPUT(LOAD, STORE, j) STORE(a * GATED_DY(LOAD, j) + b * (LOAD(v + j) - m) + shift, out + j)
        POINTWISE(BODY_BACKWARD_INPUT);
    }
}
