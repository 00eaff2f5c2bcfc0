// layout.cl — swapping the two leading axes of [a, b, plane] (NCHW <-> CNHW), so convolution GEMMs see every
// sample's positions of a channel side by side. Tested against the index formula
// (Tests/CondenseOpenCLTests/LayoutTests.swift); the OpenCL convolution is its only caller.
//
//   swap_leading_axes        range [segments, A·B] (common.cl's ROW_CHUNK over the input's rows of `plane` floats):
//                            each work-item copies one chunk of input row (i, j) to output row (j, i), VEC floats at
//                            a time. For planes of a chunk or more, and on GPUs.
//   swap_leading_axes_tiles  range [ceil(A / TILE), ceil(B / TILE)], for planes shorter than a chunk on CPU drivers:
//                            each work-item moves a TILE × TILE block of rows (i, j), reading TILE·PLANE contiguous
//                            floats per i and writing TILE·PLANE contiguous floats per j. One work-item per short row
//                            spends more on its own setup than on the copy, and rows strewn over work-items make
//                            neighbouring threads write the same cache lines.
//
// Defines (-D) of the tiles kernel: PLANE, the row length (so each row's copy is a few constant-size moves), and TILE.

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

#ifdef PLANE
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void swap_leading_axes_tiles(__global const float* input, const int input_offset, __global float* output,
                             const int output_offset, const int A, const int B) {
    const int i0 = get_global_id(0) * TILE, j0 = get_global_id(1) * TILE;
    const int i1 = min(A, i0 + TILE), j1 = min(B, j0 + TILE);
    for (int j = j0; j < j1; ++j) {
        __global const float* from = input + input_offset + ((size_t)i0 * B + j) * PLANE;
        __global float* to = output + output_offset + ((size_t)j * A + i0) * PLANE;
        for (int i = i0; i < i1; ++i, from += (size_t)B * PLANE, to += PLANE) {
            int k = 0;
            #pragma unroll
            for (; k + 16 <= PLANE; k += 16) vstore16(vload16(0, from + k), 0, to + k);
            #pragma unroll
            for (; k < PLANE; ++k) to[k] = from[k];
        }
    }
}
#endif
