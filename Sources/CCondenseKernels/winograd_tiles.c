// winograd_tiles.h, sixteen tiles at a time (of one tile row, or eight of each of two rows when rows are short):
// each transform reads its planes through a zero-bordered copy, so edge tiles need no special case, and splits a run
// of 32 columns into its even and odd columns with one shuffle each, so lane t holds tile t's column.
#include "winograd_tiles.h"

#include <stdlib.h>
#include <string.h>

#include "instruction_set.h"

typedef float Floats8 __attribute__((vector_size(32), aligned(4)));

// Hides how `pointer` was computed from the optimizer, so that it addresses the sixteen element rows from it afresh in
// each block instead of keeping sixteen pointers stepping along (which spill on x86-64, and the blocks are short).
#define OPAQUE(pointer) __asm__("" : "+r"(pointer))

ALWAYS_INLINE Floats16 load(const float *p) { return *(const Floats16 *)p; }
ALWAYS_INLINE void store(float *p, Floats16 v) { *(Floats16 *)p = v; }

// The 16 floats at p followed by the 16 at q: even positions (evens) and odd positions (odds).
ALWAYS_INLINE Floats16 evens(const float *p, const float *q) {
    return __builtin_shufflevector(load(p), load(q), 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
ALWAYS_INLINE Floats16 odds(const float *p, const float *q) {
    return __builtin_shufflevector(load(p), load(q), 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

// Eight floats at p followed by eight at q.
ALWAYS_INLINE Floats16 loadHalves(const float *p, const float *q) {
    return __builtin_shufflevector(*(const Floats8 *)p, *(const Floats8 *)q, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                   12, 13, 14, 15);
}

// Stores `even` and `odd` alternately from p: p[2i] = even[i], p[2i + 1] = odd[i].
ALWAYS_INLINE void storeInterleaved(float *p, Floats16 even, Floats16 odd) {
    store(p, __builtin_shufflevector(even, odd, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    store(p + 16, __builtin_shufflevector(even, odd, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
}

// How a plane's tiles map onto 16 lanes: `lanes` tiles of a tile row (16, or 8 when a row has at most eight tiles)
// times `rows` tile rows (1 or 2). `blocked` rounds tilesX up to whole blocks of 16.
typedef struct {
    long tilesY, tilesX, blocked, lanes, rows;
} Tiling;

ALWAYS_INLINE Tiling tiling(long height, long width) {
    Tiling t = {(height + 1) / 2, (width + 1) / 2, 0, 16, 1};
    t.blocked = (t.tilesX + 15) / 16 * 16;
    if (t.tilesX <= 8) t.lanes = 8, t.rows = 2;
    return t;
}

// The second tile row of a block (the first again when the plane has no more), and whether it exists.
ALWAYS_INLINE long secondRow(Tiling t, long ty) { return t.rows == 2 && ty + 1 < t.tilesY ? ty + 1 : ty; }

// Stores a block's 16 lanes: the tiles of tile row ty from column `first` and, with two rows per block, the next.
ALWAYS_INLINE void storeBlock(Tiling t, float *row, long ty, Floats16 v) {
    if (t.rows == 1) return store(row, v);
    *(Floats8 *)row = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
    if (ty + 1 < t.tilesY) *(Floats8 *)(row + t.tilesX) = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}

// Copies `count` floats: rows shorter than 32 inline, 16, 8, 4 and single ones at a time, since a memcpy call does
// not pay for them (and a copy loop would be turned into one).
ALWAYS_INLINE void copyFloats(float *to, const float *from, long count) {
    if (count >= 32) {
        memcpy(to, from, (size_t)count * sizeof(float));
        return;
    }
    long i = 0;
    if (i + 16 <= count) store(to + i, load(from + i)), i += 16;
    if (i + 8 <= count) *(Floats8 *)(to + i) = *(const Floats8 *)(from + i), i += 8;
    if (i + 4 <= count) {
        to[i] = from[i], to[i + 1] = from[i + 1], to[i + 2] = from[i + 2], to[i + 3] = from[i + 3];
        i += 4;
    }
    switch (count - i) {
    case 3: to[i + 2] = from[i + 2]; // fall through
    case 2: to[i + 1] = from[i + 1]; // fall through
    case 1: to[i] = from[i];
    }
}

// Copies a plane into the interior of a padded one (rows `pitch` apart) with a border of `border` rows and columns;
// what lies outside the interior is never written, so it stays zero.
ALWAYS_INLINE void pad(const float *plane, long height, long width, float *padded, long pitch, long border) {
    for (long y = 0; y < height; y++)
        copyFloats(padded + (y + border) * pitch + border, plane + y * width, width);
}

// Input tiles `Bᵀ·d·B` of a block: `p` and `q` point at the first columns of the windows' top rows (the first and
// the second half of the lanes), rows `pitch` apart; h[i][k] is combination k of row i's columns.
ALWAYS_INLINE void inputBlock(const float *p, const float *q, long pitch, Floats16 v[16]) {
    Floats16 h[4][4];
    for (int i = 0; i < 4; i++, p += pitch, q += pitch) {
        Floats16 d0 = evens(p, q), d1 = odds(p, q), d2 = evens(p + 2, q + 2), d3 = odds(p + 2, q + 2);
        h[i][0] = d0 - d2, h[i][1] = d1 + d2, h[i][2] = d2 - d1, h[i][3] = d1 - d3;
    }
    for (int k = 0; k < 4; k++) {
        v[k] = h[0][k] - h[2][k], v[4 + k] = h[1][k] + h[2][k];
        v[8 + k] = h[2][k] - h[1][k], v[12 + k] = h[1][k] - h[3][k];
    }
}

// Output-gradient tiles `A·g·Aᵀ` of a block, `p` and `q` as in inputBlock: A over the columns of the top rows (e)
// and the bottom rows (f), then over the rows.
ALWAYS_INLINE void gradientBlock(const float *p, const float *q, long pitch, Floats16 v[16]) {
    Floats16 y0 = evens(p, q), y1 = odds(p, q), y2 = evens(p + pitch, q + pitch), y3 = odds(p + pitch, q + pitch);
    Floats16 e[4] = {y0, y0 + y1, y0 - y1, -y1}, f[4] = {y2, y2 + y3, y2 - y3, -y3};
    for (int k = 0; k < 4; k++) v[k] = e[k], v[4 + k] = e[k] + f[k], v[8 + k] = e[k] - f[k], v[12 + k] = -f[k];
}

// The input tiles (`gradient` 0: planes bordered by one zero row and column) or output-gradient tiles (1: no
// border, zeros past the plane) of one sample, `rows` tile rows per block.
ALWAYS_INLINE void planeTilesIn(long rows, int gradient, const float *x, long channels, long height, long width,
                                float *tiles, long stride, long column, float *scratch) {
    Tiling t = tiling(height, width);
    t.rows = rows, t.lanes = 16 / rows;  // constants in each copy
    long border = gradient ? 0 : 1, pitch = 2 * t.blocked + 2 * border, elementStride = channels * stride;
    long planeSize = (2 * t.tilesY + 2 * border) * pitch;
    for (long c = 0; c < channels; c++)
        pad(x + c * height * width, height, width, scratch + c * planeSize, pitch, border);
    for (long c = 0; c < channels; c++) {
        const float *padded = scratch + c * planeSize;
        for (long ty = 0; ty < t.tilesY; ty += t.rows) {
            long next = secondRow(t, ty);
            for (long first = 0; first < t.tilesX; first += t.lanes) {
                const float *p = padded + 2 * ty * pitch + 2 * first;
                const float *q = t.rows == 2 ? padded + 2 * next * pitch : p + 16;
                Floats16 v[16];
                if (gradient) gradientBlock(p, q, pitch, v);
                else inputBlock(p, q, pitch, v);
                float *target = tiles + c * stride + column + ty * t.tilesX + first;
                OPAQUE(target);
                for (int element = 0; element < 16; element++)
                    storeBlock(t, target + element * elementStride, ty, v[element]);
            }
        }
    }
}

// Sixteen tiles of one row, or eight of each of two rows, per block (`Tiling`): a copy for each.
ALWAYS_INLINE void planeTiles(int gradient, const float *x, long channels, long height, long width, float *tiles,
                              long stride, long column, float *scratch) {
    long rows = tiling(height, width).rows;
    if (rows == 2) planeTilesIn(2, gradient, x, channels, height, width, tiles, stride, column, scratch);
    else planeTilesIn(1, gradient, x, channels, height, width, tiles, stride, column, scratch);
}

ALWAYS_INLINE void inputTiles(const float *x, long channels, long height, long width, float *tiles, long stride,
                              long column, float *scratch) {
    planeTiles(0, x, channels, height, width, tiles, stride, column, scratch);
}

ALWAYS_INLINE void gradientTiles(const float *dy, long channels, long height, long width, float *tiles,
                                 long stride, long column, float *scratch) {
    planeTiles(1, dy, channels, height, width, tiles, stride, column, scratch);
}

// Copies output row `y` of a plane from `row` when the plane has it.
ALWAYS_INLINE void copyRow(const float *row, long y, long height, long width, float *plane) {
    if (y < height) copyFloats(plane + y * width, row, width);
}

ALWAYS_INLINE void outputTilesIn(long rows, const float *tiles, long channels, long height, long width,
                                 long stride, long column, const float *bias, float *y) {
    Tiling t = tiling(height, width);
    t.rows = rows, t.lanes = 16 / rows;  // constants in each of the two copies below
    long elementStride = channels * stride;
    float *top = malloc((size_t)(4 * t.blocked) * sizeof(float)), *bottom = top + 2 * t.blocked;
    for (long c = 0; c < channels; c++) {
        Floats16 b = (Floats16){0} + (bias ? bias[c] : 0);
        float *plane = y + c * height * width;
        for (long ty = 0; ty < t.tilesY; ty += t.rows) {
            const float *source = tiles + c * stride + column + ty * t.tilesX;
            const float *nextSource = tiles + c * stride + column + secondRow(t, ty) * t.tilesX;
            for (long first = 0; first < t.tilesX; first += t.lanes) {
#define AT(element)                                                                                                 \
    (t.rows == 2 ? loadHalves(source + (element) * elementStride, nextSource + (element) * elementStride)           \
                 : load(source + (element) * elementStride + first))
                // Aᵀ over the tiles' rows (a: top, g: bottom), then over their columns.
                Floats16 a[4], g[4];
                for (int k = 0; k < 4; k++) {
                    a[k] = AT(k) + AT(4 + k) + AT(8 + k);
                    g[k] = AT(4 + k) - AT(8 + k) - AT(12 + k);
                }
#undef AT
                storeInterleaved(top + 2 * first, a[0] + a[1] + a[2] + b, a[1] - a[2] - a[3] + b);
                storeInterleaved(bottom + 2 * first, g[0] + g[1] + g[2] + b, g[1] - g[2] - g[3] + b);
            }
            // With two tile rows per block, the second's output rows are the buffers' second 16 floats.
            copyRow(top, 2 * ty, height, width, plane);
            copyRow(bottom, 2 * ty + 1, height, width, plane);
            if (t.rows == 2 && ty + 1 < t.tilesY) {
                copyRow(top + 16, 2 * ty + 2, height, width, plane);
                copyRow(bottom + 16, 2 * ty + 3, height, width, plane);
            }
        }
    }
    free(top);
}

// Sixteen tiles of one row, or eight of each of two rows, per block (`Tiling`): two copies, one for each.
ALWAYS_INLINE void outputTiles(const float *tiles, long channels, long height, long width, long stride,
                               long column, const float *bias, float *y) {
    if (tiling(height, width).rows == 2) outputTilesIn(2, tiles, channels, height, width, stride, column, bias, y);
    else outputTilesIn(1, tiles, channels, height, width, stride, column, bias, y);
}

DISPATCHED(inputTiles, (const float *x, long channels, long height, long width, float *tiles, long stride,
                        long column, float *scratch), (x, channels, height, width, tiles, stride, column, scratch))
DISPATCHED(gradientTiles, (const float *dy, long channels, long height, long width, float *tiles, long stride,
                           long column, float *scratch), (dy, channels, height, width, tiles, stride, column, scratch))
DISPATCHED(outputTiles, (const float *tiles, long channels, long height, long width, long stride, long column,
                         const float *bias, float *y), (tiles, channels, height, width, stride, column, bias, y))

long condense_winograd_scratch_size(long channels, long height, long width) {
    Tiling t = tiling(height, width);
    return channels * (2 * t.tilesY + 2) * (2 * t.blocked + 2);
}

void condense_winograd_input_tiles(const float *x, long channels, long height, long width, float *tiles,
                                   long stride, long column, float *scratch) {
    inputTilesChosen(x, channels, height, width, tiles, stride, column, scratch);
}

void condense_winograd_gradient_tiles(const float *dy, long channels, long height, long width, float *tiles,
                                      long stride, long column, float *scratch) {
    gradientTilesChosen(dy, channels, height, width, tiles, stride, column, scratch);
}

void condense_winograd_output_tiles(const float *tiles, long channels, long height, long width, long stride,
                                    long column, const float *bias, float *y) {
    outputTilesChosen(tiles, channels, height, width, stride, column, bias, y);
}
