// softmax.cl — softmax with temperature, cross entropy and the fused Hinton and decoupled (DKD) distillation losses,
// on rows of logits [B, K] (float32, row-major), PyTorch's conventions (ARCHITECTURE.md §4). Every softmax is
// max-subtracted. The CPU reference is Sources/CondenseCPU/Kernels/SoftmaxKernels.swift: same formulas,
// same 1/T and 1/B multiplications, so the backends agree to float rounding.
//
// Layout: one work-group of WG work-items per row; each work-item strides over the row in vectors of VEC (common.cl:
// j = lid·VEC, (lid + WG)·VEC, … while a whole vector fits), and the last K mod VEC elements go one per work-item
// in turn, so a row of any length K ≥ 1 works, including K < WG·VEC (idle items contribute the reduction's
// identity). Row maxima and sums are local-memory tree reductions. GPUs get WG = 32…256 and short vectors; CPU
// drivers WG = 1 and VEC = 16: one work-item walks a whole row as vector loops, with no barrier to split them.
// Losses are reduced in two kernels, with no host read-back and no atomics: the row kernels write per-row values to
// a scratch [B, TERMS], and mean_rows (one work-group) averages them. Every exponential is of a max-subtracted
// (non-positive) argument, so the kernels take it as common.cl's exp2_nonpositive of the argument times log₂e (folded
// into the 1/T scale): on CPU drivers the exponentials, not memory, bound these kernels.
//
// Defines (-D, with defaults below):
//   WG          work-group size, a power of two (the host picks 32…256 from K on GPUs, 1 on CPUs; mean_rows from B)
//   VEC         the vector width of the row loops (common.cl)
//   HAS_GRAD    the loss kernels: 1 = also write the gradient wrt the logits
//   TERMS       mean_rows: values per row (1 = cross entropy, 2 = distillation [kd, ce], 3 = DKD [tckd, nckd, ce])
//   WRITE_TERMS mean_rows: 1 = also write the per-term means to `terms`
//   TEMPERATURE_POWER  the distillation kernels: T when the temperature is a small integer, else 0
//   CACHE_TEACHER      the distillation kernels: 1 = keep the teacher's exponentials in the local `cache` for the
//                      gradient
//
// Labels are not validated on the device (that would need a read-back): an out-of-range label is clamped into
// [0, K) so nothing is read out of bounds; the data loader checks labels.

#ifndef WG
#define WG 64
#endif
#ifndef HAS_GRAD
#define HAS_GRAD 1
#endif
#ifndef TERMS
#define TERMS 1
#endif
#ifndef WRITE_TERMS
#define WRITE_TERMS 0
#endif
#ifndef TEMPERATURE_POWER
#define TEMPERATURE_POWER 0
#endif
#ifndef CACHE_TEACHER
#define CACHE_TEACHER 0
#endif

// MARK: - Work-group reductions (every work-item gets the result; the scratch may be reused right after)

