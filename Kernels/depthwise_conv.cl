// depthwise_conv.cl — depthwise 2-D convolution, NCHW float32, PyTorch's conv2d(groups = C) with channel
// multiplier m: output channel o reads input channel o / m; weight [C·m, 1, KH, KW]. The CPU reference is
// Tests/CondenseTestSupport/References/DepthwiseConvReference.swift.
//
//   depthwise_forward        one band of TY output rows of one plane per work-group (local [LS]); fused bias and
//                            activation.
//   depthwise_backward_input the same for bands of input-gradient rows: a stride-1 correlation of the output gradient,
//                            dilated by the stride (zeros between its elements), with the flipped kernel, summed over
//                            the input channel's m output channels (no atomics).
//   depthwise_backward_weight_partial  one band of output rows of one (sample n, output channel o) plane per
//                            work-group, the same tile of the input plus the band of the output gradient: the KH·KW
//                            weight-gradient taps (and the bias gradient) of the band, VEC products at a time, to
//                            partial[((o·N + n)·bands + band)·(KH·KW + 1) + tap].
//   depthwise_backward_weight_reduce   one work-item per (o, tap): the sum over samples and bands of the partials.
//
// The banded kernels copy the source rows a band reads into local memory, zero-padded (and dilated), with the pitch
// chosen so that output q of the band (flat, row pitch OPITCH) reads tile[STEP_X·q + tap offset]: the hot loop is
// VEC outputs at a time, vector loads (strided by STEP_X) from the tile times a scalar weight, with no bounds checks
// or index division. GPUs run it with LS work-items sharing the tile; CPU drivers with one work-item per band
// (ChunkTiling: LS 1, VEC 16), for which the loops are plain vector code.
//
// Defines (-D): KH, KW kernel size; H, W input and OH, OW output size; STRIDE_H, STRIDE_W, PH, PW, DH, DW; C input
// channels, M multiplier (all compile-time, so the index arithmetic folds); ACTIVATION 0 none, 1 relu, 2 relu6;
// HAS_BIAS 0/1; BACKWARD_INPUT 0 (forward geometry) or 1 (input-gradient geometry); TY band rows, LS local size,
// VEC vector width; SAMPLES, samples per work-item of depthwise_backward_weight_rows. Arguments: N (samples) and
// partials per channel for the weight-gradient kernels only.

#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef BACKWARD_INPUT
#define BACKWARD_INPUT 0
#endif
#ifndef TY
#define TY 1
#endif
#ifndef LS
#define LS 1
#endif
#ifndef SAMPLES
#define SAMPLES 1
#endif

#define OC (C * M)
#define CEIL_DIV(a, b) (((a) + (b) - 1) / (b))

// MARK: - Band geometry: a SRC_H × SRC_W source plane, dilated by (SRC_SY, SRC_SX) and padded by (PAD_Y, PAD_X),
// correlated with the kernel (taps TAP(ky, kx), dilation DH, DW) at steps (STEP_Y, STEP_X) into OUT_H × OUT_W.

#if BACKWARD_INPUT
#define SRC_H OH
#define SRC_W OW
#define SRC_SY STRIDE_H
#define SRC_SX STRIDE_W
#define OUT_H H
#define OUT_W W
#define STEP_Y 1
#define STEP_X 1
#define PAD_Y ((KH - 1) * DH - PH)
#define PAD_X ((KW - 1) * DW - PW)
#define TAP(ky, kx) ((KH - 1 - (ky)) * KW + KW - 1 - (kx))
#else
#define SRC_H H
#define SRC_W W
#define SRC_SY 1
#define SRC_SX 1
#define OUT_H OH
#define OUT_W OW
#define STEP_Y STRIDE_H
#define STEP_X STRIDE_W
#define PAD_Y PH
#define PAD_X PW
#define TAP(ky, kx) ((ky) * KW + (kx))
#endif

