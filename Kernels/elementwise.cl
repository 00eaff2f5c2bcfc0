// elementwise.cl — pointwise float32 ops: the streaming ones (activations, add, axpy, scale, multiply) one chunk of
// VEC·ITEMS elements per work-item (common.cl, ChunkTiling), the rest one work-item per element (bias gradient: one
// work-group per channel).
// The CPU side is Sources/CondenseCPU/Ops/CPUBackend+Elementwise.swift with the same formulas.
//
//   activation_forward / activation_backward   ACTIVATION 0 none, 1 relu, 2 relu6; backward masks from the output
//   add, axpy, scale, multiply                 residual adds, gradient accumulation, scaling
//   add_channel_bias, channel_bias_gradient    per-channel bias on [N, C, spatial] tensors
//   dropout_forward                            inverted dropout with the (seed, index) hash shared with the CPU
//
// Defines (-D, defaults below): ACTIVATION (common.cl); WG work-group size of channel_bias_gradient (a power of two).

#ifndef WG
#define WG 128
#endif

#define BODY_ACTIVATION_FORWARD(LOAD, STORE, j) STORE(activate(LOAD(x + j)), y + j)
__kernel void activation_forward(__global const float* x, __global float* y, const int length) {
    ROW_CHUNK(length);
    if (count <= 0) return;
    x += start;
    y += start;
    POINTWISE(BODY_ACTIVATION_FORWARD);
}

#define BODY_ACTIVATION_BACKWARD(LOAD, STORE, j) STORE(activation_gradient(LOAD(y + j), LOAD(dy + j)), dx + j)
__kernel void activation_backward(__global const float* y, __global const float* dy, __global float* dx,
                                  const int length) {
    ROW_CHUNK(length);
    if (count <= 0) return;
    y += start;
    dy += start;
    dx += start;
    POINTWISE(BODY_ACTIVATION_BACKWARD);
}

#define BODY_ADD(LOAD, STORE, j) STORE(LOAD(a + j) + LOAD(b + j), out + j)
__kernel void add(__global const float* a, __global const float* b, __global float* out, const int length) {
    ROW_CHUNK(length);
    if (count <= 0) return;
    a += start;
    b += start;
    out += start;
    POINTWISE(BODY_ADD);
}

#define BODY_AXPY(LOAD, STORE, j) STORE(LOAD(y + j) + alpha * LOAD(x + j), y + j)
__kernel void axpy(const float alpha, __global const float* x, __global float* y, const int length) {
    ROW_CHUNK(length);
    if (count <= 0) return;
    x += start;
    y += start;
    POINTWISE(BODY_AXPY);
}

#define BODY_SCALE(LOAD, STORE, j) STORE(factor * LOAD(x + j), y + j)
__kernel void scale(__global const float* x, const float factor, __global float* y, const int length) {
    ROW_CHUNK(length);
    if (count <= 0) return;
    x += start;
    y += start;
    POINTWISE(BODY_SCALE);
}

#define BODY_MULTIPLY(LOAD, STORE, j) STORE(LOAD(a + j) * LOAD(b + j), out + j)
__kernel void multiply(__global const float* a, __global const float* b, __global float* out, const int length) {
    ROW_CHUNK(length);
    if (count <= 0) return;
    a += start;
    b += start;
    out += start;
    POINTWISE(BODY_MULTIPLY);
}

__kernel void add_channel_bias(__global const float* bias, __global float* x, const int channels, const int spatial,
                               const int count) {
    const int i = get_global_id(0);
    if (i < count) x[i] += bias[(i / spatial) % channels];
}

// `groups` work-groups per channel, group g of channel c taking every groups-th stretch of WG of its N·spatial
// elements and writing db[c·groups + g]: 1 (db is the gradient) unless a channel is so long that a work-item's loop
// would pass llvmpipe's 65,535 iterations; then the host sums each channel's partials with this kernel again.
__kernel void channel_bias_gradient(__global const float* dy, __global float* db, const int batch, const int channels,
                                    const int spatial, const int groups) {
    __local float scratch[WG];
    const int c = get_group_id(0) / groups, lid = get_local_id(0);
    float sum = 0.0f;
    for (int i = get_group_id(0) % groups * WG + lid; i < batch * spatial; i += groups * WG) {
        sum += dy[((i / spatial) * channels + c) * spatial + i % spatial];
    }
    sum = group_sum(scratch, sum, WG);
    if (lid == 0) db[get_group_id(0)] = sum;
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
