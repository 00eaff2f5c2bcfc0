// layout.cl — swapping the two leading axes of [a, b, plane] (NCHW <-> CNHW), so convolution GEMMs see every
// sample's positions of a channel side by side. The CPU reference is Sources/CondenseCore/CPU/CPUBackend+Layout.swift.
//
//   swap_leading_axes  one work-item per element, 3-D range (plane, b, a): no index division, contiguous along the
//                      plane on both sides.

__kernel void swap_leading_axes(__global const float* input, const int input_offset, __global float* output,
                                const int output_offset, const int A, const int B, const int plane) {
    const int p = get_global_id(0), j = get_global_id(1), i = get_global_id(2);
    if (p >= plane) return;
    output[output_offset + (j * A + i) * plane + p] = input[input_offset + (i * B + j) * plane + p];
}
