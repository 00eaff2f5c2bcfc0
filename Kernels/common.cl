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

// MARK: - Vector chunks (VEC, ITEMS)
//
// Streaming kernels give each work-item a chunk of ITEMS vectors of VEC contiguous floats (CHUNK elements): vload/
// vstore of `floatV`, then the chunk's scalar tail with the same vector code on a broadcast value (`FIRST` takes its
// lane 0). The host picks the defines per device type (Sources/CondenseOpenCL/Runtime/ChunkTiling.swift): small
// chunks on GPUs, so neighbouring work-items read neighbouring vectors (coalesced), and long ones on CPU drivers,
// where each work-item becomes a plain vectorized loop and per-item setup is amortized over many elements.
// VEC is 1, 2, 4, 8 or 16.

#ifndef VEC
#define VEC 4
#endif
#ifndef ITEMS
#define ITEMS 1
#endif
#define CHUNK (VEC * ITEMS)

#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)
#if VEC == 1
#define floatV float
#define intV int
#define LOADV(p) (*(p))
#define STOREV(v, p) (*(p) = (v))
#define FIRST(v) (v)
#else
#define floatV CONCAT(float, VEC)
#define intV CONCAT(int, VEC)
#define LOADV(p) CONCAT(vload, VEC)(0, p)
#define STOREV(v, p) CONCAT(vstore, VEC)(v, 0, p)
#define FIRST(v) ((v).s0)
#endif

// ROW_CHUNK(inner) declares, for work-item (s, row) of a [segments, rows] range over rows of `inner` floats, its row,
// where its chunk starts in the tensor and how many elements it has (≤ 0: past the row's end, in the padding of a
// rounded-up range). The host side is ChunkTiling.rowRange.
#define ROW_CHUNK(inner)              \
    const int row = get_global_id(1); \
    CHUNK_OF_ROW(row, inner)
// CHUNK_OF_ROW(row, inner) declares the same for a given row: chunkStart, start and count.
#define CHUNK_OF_ROW(row, inner)                                 \
    const int chunkStart = get_global_id(0) * CHUNK;             \
    const size_t start = (size_t)(row) * (inner) + chunkStart;   \
    const int count = min(CHUNK, (inner) - chunkStart)