// Tile pitch TP = STEP_X·K and result pitch OPITCH = STEP_Y·K, K large enough for a row of outputs and the tile
// columns it reads: output (r, c) = q = r·OPITCH + c reads tile row r·STEP_Y + ky·DH, column c·STEP_X + kx·DW, that is
// tile[STEP_X·q + ky·DH·TP + kx·DW].
#define NEED_W ((OUT_W - 1) * STEP_X + (KW - 1) * DW + 1)
#define PITCH_K (CEIL_DIV(NEED_W, STEP_X) > CEIL_DIV(OUT_W, STEP_Y) ? CEIL_DIV(NEED_W, STEP_X) : CEIL_DIV(OUT_W, STEP_Y))
#define TP (STEP_X * PITCH_K)
#define OPITCH (STEP_Y * PITCH_K)
#define TH ((TY - 1) * STEP_Y + (KH - 1) * DH + 1)
#define BAND_OUTPUTS (CEIL_DIV(TY * OPITCH, VEC) * VEC)
#define TILE_SIZE (STEP_X * (BAND_OUTPUTS - 1) + (KH - 1) * DH * TP + (KW - 1) * DW + 1)

// Copies the band's source rows (band starting at output row oy0) from `source` into the tile: dilated-source
// coordinates (a, b) = (oy0·STEP_Y − PAD_Y + row, column − PAD_X); zero outside the source and between dilated
// elements, and in the slack after TH rows that junk outputs read. Zero everything, then copy each source row's
// elements that land in the tile: plain loops without conditions, which CPU compilers vectorize.
inline void load_tile(__local float* restrict tile, __global const float* restrict source, int oy0) {
    for (int i = get_local_id(0); i < TILE_SIZE; i += LS) tile[i] = 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    const int a0 = oy0 * STEP_Y - PAD_Y;
    const int first = PAD_X >= 0 ? 0 : CEIL_DIV(-PAD_X, SRC_SX);
    const int end = min(SRC_W, (TP - 1 - PAD_X) / SRC_SX + 1);
    for (int row = 0; row < TH; ++row) {
        const int a = a0 + row;
        if (a < 0 || a >= (SRC_H - 1) * SRC_SY + 1 || a % SRC_SY != 0) continue;
        __global const float* sourceRow = source + (a / SRC_SY) * SRC_W;
        __local float* target = tile + row * TP + PAD_X;
        for (int b = first + get_local_id(0); b < end; b += LS) target[b * SRC_SX] = sourceRow[b];
    }
}

// The correlation of the tile with weights w for this work-item's outputs q (VEC at a time), added to `result`
// (or starting from `initial` when `first`); `last` applies the activation.
inline void correlate_tile(__local const float* tile, __global const float* w, __local float* result, float initial,
                           bool first, bool last) {
    for (int q = get_local_id(0) * VEC; q < BAND_OUTPUTS; q += LS * VEC) {
        floatV sum = first ? (floatV)initial : LOADV(result + q);
        #pragma unroll
        for (int ky = 0; ky < KH; ++ky) {
            #pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                sum += LOADV_STRIDED(tile + STEP_X * q + ky * DH * TP + kx * DW, STEP_X) * w[TAP(ky, kx)];
            }
        }
        STOREV(last ? activate(sum) : sum, result + q);
    }
}

// Writes the band's rows (those below OUT_H) from `result` to the plane `target`.
inline void store_band(__local const float* restrict result, __global float* restrict target, int oy0) {
    for (int row = 0; row < TY && oy0 + row < OUT_H; ++row) {
        for (int column = get_local_id(0); column < OUT_W; column += LS) {
            target[(oy0 + row) * OUT_W + column] = result[row * OPITCH + column];
        }
    }
}

// Range [LS, bands, N·C·M], local [LS, 1, 1].
__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void depthwise_forward(__global const float* input, __global const float* weight, __global const float* bias,
                       __global float* output) {
    __local float tile[TILE_SIZE];
    __local float result[BAND_OUTPUTS];
    const int oy0 = get_group_id(1) * TY, plane = get_group_id(2), o = plane % OC, n = plane / OC;
    load_tile(tile, input + (size_t)(n * C + o / M) * H * W, oy0);
    barrier(CLK_LOCAL_MEM_FENCE);
#if HAS_BIAS
    correlate_tile(tile, weight + o * KH * KW, result, bias[o], true, true);
#else
    correlate_tile(tile, weight + o * KH * KW, result, 0.0f, true, true);
#endif
    barrier(CLK_LOCAL_MEM_FENCE);
    store_band(result, output + (size_t)plane * OH * OW, oy0);
}

