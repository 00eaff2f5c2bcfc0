// elementwise.cl — pointwise float32 ops, one work-item per element (bias gradient: one work-group per channel).
// The CPU side is Sources/CondenseCore/CPU/CPUBackend+Elementwise.swift with the same formulas.
//
//   activation_forward / activation_backward   ACTIVATION 0 none, 1 relu, 2 relu6; backward masks from the output
//   add, axpy, scale, multiply                 residual adds, gradient accumulation, scaling
//   add_channel_bias, channel_bias_gradient    per-channel bias on [N, C, spatial] tensors
//   dropout_forward                            inverted dropout with the (seed, index) hash shared with the CPU
//   float_to_half, half_to_float               float16 storage (vstore_half_rte: round to nearest even)
//
// Defines (-D, defaults below): ACTIVATION; WG work-group size of channel_bias_gradient (a power of two).

#ifndef ACTIVATION
#define ACTIVATION 0
#endif
#ifndef WG
#define WG 128
#endif

__kernel void activation_forward(__global const float* x, __global float* y, const int count) {
    const int i = get_global_id(0);
    if (i >= count) return;
#if ACTIVATION == 1
    y[i] = fmax(x[i], 0.0f);
#elif ACTIVATION == 2
    y[i] = fmin(fmax(x[i], 0.0f), 6.0f);
#else
    y[i] = x[i];
#endif
}

__kernel void activation_backward(__global const float* y, __global const float* dy, __global float* dx,
                                  const int count) {
    const int i = get_global_id(0);
    if (i >= count) return;
#if ACTIVATION == 1
    dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
#elif ACTIVATION == 2
    dx[i] = (y[i] > 0.0f && y[i] < 6.0f) ? dy[i] : 0.0f;
#else
    dx[i] = dy[i];
#endif
}

__kernel void add(__global const float* a, __global const float* b, __global float* out, const int count) {
    const int i = get_global_id(0);
    if (i < count) out[i] = a[i] + b[i];
}

__kernel void axpy(const float alpha, __global const float* x, __global float* y, const int count) {
    const int i = get_global_id(0);
    if (i < count) y[i] += alpha * x[i];
}

__kernel void scale(__global const float* x, const float factor, __global float* y, const int count) {
    const int i = get_global_id(0);
    if (i < count) y[i] = factor * x[i];
}

__kernel void multiply(__global const float* a, __global const float* b, __global float* out, const int count) {
    const int i = get_global_id(0);
    if (i < count) out[i] = a[i] * b[i];
}

__kernel void add_channel_bias(__global const float* bias, __global float* x, const int channels, const int spatial,
                               const int count) {
    const int i = get_global_id(0);
    if (i < count) x[i] += bias[(i / spatial) % channels];
}

__kernel void channel_bias_gradient(__global const float* dy, __global float* db, const int batch, const int channels,
                                    const int spatial) {
    __local float scratch[WG];
    const int c = get_group_id(0), lid = get_local_id(0);
    float sum = 0.0f;
    for (int i = lid; i < batch * spatial; i += WG) sum += dy[((i / spatial) * channels + c) * spatial + i % spatial];
    sum = group_sum(scratch, sum, WG);
    if (lid == 0) db[c] = sum;
}

// The same 32-bit hash as dropoutUniform in Sources/CondenseCore/Ops/ElementwiseOps.swift.
inline float dropout_uniform(const uint seed, const uint index) {
    uint h = (index * 0x9E3779B1u) ^ seed;
    h ^= h >> 16;
    h *= 0x7FEB352Du;
    h ^= h >> 15;
    h *= 0x846CA68Bu;
    h ^= h >> 16;
    return (float)(h >> 8) * (1.0f / 16777216.0f);
}

__kernel void dropout_forward(__global const float* x, __global float* y, __global float* mask, const float p,
                              const float keep_scale, const uint seed, const int count) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const float m = dropout_uniform(seed, (uint)i) >= p ? keep_scale : 0.0f;
    mask[i] = m;
    y[i] = x[i] * m;
}

__kernel void float_to_half(__global const float* x, __global half* y, const int count) {
    const int i = get_global_id(0);
    if (i < count) vstore_half_rte(x[i], i, y);
}

__kernel void half_to_float(__global const half* x, __global float* y, const int count) {
    const int i = get_global_id(0);
    if (i < count) y[i] = vload_half(i, x);
}
