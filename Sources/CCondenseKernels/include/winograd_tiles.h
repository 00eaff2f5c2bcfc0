// The tile transforms of Winograd F(2×2, 3×3) (Lavin & Gray, 2016) for the CPU backend's 3×3, stride-1,
// padding-1 convolutions, compiled once per instruction set and picked at run time like small_gemm.h.
//
// A plane of height × width has ⌈height/2⌉ × ⌈width/2⌉ tiles (tilesY × tilesX). Transformed tiles are stored
// element-major: element ξ = 4·row + column of the 4×4 tile, channel c and tile (ty, tx) at
// `tiles[ξ·channels·stride + c·stride + column + ty·tilesX + tx]`. Sixteen tiles are done at a time (of one tile
// row, or of two or four short ones), so each channel's run of tiles may be written, and is read, up to 15 floats
// past its last tile.
#ifndef CONDENSE_WINOGRAD_TILES_H
#define CONDENSE_WINOGRAD_TILES_H

/// Floats of the scratch the two functions below read planes through (zero-bordered copies of all of a sample's
/// planes): zero it before the first call; later calls with the same channels and plane size may reuse it as is.
long condense_winograd_scratch_size(long channels, long height, long width);

/// Input tiles `Bᵀ·d·B` of one sample's `channels` planes, `d` the 4×4 window at rows and columns `2t − 1 …
/// 2t + 2` (zero outside the plane).
void condense_winograd_input_tiles(const float *x, long channels, long height, long width, float *tiles,
                                   long stride, long column, float *scratch);

/// Output-gradient tiles `A·g·Aᵀ` of one sample's `channels` planes, `g` the 2×2 block at rows and columns
/// `2t, 2t + 1` (zero outside the plane): the adjoint of `condense_winograd_output_tiles`.
void condense_winograd_gradient_tiles(const float *dy, long channels, long height, long width, float *tiles,
                                      long stride, long column, float *scratch);

/// One sample's `channels` output planes from its product tiles `m`: `Aᵀ·m·A + bias[c]` (no bias when `bias` is
/// null), the parts of edge tiles past the plane dropped.
void condense_winograd_output_tiles(const float *tiles, long channels, long height, long width, long stride,
                                    long column, const float *bias, float *y);

#endif