// Range [LS, bands, N·C], local [LS, 1, 1]; built with BACKWARD_INPUT 1 and ACTIVATION 0.
__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void depthwise_backward_input(__global const float* grad_output, __global const float* weight,
                              __global float* grad_input) {
    __local float tile[TILE_SIZE];
    __local float result[BAND_OUTPUTS];
    const int oy0 = get_group_id(1) * TY, plane = get_group_id(2), c = plane % C, n = plane / C;
    for (int j = 0; j < M; ++j) {
        const int channel = c * M + j;
        if (j > 0) barrier(CLK_LOCAL_MEM_FENCE);
        load_tile(tile, grad_output + (size_t)(n * OC + channel) * OH * OW, oy0);
        barrier(CLK_LOCAL_MEM_FENCE);
        correlate_tile(tile, weight + channel * KH * KW, result, 0.0f, j == 0, j == M - 1);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    store_band(result, grad_input + (size_t)plane * H * W, oy0);
}

#define TAPS (KH * KW)

// Range [LS, bands, N·C·M], local [LS, 1, 1]; built with BACKWARD_INPUT 0.
__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void depthwise_backward_weight_partial(__global const float* input, __global const float* grad_output,
                                       __global float* partial, const int N) {
    __local float tile[TILE_SIZE];
    __local float gradient[BAND_OUTPUTS];  // the band of the output gradient in result pitch, zero elsewhere
    __local float scratch[LS];
    const int band = get_group_id(1), oy0 = band * TY, plane = get_group_id(2), o = plane % OC, n = plane / OC;
    __global const float* dy = grad_output + (size_t)plane * OH * OW;
    for (int q = get_local_id(0); q < BAND_OUTPUTS; q += LS) gradient[q] = 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int row = 0; row < TY && oy0 + row < OH; ++row) {
        for (int column = get_local_id(0); column < OW; column += LS) {
            gradient[row * OPITCH + column] = dy[(oy0 + row) * OW + column];
        }
    }
    load_tile(tile, input + (size_t)(n * C + o / M) * H * W, oy0);
    barrier(CLK_LOCAL_MEM_FENCE);
    floatV sums[TAPS + 1];
    for (int tap = 0; tap <= TAPS; ++tap) sums[tap] = 0.0f;
    for (int q = get_local_id(0) * VEC; q < BAND_OUTPUTS; q += LS * VEC) {
        const floatV g = LOADV(gradient + q);
        sums[TAPS] += g;
        #pragma unroll
        for (int ky = 0; ky < KH; ++ky) {
            #pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                sums[ky * KW + kx] += LOADV_STRIDED(tile + STEP_X * q + ky * DH * TP + kx * DW, STEP_X) * g;
            }
        }
    }
    __global float* target = partial + ((size_t)(o * N + n) * get_num_groups(1) + band) * (TAPS + 1);
    for (int tap = 0; tap <= TAPS; ++tap) {
        const float sum = group_sum(scratch, sum_lanes(sums[tap]), LS);
        if (get_local_id(0) == 0) target[tap] = sum;
    }
}

// Range [OC·(TAPS + 1) rounded up]: grad_weight[o, tap] (and grad_bias[o]) = the sum of channel o's `count`
// partials.
__kernel void depthwise_backward_weight_reduce(__global const float* partial, __global float* grad_weight,
                                               __global float* grad_bias, const int count) {
    const int element = get_global_id(0), o = element / (TAPS + 1), tap = element % (TAPS + 1);
    if (o >= OC) return;
    float sum = 0.0f;
    for (int i = 0; i < count; ++i) sum += partial[((size_t)o * count + i) * (TAPS + 1) + tap];
    if (tap < TAPS) grad_weight[o * TAPS + tap] = sum;
#if HAS_BIAS
    else grad_bias[o] = sum;
#endif
}

