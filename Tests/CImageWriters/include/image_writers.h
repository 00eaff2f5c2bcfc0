// Writing PNG and JPEG test fixtures through libpng and libjpeg-turbo, the libraries Condense reads them with.
#ifndef CONDENSE_IMAGE_WRITERS_H
#define CONDENSE_IMAGE_WRITERS_H

#include <stdint.h>

/// Writes a PNG of `color_type` (PNG_COLOR_TYPE_*: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA) and `bit_depth`
/// (8 or 16; 16-bit samples big-endian, as PNG stores them) from `rows` (height rows of packed samples).
/// `palette` holds `palette_entries` RGB triples for color type 3. Returns 0, or −1.
int fixture_write_png(const char *path, int width, int height, int color_type, int bit_depth, const uint8_t *rows,
                      const uint8_t *palette, int palette_entries);

/// Writes a baseline JPEG of 1 (grey) or 3 (RGB) channels at `quality` (1…100) from HWC `pixels`. Returns 0, or −1.
int fixture_write_jpeg(const char *path, int width, int height, int channels, int quality, const uint8_t *pixels);

#endif
