// attention.cl — attention maps for attention transfer: Q = mean_c(A²) per position, L2-normalized per sample,
// and the backward pass. One work-group of WG items per sample; each item strides over the positions; the norm and
// the dot product Q̂·dQ̂ are work-group sums (common.cl). The CPU reference is
// Sources/CondenseCPU/Kernels/AttentionKernels.swift.
//
// Defines (-D, defaults below): WG work-group size (a power of two).

#ifndef WG
#define WG 128
#endif

__kernel void attention_map(__global const float* features, __global float* map, __global float* norms,
                            const int channels, const int positions) {
    __local float scratch[WG];
    const int n = get_group_id(0), lid = get_local_id(0);
    __global const float* a = features + n * channels * positions;
    __global float* q = map + n * positions;
    float squares = 0.0f;
    for (int p = lid; p < positions; p += WG) {
        float sum = 0.0f;
        for (int c = 0; c < channels; ++c) sum += a[c * positions + p] * a[c * positions + p];
        const float value = sum / (float)channels;
        q[p] = value;
        squares += value * value;
    }
    const float norm = sqrt(group_sum(scratch, squares, WG));
    const float scale = norm > 0.0f ? 1.0f / norm : 0.0f;
    for (int p = lid; p < positions; p += WG) q[p] *= scale;
    if (lid == 0) norms[n] = norm;
}

__kernel void attention_map_backward(__global const float* features, __global const float* map,
                                     __global const float* norms, __global const float* grad_map,
                                     __global float* grad_features, const int channels, const int positions) {
    __local float scratch[WG];
    const int n = get_group_id(0), lid = get_local_id(0);
    __global const float* q = map + n * positions;
    __global const float* dq = grad_map + n * positions;
    float dot = 0.0f;
    for (int p = lid; p < positions; p += WG) dot += q[p] * dq[p];
    dot = group_sum(scratch, dot, WG);
    const float inverse_norm = norms[n] > 0.0f ? 1.0f / norms[n] : 0.0f, two_over_c = 2.0f / (float)channels;
    const int base = n * channels * positions;
    for (int p = lid; p < positions; p += WG) {
        const float d = (dq[p] - q[p] * dot) * inverse_norm;
        for (int c = 0; c < channels; ++c) {
            grad_features[base + c * positions + p] = two_over_c * features[base + c * positions + p] * d;
        }
    }
}