// MARK: - Row kernels (CPU drivers): whole rows in one float16

// When source rows and output rows each fit in 31 lanes, a CPU driver runs these instead of the banded ones: one
// work-item per plane, each source row loaded once per tap row as one float16, or two ("halves") for rows of 17 to 31
// (the buffer pool leaves 64 bytes of slack after every buffer, so the lanes past the row read the next row or the
// slack; a mask zeroes them). Output rows are one or two halves of 16 lanes too. Tap (ky, kx) of output half h is a
// shuffle of the source halves with a compile-time mask: lane x reads dilated-source column d = STEP_X·(16h + x) +
// kx·DW − PAD_X, which is source column d / SRC_SX when that divides and lies inside the row, and a zero lane
// otherwise. So strides (forward) and the stride's zeros between output-gradient elements (input gradient) cost
// nothing, and there is no tile to copy or zero. Needs KW ≤ 7 (the taps along a row are unrolled by the preprocessor,
// as a shuffle's mask must be a constant) and VEC 16 (floatV is a half). Geometry as above (BACKWARD_INPUT picks the
// input-gradient correlation); range [N·C·M] (forward), [C·M·ceil(N / SAMPLES)] (weight gradient) or [N·C] (input
// gradient), local [1].

#if VEC == 16 && SRC_W < 32 && OUT_W < 32
#define ROW_LANES 16
#define SRC_HALVES CEIL_DIV(SRC_W, ROW_LANES)
#define OUT_HALVES CEIL_DIV(OUT_W, ROW_LANES)
// Output rows computed together in registers: 8 (4 with two halves); storing each row right after computing it
// made the next loads alias the stores 4 KB apart.
#define ROW_BLOCK (8 / OUT_HALVES)
// The lane of the (first, second) source halves that reads as zero: the last lane of the last half, past the row and
// zeroed by the load's run-time mask, or the first lane of the zero second half when one half holds the whole row.
// The last lane rather than the first past the row, so that every lane of a loaded half is demanded and the compiler
// keeps the whole load (see ROW_MASK).
#define ZERO_LANE (SRC_W == ROW_LANES ? ROW_LANES : ROW_LANES * SRC_HALVES - 1)
#define SOURCE_COLUMN(d) ((d) >= 0 && (d) % SRC_SX == 0 && (d) / SRC_SX < SRC_W ? (d) / SRC_SX : ZERO_LANE)
#define SHIFT_LANE(h, x, s) SOURCE_COLUMN(STEP_X * (ROW_LANES * (h) + (x)) + (s))
#define SHIFTED(first, second, h, s)                                                                              \
    __builtin_shufflevector(first, second, SHIFT_LANE(h, 0, s), SHIFT_LANE(h, 1, s), SHIFT_LANE(h, 2, s),         \
                            SHIFT_LANE(h, 3, s), SHIFT_LANE(h, 4, s), SHIFT_LANE(h, 5, s), SHIFT_LANE(h, 6, s),  \
                            SHIFT_LANE(h, 7, s), SHIFT_LANE(h, 8, s), SHIFT_LANE(h, 9, s), SHIFT_LANE(h, 10, s), \
                            SHIFT_LANE(h, 11, s), SHIFT_LANE(h, 12, s), SHIFT_LANE(h, 13, s),                    \
                            SHIFT_LANE(h, 14, s), SHIFT_LANE(h, 15, s))
// BODY(kx, h, shifted) for each tap kx < KW along a row (up to 7) and each output half h: the conditions are
// constants, and the shuffle masks of the taps they drop are still valid, so the compiler simply removes them.
#define TAP_X(kx, first, second, BODY)                                                                     \
    if ((kx) < KW) {                                                                                       \
        BODY(kx, 0, SHIFTED(first, second, 0, (kx) * DW - PAD_X))                                         \
        if (OUT_HALVES > 1) { BODY(kx, 1, SHIFTED(first, second, 1, (kx) * DW - PAD_X)) }                  \
    }