inline float group_max(__local float* scratch, float value) {
    const int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = WG / 2; width > 0; width >>= 1) {
        if (lid < width) scratch[lid] = fmax(scratch[lid], scratch[lid + width]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

// group_sum and DEFINE_GROUP_SUM come from common.cl.
DEFINE_GROUP_SUM(float2, group_sum2)
DEFINE_GROUP_SUM(float4, group_sum4)

// This work-item's share of the elements [begin, end) of a row: whole vectors at j, then single elements of the
// tail at j; ROW_* for a whole row of `classes`.
#define RANGE_VECTORS(j, begin, end) for (int j = (begin) + get_local_id(0) * VEC; j + VEC <= (end); j += WG * VEC)
#define RANGE_TAIL(j, begin, end) \
    for (int j = (begin) + ((end) - (begin)) / VEC * VEC + (int)get_local_id(0); j < (end); j += WG)
#define ROW_VECTORS(j, classes) RANGE_VECTORS(j, 0, classes)
#define ROW_TAIL(j, classes) RANGE_TAIL(j, 0, classes)

// The two ranges of a row without its label, [0, label) and [label + 1, classes), as (begin, end) in turn.
#define OFF_LABEL_RANGES(begin, end, label, classes) \
    for (int part = 0, begin = 0, end = (label); part < 2; ++part, begin = (label) + 1, end = (classes))

// RUNNING_MAX(m, x): the larger of a running maximum m (never NaN) and x, skipping a NaN x as fmax does, but as one
// vector max instruction on CPUs instead of fmax's four (its NaN handling for both operands).
#define RUNNING_MAX(m, x) ((x) > (m) ? (x) : (m))

// EXP_NONPOSITIVE(x) = eˣ for x ≤ 0, as common.cl's 2^(x·log₂e).
#define EXP_NONPOSITIVE(x) exp2_nonpositive((x) * M_LOG2E_F)

/// max over one row, every work-item striding over it, its vectors alternately into two running maxima so that
/// consecutive maxima do not wait on each other.
inline float row_max(__local float* scratch, const __global float* x, int classes) {
    floatV even = -INFINITY, odd = -INFINITY;
    float m = -INFINITY;
    int j = get_local_id(0) * VEC;
    for (; j + WG * VEC + VEC <= classes; j += 2 * WG * VEC) {
        even = RUNNING_MAX(even, LOADV(x + j));
        odd = RUNNING_MAX(odd, LOADV(x + j + WG * VEC));
    }
    if (j + VEC <= classes) even = RUNNING_MAX(even, LOADV(x + j));
    ROW_TAIL(k, classes) m = RUNNING_MAX(m, x[k]);
    return group_max(scratch, RUNNING_MAX(max_lanes(RUNNING_MAX(even, odd)), m));
}

/// This work-item's maxima of two rows over [begin, end), folded into its running maxima *mx and *mu.
inline void range_max2(const __global float* x, const __global float* u, int begin, int end, float* mx, float* mu) {
    floatV vx = -INFINITY, vu = -INFINITY;
    float tx = -INFINITY, tu = -INFINITY;
    RANGE_VECTORS(j, begin, end) {
        vx = RUNNING_MAX(vx, LOADV(x + j));
        vu = RUNNING_MAX(vu, LOADV(u + j));
    }
    RANGE_TAIL(j, begin, end) {
        tx = RUNNING_MAX(tx, x[j]);
        tu = RUNNING_MAX(tu, u[j]);
    }
    *mx = RUNNING_MAX(*mx, RUNNING_MAX(max_lanes(vx), tx));
    *mu = RUNNING_MAX(*mu, RUNNING_MAX(max_lanes(vu), tu));
}

/// The maxima of two rows of the same length in one pass: (max x, max u).
inline float2 row_max2(__local float* scratch, const __global float* x, const __global float* u, int classes) {
    float mx = -INFINITY, mu = -INFINITY;
    range_max2(x, u, 0, classes, &mx, &mu);
    const float first = group_max(scratch, mx);
    return (float2)(first, group_max(scratch, mu));
}

// MARK: - Softmax

/// y = softmax(z / T). Global [B·WG], local [WG]. y may be z.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void softmax_forward(const __global float* z, __global float* y, const int classes, const float invT) {
    __local float scratch[WG];
    const size_t offset = (size_t)get_group_id(0) * classes;
    const __global float* x = z + offset;
    __global float* out = y + offset;

    const float m = row_max(scratch, x, classes), scale = invT * M_LOG2E_F;
    floatV vectors = 0.0f;
    float partial = 0.0f;
    // Each work-item parks its exponentials in the output and rescales the same elements: one exp per element
    // (the exponentials bound this kernel on CPU drivers), and in place (y = z) still reads each x before writing.
    ROW_VECTORS(j, classes) {
        const floatV e = exp2_nonpositive((LOADV(x + j) - m) * scale);
        STOREV(e, out + j);
        vectors += e;
    }
    ROW_TAIL(j, classes) {
        out[j] = exp2_nonpositive((x[j] - m) * scale);
        partial += out[j];
    }
    const float invSum = 1.0f / group_sum(scratch, sum_lanes(vectors) + partial, WG);
    ROW_VECTORS(j, classes) STOREV(LOADV(out + j) * invSum, out + j);
    ROW_TAIL(j, classes) out[j] *= invSum;
}

// MARK: - Losses (per-row values, then mean_rows)

// The loss kernels write every element of the gradient as if it were off the label, then (after a barrier) work-item
// 0 rewrites the label's element: no per-lane label test in the vector loops.

/// Cross entropy with label smoothing ε, one row per work-group: rowLoss[b] = (1 − ε)·(log s − (z_y − m))
/// + ε·(log s − mean(z − m)); with HAS_GRAD, grad = (softmax(z) − q)/B, q = onTarget at y + offTarget everywhere
/// (onTarget = 1 − ε, offTarget = ε/K). Global [B·WG], local [WG].
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void cross_entropy_rows(const __global float* z, const __global int* labels, __global float* rowLoss,
                        __global float* grad, const int classes, const float epsilon, const float invK,
                        const float onTarget, const float offTarget, const float invB) {
    __local float scratch[WG];
    __local float2 scratch2[WG];
    const int row = get_group_id(0), lid = get_local_id(0);
    const __global float* x = z + (size_t)row * classes;
    const int label = clamp(labels[row], 0, classes - 1);  // not validated on the device: never read out of bounds

    const float m = row_max(scratch, x, classes);
    floatV exps = 0.0f, shifted = 0.0f;
    float2 partial = (float2)(0.0f, 0.0f);  // (Σ exp(z − m), Σ (z − m))
    ROW_VECTORS(j, classes) {
        const floatV v = LOADV(x + j) - m;
        exps += EXP_NONPOSITIVE(v);
        shifted += v;
    }
    ROW_TAIL(j, classes) partial += (float2)(EXP_NONPOSITIVE(x[j] - m), x[j] - m);
    const float2 sums = group_sum2(scratch2, partial + (float2)(sum_lanes(exps), sum_lanes(shifted)), WG);
    const float logSum = log(sums.x);
    if (lid == 0) rowLoss[row] = (1.0f - epsilon) * (logSum - (x[label] - m)) + epsilon * (logSum - sums.y * invK);
#if HAS_GRAD
    __global float* g = grad + (size_t)row * classes;
    const float invSum = 1.0f / sums.x;
    ROW_VECTORS(j, classes) STOREV((EXP_NONPOSITIVE(LOADV(x + j) - m) * invSum - offTarget) * invB, g + j);
    ROW_TAIL(j, classes) g[j] = (EXP_NONPOSITIVE(x[j] - m) * invSum - offTarget) * invB;
    barrier(CLK_GLOBAL_MEM_FENCE);
    if (lid == 0) g[label] = (EXP_NONPOSITIVE(x[label] - m) * invSum - (onTarget + offTarget)) * invB;
#endif
}

// exp(s − max s) from eᵇ = exp((s − max s)/T): its T-th power (by squaring) when the host compiled an integer
// temperature (TEMPERATURE_POWER = T), which saves an exponential per element; otherwise directly.
inline floatV student_exp(const floatV eb, const floatV s, const float ms) {
#if TEMPERATURE_POWER > 0
    floatV power = eb, result = 1.0f;
    #pragma unroll
    for (int n = TEMPERATURE_POWER; n > 0; n >>= 1) {
        if (n & 1) result *= power;
        power *= power;
    }
    return result;
#else
    return EXP_NONPOSITIVE(s - ms);
#endif
}

// The distillation row sums of one element (or vector) s of the student, t of the teacher, added to sums:
// (eᵃ, eᵇ, exp(s − max s), eᵃ(a − b)/ln 2) with a = (t − max t)/T, b = (s − max s)/T, from a and b in base 2
// (scale = log₂e/T: eᵃ = 2^(a·log₂e)). Returns eᵇ and sets *ea.
inline floatV add_distillation_terms(const floatV s, const floatV t, const float ms, const float mt, const float scale,
                                     floatV* sums, floatV* ea) {
    const floatV a2 = (t - mt) * scale, b2 = (s - ms) * scale, eb = exp2_nonpositive(b2);
    *ea = exp2_nonpositive(a2);
    sums[0] += *ea;
    sums[1] += eb;
    sums[2] += student_exp(eb, s, ms);
    sums[3] += *ea * (a2 - b2);
    return eb;
}

// The distillation gradient at an element (or vector) off the label from its eᵃ and eᵇ,
// (kdGradScale·(psT − pt) + ceScale·ps)·invB, as eᵇ·w.y − eᵃ·w.x + exp(s − max s)·w.z with the row's weights
// w = (kdGradScale/Σeᵃ, kdGradScale/Σeᵇ, ceScale/Σexp(s − max s))·invB (s is not read for an integer temperature).
inline floatV distillation_gradient(const floatV ea, const floatV eb, const floatV s, const float ms,
                                    const float4 weights) {
    return fma(student_exp(eb, s, ms), weights.z, fma(eb, weights.y, -ea * weights.x));
}

// The gradient pass's eᵃ at element j (LOAD: LOADV for a vector, common.cl's LOAD_ONE for one element in all lanes).
#if CACHE_TEACHER
#define TEACHER_EXP(j, LOAD) LOAD(cache + (j))
#else
#define TEACHER_EXP(j, LOAD) exp2_nonpositive((LOAD(u + (j)) - mt) * scale)
#endif

// The row of a distillation kernel's work-group: the student's logits x, the teacher's u, the gradient's g and the
// label (not validated on the device: clamped so that nothing is read out of bounds).
#define DISTILLATION_ROW(row)                                        \
    const __global float* x = student + (size_t)(row) * classes;     \
    const __global float* u = teacher + (size_t)(row) * classes;     \
    __global float* g = grad + (size_t)(row) * classes;              \
    const int label = clamp(labels[row], 0, classes - 1)

/// The sum pass of the distillation kernels over [begin, end) of a row: this work-item's four sums of
/// add_distillation_terms, its vectors into `vectors` and its tail elements into `tail`; with HAS_GRAD, eᵇ parked in
/// g and, with CACHE_TEACHER, eᵃ in `cache`.
inline void add_distillation_range(const __global float* x, const __global float* u, __global float* g,
                                   __local float* cache, int begin, int end, float ms, float mt, float scale,
                                   floatV* vectors, floatV* tail) {
    floatV ea;
    RANGE_VECTORS(j, begin, end) {
        const floatV eb = add_distillation_terms(LOADV(x + j), LOADV(u + j), ms, mt, scale, vectors, &ea);
#if HAS_GRAD
        STOREV(eb, g + j);
#if CACHE_TEACHER
        STOREV(ea, cache + j);
#endif
#endif
    }
    RANGE_TAIL(j, begin, end) {
        const floatV eb = add_distillation_terms((floatV)x[j], (floatV)u[j], ms, mt, scale, tail, &ea);
#if HAS_GRAD
        g[j] = FIRST(eb);
#if CACHE_TEACHER
        cache[j] = FIRST(ea);
#endif
#endif
    }
}

/// The gradient pass of the distillation kernels over [begin, end): distillation_gradient with the row's weights,
/// from the eᵇ that add_distillation_range parked in g (the same work-item wrote them).
inline void distillation_gradient_range(const __global float* x, const __global float* u, __global float* g,
                                        __local float* cache, int begin, int end, float ms, float mt, float scale,
                                        float4 weights) {
    RANGE_VECTORS(j, begin, end) {
        STOREV(distillation_gradient(TEACHER_EXP(j, LOADV), LOADV(g + j), LOADV(x + j), ms, weights), g + j);
    }
    RANGE_TAIL(j, begin, end) {
        g[j] = FIRST(distillation_gradient(TEACHER_EXP(j, LOAD_ONE), LOAD_ONE(g + j), LOAD_ONE(x + j), ms, weights));
    }
}

/// The four row sums of add_distillation_terms, reduced over the work-group from each work-item's vectors and tail.
inline float4 reduce_distillation_sums(__local float4* scratch4, const floatV* vectors, const floatV* tail) {
    const float4 partial = (float4)(sum_lanes(vectors[0]), sum_lanes(vectors[1]), sum_lanes(vectors[2]),
                                    sum_lanes(vectors[3]))
                         + (float4)(FIRST(tail[0]), FIRST(tail[1]), FIRST(tail[2]), FIRST(tail[3]));
    return group_sum4(scratch4, partial, WG);
}

/// Hinton distillation, one row per work-group, one pass for all four sums. With a = (t − max t)/T,
/// b = (s − max s)/T: KL = Σ eᵃ(a − b)/Σ eᵃ − log Σ eᵃ + log Σ eᵇ, CE = log Σ exp(s − max s) − (s_y − max s);
/// rowTerms[b] = (kdScale·KL, ceScale·CE) with kdScale = α·T², ceScale = 1 − α. With HAS_GRAD,
/// grad = (α·T·(softmax(s/T) − softmax(t/T)) + (1 − α)·(softmax(s) − onehot))/B from the sums' exponentials:
/// eᵇ parked in grad, eᵃ in `cache` (local, `classes` floats) where the host sets CACHE_TEACHER (CPU drivers, where
/// local memory is ordinary cache-resident memory), else computed again. Each work-item rereads only the elements it
/// wrote. Global [B·WG], local [WG].
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void distillation_rows(const __global float* student, const __global float* teacher, const __global int* labels,
                       __global float* rowTerms, __global float* grad, __local float* cache, const int classes,
                       const float invT, const float kdScale, const float ceScale, const float kdGradScale,
                       const float invB) {
    __local float scratch[WG];
    __local float4 scratch4[WG];
    const int row = get_group_id(0), lid = get_local_id(0);
    DISTILLATION_ROW(row);

    const float2 maxima = row_max2(scratch, x, u, classes);
    const float ms = maxima.x, mt = maxima.y, scale = invT * M_LOG2E_F;
    floatV vectors[4] = {0.0f, 0.0f, 0.0f, 0.0f}, tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    add_distillation_range(x, u, g, cache, 0, classes, ms, mt, scale, vectors, tail);
    // (Σ eᵃ, Σ eᵇ, Σ exp(s − max s), Σ eᵃ(a − b)/ln 2)
    const float4 sums = reduce_distillation_sums(scratch4, vectors, tail);
    if (lid == 0) {
        const float kl = M_LN2_F * sums.w / sums.x - log(sums.x) + log(sums.y);
        const float ce = log(sums.z) - (x[label] - ms);
        rowTerms[2 * row] = kdScale * kl;
        rowTerms[2 * row + 1] = ceScale * ce;
    }
#if HAS_GRAD
    const float4 inverses = (float4)(1.0f / sums.x, 1.0f / sums.y, 1.0f / sums.z, 0.0f);
    const float4 weights = (float4)(kdGradScale * inverses.x, kdGradScale * inverses.y, ceScale * inverses.z, 0.0f)
                         * invB;
    distillation_gradient_range(x, u, g, cache, 0, classes, ms, mt, scale, weights);
    barrier(CLK_GLOBAL_MEM_FENCE);
    if (lid == 0) {
        const float pt = exp2_nonpositive((u[label] - mt) * scale) * inverses.x;
        const float psT = exp2_nonpositive((x[label] - ms) * scale) * inverses.y;
        const float ps = EXP_NONPOSITIVE(x[label] - ms) * inverses.z;
        g[label] = (kdGradScale * (psT - pt) + ceScale * (ps - 1.0f)) * invB;
    }
#endif
}

// MARK: - Decoupled distillation (DKD)

/// 1 / (1 + e⁻ˣ) without overflow for either sign.
inline float logistic(const float x) {
    const float e = exp(-fabs(x));
    return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

/// log(1 + eˣ) without overflow for either sign.
inline float softplus(const float x) { return fmax(x, 0.0f) + log1p(exp(-fabs(x))); }

/// Decoupled knowledge distillation (Zhao et al., CVPR 2022), one row per work-group; the CPU reference is
/// SoftmaxKernels+DecoupledDistillation.swift. The sums run over the non-target classes only (the two ranges either
/// side of the label), shifted by their own maxima ms, mt: the four sums of add_distillation_terms. The target enters
/// through its log-odds against the rest, d = z_y − log Σ_{k≠y} e^{z_k} (dₜ, dₛ at T, d₁ for the student at T = 1):
/// log p_y = −softplus(−d), log(1 − p_y) = −softplus(d), so a target whose 1 − p_y underflows stays exact.
/// rowTerms[b] = (tckdScale·TCKD, nckdScale·NCKD, CE) with TCKD = σ(dₜ)(softplus(−dₛ) − softplus(−dₜ))
/// + σ(−dₜ)(softplus(dₛ) − softplus(dₜ)), NCKD the KL of the renormalised non-target softmaxes (as Hinton's KL over
/// the non-target sums), CE = softplus(−d₁). With HAS_GRAD, off the label distillation_gradient with
/// w = (nckdGrad/Σeᵃ, (tckdGrad·Δ + nckdGrad)/Σeᵇ, σ(−d₁)/Σexp(s − ms))·invB, Δ = σ(dₜ) − σ(dₛ), and at the label
/// (−tckdGrad·Δ − σ(−d₁))·invB. Global [B·WG], local [WG].
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void decoupled_distillation_rows(const __global float* student, const __global float* teacher,
                                 const __global int* labels, __global float* rowTerms, __global float* grad,
                                 __local float* cache, const int classes, const float invT, const float tckdScale,
                                 const float nckdScale, const float tckdGrad, const float nckdGrad, const float invB) {
    __local float scratch[WG];
    __local float4 scratch4[WG];
    const int row = get_group_id(0), lid = get_local_id(0);
    DISTILLATION_ROW(row);

    float mx = -INFINITY, mu = -INFINITY;
    OFF_LABEL_RANGES(begin, end, label, classes) range_max2(x, u, begin, end, &mx, &mu);
    const float ms = group_max(scratch, mx), mt = group_max(scratch, mu), scale = invT * M_LOG2E_F;
    floatV vectors[4] = {0.0f, 0.0f, 0.0f, 0.0f}, tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    OFF_LABEL_RANGES(begin, end, label, classes) {
        add_distillation_range(x, u, g, cache, begin, end, ms, mt, scale, vectors, tail);
    }
    // (Σ eᵃ, Σ eᵇ, Σ exp(s − ms), Σ eᵃ(a − b)/ln 2) over the non-target classes
    const float4 sums = reduce_distillation_sums(scratch4, vectors, tail);
    const float logTeacher = log(sums.x), logStudentT = log(sums.y);
    const float dt = (u[label] - mt) * invT - logTeacher, ds = (x[label] - ms) * invT - logStudentT;
    const float d1 = (x[label] - ms) - log(sums.z);
    if (lid == 0) {
        const float tckd = logistic(dt) * (softplus(-ds) - softplus(-dt))
                         + logistic(-dt) * (softplus(ds) - softplus(dt));
        const float nckd = M_LN2_F * sums.w / sums.x - logTeacher + logStudentT;
        rowTerms[3 * row] = tckdScale * tckd;
        rowTerms[3 * row + 1] = nckdScale * nckd;
        rowTerms[3 * row + 2] = softplus(-d1);
    }
#if HAS_GRAD
    // σ(dₜ) − σ(dₛ), from the complements when the probabilities are mostly above ½ (two targets near 1)
    const float difference = dt + ds > 0.0f ? logistic(-ds) - logistic(-dt) : logistic(dt) - logistic(ds);
    const float wrongClass = logistic(-d1);
    const float4 weights = (float4)(nckdGrad / sums.x, (tckdGrad * difference + nckdGrad) / sums.y,
                                    wrongClass / sums.z, 0.0f) * invB;
    OFF_LABEL_RANGES(begin, end, label, classes) {
        distillation_gradient_range(x, u, g, cache, begin, end, ms, mt, scale, weights);
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    if (lid == 0) g[label] = (-tckdGrad * difference - wrongClass) * invB;
#endif
}

/// Batch means of per-row values [rows, TERMS]: loss[0] = Σ_c mean_c; with WRITE_TERMS, terms[c] = mean_c.
/// One work-group: global [WG], local [WG].
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void mean_rows(const __global float* rowValues, __global float* loss, __global float* terms, const int rows,
               const float invB) {
    __local float4 scratch4[WG];
    const int lid = get_local_id(0);
    float4 partial = (float4)(0.0f, 0.0f, 0.0f, 0.0f);
    for (int r = lid; r < rows; r += WG) {
        const __global float* values = rowValues + TERMS * r;
        partial += (float4)(values[0], TERMS > 1 ? values[1] : 0.0f, TERMS > 2 ? values[2] : 0.0f, 0.0f);
    }
    const float4 means = group_sum4(scratch4, partial, WG) * invB;
    if (lid == 0) {
        loss[0] = TERMS == 1 ? means.x : TERMS == 2 ? means.x + means.y : means.x + means.y + means.z;
#if WRITE_TERMS
        terms[0] = means.x;
        if (TERMS > 1) terms[1] = means.y;
        if (TERMS > 2) terms[2] = means.z;
#endif
    }
}