// ROWS: rows per work-item of the kernels that loop FOR_EACH_ROW (ChunkTiling.rowBlocks): 1 on GPUs and for rows
// of a chunk or more, enough rows for about a chunk on CPU drivers, where one work-item per short row would spend
// more on its own setup than on its elements.
#ifndef ROWS
#define ROWS 1
#endif
// FOR_EACH_ROW(row, rows) runs the statement after it for each of work-item get_global_id(1)'s ROWS consecutive rows
// (of `rows` in all).
#define FOR_EACH_ROW(row, rows) \
    for (int row = get_global_id(1) * ROWS, row##End = min(row + ROWS, (rows)); row < row##End; ++row)

// POINTWISE(BODY), after ROW_CHUNK with every pointer advanced to the chunk (`start`), runs BODY(LOAD, STORE, j) for
// the chunk's whole vectors (LOADV/STOREV) and then for its remaining elements (LOAD_ONE: one float in every lane,
// STORE_ONE: lane 0 stored), so each elementwise formula is written once for both.
#define LOAD_ONE(p) ((floatV)*(p))
#define STORE_ONE(v, p) (*(p) = FIRST(v))
#define POINTWISE(BODY)                                                  \
    int j = 0;                                                           \
    for (; j + VEC <= count; j += VEC) BODY(LOADV, STOREV, j);           \
    for (; j < count; ++j) BODY(LOAD_ONE, STORE_ONE, j)

// LOADV_STRIDED(p, s): the VEC floats p[0], p[s], p[2s], … (one vector load when s is 1).
#define LOADV_STRIDED(p, s) ((s) == 1 ? LOADV(p) : GATHERV(p, s))
#define GATHER4_(p, s, k) (p)[(k) * (s)], (p)[((k) + 1) * (s)], (p)[((k) + 2) * (s)], (p)[((k) + 3) * (s)]
#if VEC == 1
#define GATHERV(p, s) ((p)[0])
#elif VEC == 2
#define GATHERV(p, s) ((float2)((p)[0], (p)[s]))
#elif VEC == 4
#define GATHERV(p, s) ((float4)(GATHER4_(p, s, 0)))
#elif VEC == 8
#define GATHERV(p, s) ((float8)(GATHER4_(p, s, 0), GATHER4_(p, s, 4)))
#else
#define GATHERV(p, s) ((float16)(GATHER4_(p, s, 0), GATHER4_(p, s, 4), GATHER4_(p, s, 8), GATHER4_(p, s, 12)))
#endif

// DEFINE_LANE_REDUCTION(NAME, COMBINE) defines `float NAME(floatV v)`: COMBINE (a macro or function of two
// values) folded over v's lanes, halving the vector each step (FOLDn folds n lanes).
#define ADD(a, b) ((a) + (b))
#define FOLD1(COMBINE, v) (v)
#define FOLD2(COMBINE, v) COMBINE((v).x, (v).y)
#define FOLD4(COMBINE, v) FOLD2(COMBINE, COMBINE((v).lo, (v).hi))
#define FOLD8(COMBINE, v) FOLD4(COMBINE, COMBINE((v).lo, (v).hi))
#define FOLD16(COMBINE, v) FOLD8(COMBINE, COMBINE((v).lo, (v).hi))
#define DEFINE_LANE_REDUCTION(NAME, COMBINE) \
    inline float NAME(const floatV v) { return CONCAT(FOLD, VEC)(COMBINE, v); }

DEFINE_LANE_REDUCTION(sum_lanes, ADD)
DEFINE_LANE_REDUCTION(max_lanes, fmax)

// MARK: - Fused activation

// activate(x): the activation the host compiled in (ACTIVATION 0 none, 1 ReLU, 2 ReLU6), for the kernels that fuse
// one (batch norm, depthwise convolution, the activation kernels). A NaN passes, as in the CPU backend's clamp and
// PyTorch's relu: fmax(NaN, 0) is 0 by the OpenCL specification, which hid a diverged activation from every later
// layer (a NaN a layer turned into 0 here, where an infinity stayed an infinity, so a diverged model's logits
// could come out finite and its weights be kept).
#ifndef ACTIVATION
#define ACTIVATION 0
#endif
inline floatV activate(const floatV x) {
#if ACTIVATION == 1
    return x <= 0.0f ? 0.0f : x;
#elif ACTIVATION == 2
    const floatV low = x <= 0.0f ? 0.0f : x;
    return low > 6.0f ? 6.0f : low;
#else
    return x;
#endif
}

// activation_gradient(v, dy): dy where the activation passes the gradient, else 0: where its output v lies inside
// its linear range (PyTorch's masks: ReLU v > 0, ReLU6 0 < v < 6). The same test holds for the activation's input.
inline floatV activation_gradient(const floatV v, const floatV dy) {
#if ACTIVATION == 1
    return v > 0.0f ? dy : 0.0f;
#elif ACTIVATION == 2
    return v > 0.0f && v < 6.0f ? dy : 0.0f;
#else
    return dy;
#endif
}

// MARK: - Powers of two of non-positive arguments

// exp2_nonpositive(x) = 2ˣ for x ≤ 0, within about 3 ulp (1.6e-7 relative against float64 over [−126, 0]; the fit and
// the check are Scripts/fit-exp2.py), in plain vector arithmetic. The softmax kernels pass their max-subtracted logits
// times log₂e (folded into 1/T), so eˣ costs no more than 2ˣ. Adding 1.5·2²³ + 127 rounds x to the nearest integer k
// and leaves k + 127 in the low mantissa bits, which one shift moves into the exponent field of 2ᵏ; subtracting the
// constant again gives k, and f = x − k ∈ [−½, ½] exactly. 2ᶠ = 1 + f·q(f), q a degree-4 near-minimax fit for relative
// error. Below −126, where 2ˣ is subnormal, it returns 0 (so 2ᵏ is always a normal float). About 11 vector operations,
// against 15 for the eˣ it replaced (the float–integer conversions of k and the separate scaling by log₂e are gone),
// and under half the library `exp` that PoCL inlines, whose accuracy, range handling and rounding-mode conversion the
// softmax kernels do not need. Overloaded for float and floatV.
#define ROUNDING_SHIFT 12583039.0f  // 1.5·2²³ + 127
#define DEFINE_EXP2_NONPOSITIVE(TYPE, INT_TYPE)                                                     \
    inline TYPE __attribute__((overloadable)) exp2_nonpositive(const TYPE x) {                      \
        const TYPE shifted = x + ROUNDING_SHIFT;                                                    \
        const TYPE f = x - (shifted - ROUNDING_SHIFT);                                              \
        TYPE q = fma(f, 1.326472731e-3f, 9.671512991e-3f);                                          \
        q = fma(q, f, 5.550733581e-2f);                                                             \
        q = fma(q, f, 2.402224243e-1f);                                                             \
        q = fma(q, f, 6.931470037e-1f);                                                             \
        const TYPE twoToK = CONCAT(as_, TYPE)(CONCAT(as_, INT_TYPE)(shifted) << 23);                \
        return x < -126.0f ? (TYPE)0.0f : fma(q, f, 1.0f) * twoToK;                                 \
    }

DEFINE_EXP2_NONPOSITIVE(float, int)
#if VEC > 1
DEFINE_EXP2_NONPOSITIVE(floatV, intV)
#endif