#define FOR_EACH_KX(first, second, BODY)                                                                   \
    TAP_X(0, first, second, BODY) TAP_X(1, first, second, BODY) TAP_X(2, first, second, BODY)              \
    TAP_X(3, first, second, BODY) TAP_X(4, first, second, BODY) TAP_X(5, first, second, BODY)              \
    TAP_X(6, first, second, BODY)

constant float16 lane_index = (float16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

// The lanes of half h of a row of `width` floats that lie inside the row. The kernels build their masks from widths
// the host passes at run time, though they equal the compile-time SRC_W and OUT_W: with a constant mask the compiler
// narrows each 16-lane load into partial loads and inserts (five instructions for a 14-wide row instead of a load
// and a blend), which made the weight gradient slower on PoCL (Benchmarks/RESULTS.md).
#define ROW_MASK(width, h) (lane_index < (float)((width) - ROW_LANES * (h)))
#define ROW_MASKS(width) {ROW_MASK(width, 0), ROW_MASK(width, 1)}
// Half h of the row at p, its lanes outside `mask` zero.
#define LOAD_HALF(p, h, mask) select((float16)0.0f, vload16(h, p), mask)

// Stores the first `count` lanes (a constant, 1…16) of v at p: the largest vector stores that fit (constant
// conditions), so no lane past the row is written.
inline void store_lanes(const float16 v, __global float* p, const int count) {
    if (count == 16) {
        vstore16(v, 0, p);
        return;
    }
    float8 rest8 = v.lo;
    if (count & 8) { vstore8(rest8, 0, p); p += 8; rest8 = v.hi; }
    float4 rest4 = rest8.lo;
    if (count & 4) { vstore4(rest4, 0, p); p += 4; rest4 = rest8.hi; }
    float2 rest2 = rest4.lo;
    if (count & 2) { vstore2(rest2, 0, p); p += 2; rest2 = rest4.hi; }
    if (count & 1) *p = rest2.x;
}

// Stores output row `halves` (OUT_HALVES of them) at p.
inline void store_row(const float16* halves, __global float* p) {
    store_lanes(halves[0], p, min(OUT_W, ROW_LANES));
    if (OUT_HALVES > 1) store_lanes(halves[1], p + ROW_LANES, OUT_W - ROW_LANES);
}

// BODY(kx, h, shifted) for each tap (ky, kx) that output row oy reads inside `source` (a SRC_H × SRC_W plane), with
// ky in scope: dilated-source row oy·STEP_Y − PAD_Y + ky·DH, a source row when it divides by SRC_SY, loaded once,
// each (kx, h) a shuffle of it.
#define FOR_EACH_TAP(source, oy, BODY)                                                                     \
    _Pragma("unroll") for (int ky = 0; ky < KH; ++ky) {                                                    \
        const int d = (oy) * STEP_Y - PAD_Y + ky * DH;                                                     \
        if (d < 0 || d % SRC_SY != 0 || d / SRC_SY >= SRC_H) continue;                                     \
        __global const float* sourceRow = (source) + d / SRC_SY * SRC_W;                                  \
        const float16 first = SRC_W < ROW_LANES ? LOAD_HALF(sourceRow, 0, sourceMask[0]) : vload16(0, sourceRow); \
        const float16 second = SRC_HALVES > 1 ? LOAD_HALF(sourceRow, 1, sourceMask[1]) : (float16)0.0f;     \
        FOR_EACH_KX(first, second, BODY)                                                                   \
    }

// Adds the correlation of `source` with taps w (w[TAP(ky, kx)]) at output row oy to the halves of `sums`.
#define CORRELATE_TAP(kx, h, shifted) sums[h] += (shifted) * w[TAP(ky, kx)];
inline void correlate_row(__global const float* restrict source, const int16* sourceMask, const float* w, const int oy,
                          float16* sums) {
    FOR_EACH_TAP(source, oy, CORRELATE_TAP)
}

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void depthwise_forward_rows(__global const float* restrict input, __global const float* restrict weight,
                            __global const float* restrict bias, __global float* restrict output,
                            const int source_width) {
    const int plane = get_global_id(0), o = plane % OC, n = plane / OC;
    const int16 sourceMask[2] = ROW_MASKS(source_width);
    __global const float* source = input + (size_t)(n * C + o / M) * H * W;
    __global float* target = output + (size_t)plane * OH * OW;
    float w[KH * KW];
    for (int tap = 0; tap < KH * KW; ++tap) w[tap] = weight[o * KH * KW + tap];
#if HAS_BIAS
    const float16 initial = bias[o];
#else
    const float16 initial = 0.0f;
#endif
    for (int oy0 = 0; oy0 < OH; oy0 += ROW_BLOCK) {
        float16 rows[ROW_BLOCK][OUT_HALVES];
        #pragma unroll
        for (int r = 0; r < ROW_BLOCK; ++r) {
            #pragma unroll
            for (int h = 0; h < OUT_HALVES; ++h) rows[r][h] = initial;
            correlate_row(source, sourceMask, w, oy0 + r, rows[r]);
            #pragma unroll
            for (int h = 0; h < OUT_HALVES; ++h) rows[r][h] = activate(rows[r][h]);
        }
        #pragma unroll
        for (int r = 0; r < ROW_BLOCK; ++r) if (oy0 + r < OH) store_row(rows[r], target + (oy0 + r) * OW);
    }
}

// Built with BACKWARD_INPUT 1: the output gradient of the input channel's M output channels, each correlated with
// its flipped kernel (TAP), summed.
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void depthwise_backward_input_rows(__global const float* restrict grad_output, __global const float* restrict weight,
                                   __global float* restrict grad_input, const int source_width) {
    const int plane = get_global_id(0), c = plane % C, n = plane / C;
    const int16 sourceMask[2] = ROW_MASKS(source_width);
    __global float* target = grad_input + (size_t)plane * H * W;
    for (int y0 = 0; y0 < H; y0 += ROW_BLOCK) {
        float16 rows[ROW_BLOCK][OUT_HALVES];
        #pragma unroll
        for (int r = 0; r < ROW_BLOCK; ++r) {
            #pragma unroll
            for (int h = 0; h < OUT_HALVES; ++h) rows[r][h] = 0.0f;
        }
        for (int j = 0; j < M; ++j) {
            const int channel = c * M + j;
            float w[KH * KW];
            for (int tap = 0; tap < KH * KW; ++tap) w[tap] = weight[channel * KH * KW + tap];
            __global const float* source = grad_output + (size_t)(n * OC + channel) * OH * OW;
            #pragma unroll
            for (int r = 0; r < ROW_BLOCK; ++r) correlate_row(source, sourceMask, w, y0 + r, rows[r]);
        }
        #pragma unroll
        for (int r = 0; r < ROW_BLOCK; ++r) if (y0 + r < H) store_row(rows[r], target + (y0 + r) * W);
    }
}

// Built with BACKWARD_INPUT 0: the weight-gradient taps and bias gradient of output channel o over SAMPLES
// consecutive samples (block b), to partial[(o·B + b)·(KH·KW + 1) + tap] (depthwise_backward_weight_reduce sums them
// over the B = ceil(N / SAMPLES) blocks). Consecutive work-items take consecutive channels of a block, so they read
// neighbouring planes. The host gives several samples to a work-item only for small planes, where one plane's lane
// sums and partial stores would outweigh its products (a work-item summing several samples of large planes jumps a
// whole batch row between them and ran markedly slower).
// Here the output-gradient row is shuffled, not the source rows: KW shuffles per output row instead of KH·KW. Lane c
// of spread[kx][hs] (source column sc = 16·hs + c) holds the output gradient at the column ox that reads sc through
// tap column kx (sc = STEP_X·ox + kx·DW − PAD_X), or a zero lane where there is none or sc is past the row; each
// source half (its lanes past the row zeroed) times it is the tap's share of the row.
#define GRAD_ZERO_LANE (OUT_HALVES > 1 ? OUT_W : ROW_LANES)
#define GRAD_COLUMN(sc, s)                                                                                        \
    ((sc) < SRC_W && (sc) >= (s) && ((sc) - (s)) % STEP_X == 0 && ((sc) - (s)) / STEP_X < OUT_W                  \
         ? ((sc) - (s)) / STEP_X                                                                                  \
         : GRAD_ZERO_LANE)
#define GRAD_LANE(hs, c, s) GRAD_COLUMN(ROW_LANES * (hs) + (c), s)
#define SPREAD_GRADIENT(g, hs, s)                                                                                 \
    __builtin_shufflevector(g[0], g[1], GRAD_LANE(hs, 0, s), GRAD_LANE(hs, 1, s), GRAD_LANE(hs, 2, s),          \
                            GRAD_LANE(hs, 3, s), GRAD_LANE(hs, 4, s), GRAD_LANE(hs, 5, s), GRAD_LANE(hs, 6, s),  \
                            GRAD_LANE(hs, 7, s), GRAD_LANE(hs, 8, s), GRAD_LANE(hs, 9, s), GRAD_LANE(hs, 10, s), \
                            GRAD_LANE(hs, 11, s), GRAD_LANE(hs, 12, s), GRAD_LANE(hs, 13, s),                    \
                            GRAD_LANE(hs, 14, s), GRAD_LANE(hs, 15, s))
// spread[kx][·] for tap column kx < KW (up to 7; a shuffle's mask must be a constant, so kx is unrolled by hand).
#define SPREAD_TAP(kx)                                                                                            \
    if ((kx) < KW) {                                                                                              \
        spread[kx][0] = SPREAD_GRADIENT(g, 0, (kx) * DW - PAD_X);                                                 \
        if (SRC_HALVES > 1) spread[kx][1] = SPREAD_GRADIENT(g, 1, (kx) * DW - PAD_X);                             \
    }
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void depthwise_backward_weight_rows(__global const float* restrict input, __global const float* restrict grad_output,
                                    __global float* restrict partial, const int N, const int source_width,
                                    const int output_width) {
    const int o = get_global_id(0) % OC, block = get_global_id(0) / OC;
    const int16 sourceMask[2] = ROW_MASKS(source_width), outputMask[2] = ROW_MASKS(output_width);
    float16 sums[TAPS + 1];
    for (int tap = 0; tap <= TAPS; ++tap) sums[tap] = 0.0f;
    for (int n = block * SAMPLES; n < min(N, (block + 1) * SAMPLES); ++n) {
        __global const float* source = input + (size_t)(n * C + o / M) * H * W;
        __global const float* dy = grad_output + (size_t)(n * OC + o) * OH * OW;
        for (int oy = 0; oy < OH; ++oy) {
            float16 g[2], spread[7][2];
            g[0] = LOAD_HALF(dy + oy * OW, 0, outputMask[0]);  // lanes past the row: 0
            g[1] = OUT_HALVES > 1 ? LOAD_HALF(dy + oy * OW, 1, outputMask[1]) : (float16)0.0f;
            sums[TAPS] += g[0] + g[1];
            SPREAD_TAP(0) SPREAD_TAP(1) SPREAD_TAP(2) SPREAD_TAP(3) SPREAD_TAP(4) SPREAD_TAP(5) SPREAD_TAP(6)
            #pragma unroll
            for (int ky = 0; ky < KH; ++ky) {
                const int d = oy * STEP_Y - PAD_Y + ky * DH;  // source row (the forward geometry has SRC_SY 1)
                if (d < 0 || d >= SRC_H) continue;
                #pragma unroll
                for (int hs = 0; hs < SRC_HALVES; ++hs) {
                    const float16 row = LOAD_HALF(source + d * SRC_W, hs, sourceMask[hs]);
                    #pragma unroll
                    for (int kx = 0; kx < KW; ++kx) sums[ky * KW + kx] += row * spread[kx][hs];
                }
            }
        }
    }
    __global float* target = partial + (size_t)(o * CEIL_DIV(N, SAMPLES) + block) * (TAPS + 1);
    for (int tap = 0; tap <= TAPS; ++tap) target[tap] = sum_lanes(sums[tap]);
}

#endif  // VEC == 16 && SRC_W < 32 && OUT_W < 32
