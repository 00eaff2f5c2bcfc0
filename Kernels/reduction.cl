// reduction.cl — sums and accuracy counting on float32 tensors, written to device buffers so a
// training step needs no read-back. The CPU reference is Sources/CondenseCPU/Kernels/ReductionKernels.swift.
//
//   sum_partials   pass 1: each work-group of WG items reduces a contiguous slice to one partial sum.
//   sum_final      pass 2: one work-group adds the partials.
//   sum_columns    one work-item per column of a [R, C] matrix (coalesced across columns).
//   count_correct  one work-group: each item takes rows in stride, then the hits are tree-summed; a row's argmax
//                  is its first maximum, as PyTorch.
//
// Defines (-D, defaults below): WG work-group size, a power of two.

#ifndef WG
#define WG 256
#endif

__kernel void sum_partials(__global const float* input, __global float* partials, const int count,
                           const int per_group) {
    __local float scratch[WG];
    const int begin = get_group_id(0) * per_group, end = min(begin + per_group, count);
    float sum = 0.0f;
    for (int i = begin + get_local_id(0); i < end; i += WG) sum += input[i];
    sum = group_sum(scratch, sum, WG);
    if (get_local_id(0) == 0) partials[get_group_id(0)] = sum;
}

__kernel void sum_final(__global const float* partials, __global float* output, const int count) {
    __local float scratch[WG];
    float sum = 0.0f;
    for (int i = get_local_id(0); i < count; i += WG) sum += partials[i];
    sum = group_sum(scratch, sum, WG);
    if (get_local_id(0) == 0) output[0] = sum;
}

__kernel void sum_columns(__global const float* input, __global float* output, const int rows, const int columns) {
    const int c = get_global_id(0);
    if (c >= columns) return;
    float sum = 0.0f;
    for (int r = 0; r < rows; ++r) sum += input[r * columns + c];
    output[c] = sum;
}

// The first index of the row's maximum (NaN-free input assumed, as in training).
inline int row_argmax(__global const float* row, const int columns) {
    int best = 0;
    for (int k = 1; k < columns; ++k) if (row[k] > row[best]) best = k;
    return best;
}

__kernel void count_correct(__global const float* logits, __global const int* labels, __global float* output,
                            const int rows, const int columns) {
    __local float scratch[WG];
    float hits = 0.0f;
    for (int r = get_local_id(0); r < rows; r += WG) hits += row_argmax(logits + r * columns, columns) == labels[r];
    hits = group_sum(scratch, hits, WG);
    if (get_local_id(0) == 0) output[0] = hits;
}
