// winograd_tiles.h, sixteen tiles at a time (of one tile row, or eight of each of two rows, or four of each of four
// when rows are short): each transform reads its planes through a zero-bordered copy, so edge tiles need no special
// case, and splits a run of 32 columns into its even and odd columns with one shuffle each, so lane t holds tile t's
// column.
#include "winograd_tiles.h"

#include <stdlib.h>
#include <string.h>

#include "instruction_set.h"

typedef float Floats8 __attribute__((vector_size(32), aligned(4)));
typedef float Floats4 __attribute__((vector_size(16), aligned(4)));
typedef int Ints16 __attribute__((vector_size(64), aligned(4)));

// Hides how `pointer` was computed from the optimizer, so that it addresses the sixteen element rows from it afresh in
// each block instead of keeping sixteen pointers stepping along (which spill on x86-64, and the blocks are short).
#define OPAQUE(pointer) __asm__("" : "+r"(pointer))

ALWAYS_INLINE Floats16 load(const float *p) { return *(const Floats16 *)p; }
ALWAYS_INLINE void store(float *p, Floats16 v) { *(Floats16 *)p = v; }

// The even positions (evens) and the odd positions (odds) of a followed by b.
ALWAYS_INLINE Floats16 evens(Floats16 a, Floats16 b) {
    return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
ALWAYS_INLINE Floats16 odds(Floats16 a, Floats16 b) {
    return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

// Eight floats at p followed by eight at q.
ALWAYS_INLINE Floats16 loadHalves(const float *p, const float *q) {
    return __builtin_shufflevector(*(const Floats8 *)p, *(const Floats8 *)q, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                   12, 13, 14, 15);
}

// Four floats at each of p, q, r and s, one after the other.
ALWAYS_INLINE Floats16 loadQuarters(const float *p, const float *q, const float *r, const float *s) {
    Floats8 low = __builtin_shufflevector(*(const Floats4 *)p, *(const Floats4 *)q, 0, 1, 2, 3, 4, 5, 6, 7);
    Floats8 high = __builtin_shufflevector(*(const Floats4 *)r, *(const Floats4 *)s, 0, 1, 2, 3, 4, 5, 6, 7);
    return __builtin_shufflevector(low, high, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

// Stores `even` and `odd` alternately from p: p[2i] = even[i], p[2i + 1] = odd[i].
ALWAYS_INLINE void storeInterleaved(float *p, Floats16 even, Floats16 odd) {
    store(p, __builtin_shufflevector(even, odd, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    store(p + 16, __builtin_shufflevector(even, odd, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
}

// How a plane's tiles map onto 16 lanes: `lanes` tiles of a tile row (16; 8 when a row has at most eight tiles; 4
// when it has at most four) times `rows` tile rows (1, 2 or 4). `blocked` rounds tilesX up to whole blocks of 16.
typedef struct {
    long tilesY, tilesX, blocked, lanes, rows;
} Tiling;

ALWAYS_INLINE Tiling tiling(long height, long width) {
    Tiling t = {(height + 1) / 2, (width + 1) / 2, 0, 16, 1};
    t.blocked = (t.tilesX + 15) / 16 * 16;
    if (t.tilesX <= 4) t.lanes = 4, t.rows = 4;
    else if (t.tilesX <= 8) t.lanes = 8, t.rows = 2;
    return t;
}

// Tile row r of the block that starts at tile row ty, or ty again past the plane's last (its lanes are not stored).
ALWAYS_INLINE long blockRow(Tiling t, long ty, long r) { return ty + r < t.tilesY ? ty + r : ty; }

// Stores the first `rows` of a block's tile rows (of its `t.rows`), from the tile at `row` on: 16 lanes of one row,
// or 8 or 4 lanes of each (each row's store may run past its tiles, into the next row's, which is stored after it).
ALWAYS_INLINE void storeBlock(Tiling t, float *row, long rows, Floats16 v) {
    if (t.rows == 1) return store(row, v);
    if (t.rows == 2) {
        *(Floats8 *)row = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
        if (rows > 1) *(Floats8 *)(row + t.tilesX) = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
        return;
    }
    *(Floats4 *)row = __builtin_shufflevector(v, v, 0, 1, 2, 3);
    if (rows > 1) *(Floats4 *)(row + t.tilesX) = __builtin_shufflevector(v, v, 4, 5, 6, 7);
    if (rows > 2) *(Floats4 *)(row + 2 * t.tilesX) = __builtin_shufflevector(v, v, 8, 9, 10, 11);
    if (rows > 3) *(Floats4 *)(row + 3 * t.tilesX) = __builtin_shufflevector(v, v, 12, 13, 14, 15);
}

// The 32 floats a block's even and odd columns are split from, `offset` floats into each of its tile rows' windows
// (`window[r]`): 32 of the one row, 16 of each of two, or 8 of each of four.
ALWAYS_INLINE void blockColumns(Tiling t, const float *const window[4], long offset, Floats16 *a, Floats16 *b) {
    if (t.rows == 1) {
        *a = load(window[0] + offset), *b = load(window[0] + offset + 16);
    } else if (t.rows == 2) {
        *a = load(window[0] + offset), *b = load(window[1] + offset);
    } else {
        *a = loadHalves(window[0] + offset, window[1] + offset), *b = loadHalves(window[2] + offset, window[3] + offset);
    }
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

// The floats of the whole 16-float vectors that hold a row of `count` floats, when it has fewer than 32.
ALWAYS_INLINE long vectorSpan(long count) { return count > 16 ? 32 : 16; }

// `v` with its lanes from `count` on zeroed.
ALWAYS_INLINE Floats16 firstLanes(Floats16 v, long count) {
    const Ints16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return (Floats16)((Ints16)v & (lanes < (Ints16){0} + (int)count));
}

// Copies a row of `count` floats: when it is shorter than 32 and both sides have room for vectorSpan(count) floats
// before `readEnd` and `writeEnd`, as whole vectors with the lanes past the row zeroed (two or three operations
// instead of up to seven, several of them on single floats), else by copyFloats.
ALWAYS_INLINE void copyRowFloats(float *to, const float *from, long count, const float *readEnd,
                                 const float *writeEnd) {
    long span = vectorSpan(count);
    if (count >= 32 || from + span > readEnd || to + span > writeEnd) return copyFloats(to, from, count);
    store(to, firstLanes(load(from), count));
    if (count > 16) store(to + 16, firstLanes(load(from + 16), count - 16));
}

// Copies a plane into the interior of a padded one (rows `pitch` apart, room for a row's vectorSpan after its
// border) with a border of `border` rows and columns; what lies outside the interior is written as zero or not at
// all, so it stays zero. The plane may be read up to `end`.
ALWAYS_INLINE void pad(const float *plane, long height, long width, float *padded, long pitch, long border,
                       const float *end) {
    for (long y = 0; y < height; y++) {
        float *row = padded + (y + border) * pitch + border;
        copyRowFloats(row, plane + y * width, width, end, row + pitch - border);
    }
}

// Input tiles `Bᵀ·d·B` of a block: `window[r]` points at the first column of tile row r's windows' top rows, rows
// `pitch` apart; h[i][k] is combination k of row i's columns.
ALWAYS_INLINE void inputBlock(Tiling t, const float *const window[4], long pitch, Floats16 v[16]) {
    Floats16 h[4][4];
    for (int i = 0; i < 4; i++) {
        Floats16 a, b, c, d;
        blockColumns(t, window, i * pitch, &a, &b);
        blockColumns(t, window, i * pitch + 2, &c, &d);
        Floats16 d0 = evens(a, b), d1 = odds(a, b), d2 = evens(c, d), d3 = odds(c, d);
        h[i][0] = d0 - d2, h[i][1] = d1 + d2, h[i][2] = d2 - d1, h[i][3] = d1 - d3;
    }
    for (int k = 0; k < 4; k++) {
        v[k] = h[0][k] - h[2][k], v[4 + k] = h[1][k] + h[2][k];
        v[8 + k] = h[2][k] - h[1][k], v[12 + k] = h[1][k] - h[3][k];
    }
}

// Output-gradient tiles `A·g·Aᵀ` of a block, `window` as in inputBlock: A over the columns of the top rows (e) and
// the bottom rows (f), then over the rows.
ALWAYS_INLINE void gradientBlock(Tiling t, const float *const window[4], long pitch, Floats16 v[16]) {
    Floats16 a, b, c, d;
    blockColumns(t, window, 0, &a, &b);
    blockColumns(t, window, pitch, &c, &d);
    Floats16 y0 = evens(a, b), y1 = odds(a, b), y2 = evens(c, d), y3 = odds(c, d);
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
        pad(x + c * height * width, height, width, scratch + c * planeSize, pitch, border,
            x + channels * height * width);
    for (long c = 0; c < channels; c++) {
        const float *padded = scratch + c * planeSize;
        for (long ty = 0; ty < t.tilesY; ty += t.rows) {
            for (long first = 0; first < t.tilesX; first += t.lanes) {
                const float *window[4];
                for (long r = 0; r < t.rows; r++) window[r] = padded + 2 * blockRow(t, ty, r) * pitch + 2 * first;
                Floats16 v[16];
                if (gradient) gradientBlock(t, window, pitch, v);
                else inputBlock(t, window, pitch, v);
                float *target = tiles + c * stride + column + ty * t.tilesX + first;
                OPAQUE(target);
                // All of a block's rows but at the plane's end: a constant there, so no store is tested.
                if (ty + t.rows <= t.tilesY)
                    for (int element = 0; element < 16; element++)
                        storeBlock(t, target + element * elementStride, t.rows, v[element]);
                else
                    for (int element = 0; element < 16; element++)
                        storeBlock(t, target + element * elementStride, t.tilesY - ty, v[element]);
            }
        }
    }
}

// Sixteen tiles of one row, eight of each of two rows or four of each of four per block (`Tiling`): a copy for each.
ALWAYS_INLINE void planeTiles(int gradient, const float *x, long channels, long height, long width, float *tiles,
                              long stride, long column, float *scratch) {
    long rows = tiling(height, width).rows;
    if (rows == 4) planeTilesIn(4, gradient, x, channels, height, width, tiles, stride, column, scratch);
    else if (rows == 2) planeTilesIn(2, gradient, x, channels, height, width, tiles, stride, column, scratch);
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

// The element at `offset` of a block's transformed tiles: sixteen of tile row r0 from tile `first`, or eight of each
// of r0 and r1, or four of each of r0 … r3 (a block of several rows holds all their tiles, so `first` is 0; with it
// in their addresses the transform was measurably slower, see Benchmarks/RESULTS.md).
ALWAYS_INLINE Floats16 elementAt(Tiling t, const float *r0, const float *r1, const float *r2, const float *r3,
                                  long offset, long first) {
    if (t.rows == 1) return load(r0 + offset + first);
    if (t.rows == 2) return loadHalves(r0 + offset, r1 + offset);
    return loadQuarters(r0 + offset, r1 + offset, r2 + offset, r3 + offset);
}

// Copies output row `y` of a plane from `row` (readable for its vectorSpan) when the plane has it; the planes may be
// written up to `end`, so a row may overwrite the start of the next, which is copied after it.
ALWAYS_INLINE void copyRow(const float *row, long y, long height, long width, float *plane, const float *end) {
    if (y < height) copyRowFloats(plane + y * width, row, width, row + vectorSpan(width), end);
}

ALWAYS_INLINE void outputTilesIn(long rows, const float *tiles, long channels, long height, long width,
                                 long stride, long column, const float *bias, float *y) {
    Tiling t = tiling(height, width);
    t.rows = rows, t.lanes = 16 / rows;  // constants in each copy (outputTiles)
    long elementStride = channels * stride;
    // Two rows of 2·blocked output columns, plus the vector span copyRow may read past the second's last tile row.
    float *top = malloc((size_t)(4 * t.blocked + 32) * sizeof(float)), *bottom = top + 2 * t.blocked;
    const float *end = y + channels * height * width;
    for (long c = 0; c < channels; c++) {
        Floats16 b = (Floats16){0} + (bias ? bias[c] : 0);
        float *plane = y + c * height * width;
        for (long ty = 0; ty < t.tilesY; ty += t.rows) {
            const float *row = tiles + c * stride + column;
            const float *r0 = row + ty * t.tilesX, *r1 = row + blockRow(t, ty, 1) * t.tilesX;
            const float *r2 = row + blockRow(t, ty, 2) * t.tilesX, *r3 = row + blockRow(t, ty, 3) * t.tilesX;
            for (long first = 0; first < t.tilesX; first += t.lanes) {
#define AT(element) elementAt(t, r0, r1, r2, r3, (element) * elementStride, first)
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
            // With several tile rows per block, tile row r's output rows start 2·lanes·r floats into the buffers.
            for (long r = 0; r < t.rows && ty + r < t.tilesY; r++) {
                copyRow(top + 2 * t.lanes * r, 2 * (ty + r), height, width, plane, end);
                copyRow(bottom + 2 * t.lanes * r, 2 * (ty + r) + 1, height, width, plane, end);
            }
        }
    }
    free(top);
}

// One, two or four tile rows per block (`Tiling`): a copy for each.
ALWAYS_INLINE void outputTiles(const float *tiles, long channels, long height, long width, long stride,
                               long column, const float *bias, float *y) {
    long rows = tiling(height, width).rows;
    if (rows == 4) outputTilesIn(4, tiles, channels, height, width, stride, column, bias, y);
    else if (rows == 2) outputTilesIn(2, tiles, channels, height, width, stride, column, bias, y);
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
