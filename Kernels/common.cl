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
