// layout.cl — swapping the two leading axes of [a, b, plane] (NCHW <-> CNHW), so convolution GEMMs see every
// sample's positions of a channel side by side. The CPU reference is Sources/CondenseCore/CPU/CPUBackend+Layout.swift.
//
//   swap_leading_axes  range [segments, A·B] (common.cl's ROW_CHUNK over the input's rows of `plane` floats): each
//                      work-item copies one chunk of input row (i, j) to output row (j, i), VEC floats at a time.

__kernel void swap_leading_axes(__global const float* input, const int input_offset, __global float* output,
                                const int output_offset, const int A, const int B, const int plane) {
    ROW_CHUNK(plane);
    if (count <= 0) return;
    const int i = row / B, j = row % B;
    __global const float* from = input + input_offset + start;
    __global float* to = output + output_offset + (size_t)(j * A + i) * plane + chunkStart;
    int k = 0;
    for (; k + VEC <= count; k += VEC) STOREV(LOADV(from + k), to + k);
    for (; k < count; ++k) to[k] = from[k];
}
