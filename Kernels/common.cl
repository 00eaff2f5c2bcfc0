// common.cl — helpers prepended to every program built from Kernels/ (so build-log line numbers of a kernel file
// are offset by this file's length).

// DEFINE_GROUP_SUM(TYPE, NAME) defines `TYPE NAME(__local TYPE* scratch, TYPE value, int size)`: the sum of one
// value per work-item over a work-group of `size` items (a power of two, the local size). Every work-item receives
// the result, and the scratch may be reused right after.
#define DEFINE_GROUP_SUM(TYPE, NAME)                                            \
    inline TYPE NAME(__local TYPE* scratch, const TYPE value, const int size) { \
        const int lid = get_local_id(0);                                        \
        scratch[lid] = value;                                                   \
        barrier(CLK_LOCAL_MEM_FENCE);                                           \
        for (int offset = size / 2; offset > 0; offset >>= 1) {                 \
            if (lid < offset) scratch[lid] += scratch[lid + offset];            \
            barrier(CLK_LOCAL_MEM_FENCE);                                       \
        }                                                                       \
        const TYPE result = scratch[0];                                         \
        barrier(CLK_LOCAL_MEM_FENCE);                                           \
        return result;                                                          \
    }

DEFINE_GROUP_SUM(float, group_sum)

// FOR_COVERING_OUTPUTS(iy, ix, DH, DW, BODY) runs BODY for every output (oy, ox) whose window reads input (iy, ix)
// through kernel tap (ky, kx), with `o = oy·OW + ox` in scope: the gather backward passes use instead of atomics.
// Expects KH, KW, SH, SW, PH, PW, OH and OW in scope (as defines or kernel arguments).
#define FOR_COVERING_OUTPUTS(iy, ix, DH, DW, BODY)                       \
    for (int ky = 0; ky < KH; ++ky) {                                   \
        const int sy = (iy) + PH - ky * (DH);                           \
        if (sy < 0 || sy % SH != 0 || sy / SH >= OH) continue;          \
        for (int kx = 0; kx < KW; ++kx) {                               \
            const int sx = (ix) + PW - kx * (DW);                       \
            if (sx < 0 || sx % SW != 0 || sx / SW >= OW) continue;      \
            const int o = (sy / SH) * OW + sx / SW;                     \
            BODY;                                                       \
        }                                                               \
    }
