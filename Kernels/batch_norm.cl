// batch_norm.cl — batch normalization over the channels of [N, C, spatial] float32 tensors, PyTorch's semantics.
// The CPU reference is Sources/CondenseCore/CPU/Reference/BatchNormReference.swift (two-pass statistics).
//
//   bn_statistics      one work-group per channel: mean, then the biased variance from squared deviations (stable
//                      for large means); saves mean and 1/sqrt(var + eps); updates the running statistics.
//   bn_normalize       one work-item per element: y = activation(x·scale + shift) with per-channel scale/shift from
//                      saved (TRAINING 1) or running (TRAINING 0) statistics.
//   bn_backward_reduce one work-group per channel: dβ = Σ dy, dγ = Σ dy·x̂.
//   bn_backward_input  one work-item per element: dx = γ·inv/M · (M·dy − dβ − x̂·dγ).
//
// Defines (-D, defaults below): WG reduction work-group size (a power of two); ACTIVATION 0 none, 1 relu, 2 relu6;
// TRAINING 1 = normalize with the saved batch statistics, 0 = with the running ones.

#ifndef WG
#define WG 128
#endif
#ifndef ACTIVATION
#define ACTIVATION 0
#endif
#ifndef TRAINING
#define TRAINING 1
#endif

// Element i (0 ≤ i < N·spatial) of channel c.
inline int channel_index(const int i, const int c, const int channels, const int spatial) {
    return ((i / spatial) * channels + c) * spatial + i % spatial;
}

__kernel void bn_statistics(__global const float* x, __global float* saved_mean, __global float* saved_inverse_std,
                            __global float* running_mean, __global float* running_variance, const int batch,
                            const int channels, const int spatial, const float momentum, const float epsilon,
                            const float unbias) {
    __local float scratch[WG];
    const int c = get_group_id(0), lid = get_local_id(0), count = batch * spatial;
    float sum = 0.0f;
    for (int i = lid; i < count; i += WG) sum += x[channel_index(i, c, channels, spatial)];
    const float mean = group_sum(scratch, sum, WG) / count;
    float squares = 0.0f;
    for (int i = lid; i < count; i += WG) {
        const float d = x[channel_index(i, c, channels, spatial)] - mean;
        squares += d * d;
    }
    const float variance = group_sum(scratch, squares, WG) / count;
    if (lid == 0) {
        saved_mean[c] = mean;
        saved_inverse_std[c] = 1.0f / sqrt(variance + epsilon);
        running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean;
        running_variance[c] = (1.0f - momentum) * running_variance[c] + momentum * variance * unbias;
    }
}

__kernel void bn_normalize(__global const float* x, __global const float* gamma, __global const float* beta,
                           __global const float* mean, __global const float* statistic, __global float* y,
                           const int channels, const int spatial, const float epsilon, const int count) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int c = (i / spatial) % channels;
#if TRAINING
    const float inverse_std = statistic[c];
#else
    const float inverse_std = 1.0f / sqrt(statistic[c] + epsilon);
#endif
    const float scale = gamma[c] * inverse_std, shift = beta[c] - mean[c] * scale;
    const float value = x[i] * scale + shift;
#if ACTIVATION == 1
    y[i] = fmax(value, 0.0f);
#elif ACTIVATION == 2
    y[i] = fmin(fmax(value, 0.0f), 6.0f);
#else
    y[i] = value;
#endif
}

__kernel void bn_backward_reduce(__global const float* dy, __global const float* x, __global const float* mean,
                                 __global const float* inverse_std, __global float* grad_gamma,
                                 __global float* grad_beta, const int batch, const int channels, const int spatial) {
    __local float scratch[WG];
    const int c = get_group_id(0), lid = get_local_id(0), count = batch * spatial;
    const float m = mean[c], inv = inverse_std[c];
    float sum_dy = 0.0f, sum_dy_xhat = 0.0f;
    for (int i = lid; i < count; i += WG) {
        const int index = channel_index(i, c, channels, spatial);
        sum_dy += dy[index];
        sum_dy_xhat += dy[index] * (x[index] - m) * inv;
    }
    sum_dy = group_sum(scratch, sum_dy, WG);
    sum_dy_xhat = group_sum(scratch, sum_dy_xhat, WG);
    if (lid == 0) {
        grad_beta[c] = sum_dy;
        grad_gamma[c] = sum_dy_xhat;
    }
}

__kernel void bn_backward_input(__global const float* dy, __global const float* x, __global const float* gamma,
                                __global const float* mean, __global const float* inverse_std,
                                __global const float* grad_gamma, __global const float* grad_beta, __global float* dx,
                                const int channels, const int spatial, const float per_channel, const int count) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const int c = (i / spatial) % channels;
    const float inv = inverse_std[c], x_hat = (x[i] - mean[c]) * inv;
    dx[i] = gamma[c] * inv / per_channel * (per_channel * dy[i] - grad_beta[c] - x_hat * grad_gamma[c]);
}
