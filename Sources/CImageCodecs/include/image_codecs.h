// Decoding PNG (libpng) and JPEG (libjpeg-turbo) files into 8-bit grey or RGB pixels, for CondenseData's image
// folders. Each library reports errors by longjmp, which Swift cannot catch; this C layer catches them and returns
// a status with a message instead.
#ifndef CONDENSE_IMAGE_CODECS_H
#define CONDENSE_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A file's image header: sides in pixels and channels after decoding (1: grey, 3: RGB).
typedef struct {
    int width, height, channels;
} codec_header;

/// Room for an error message from a decoder (what went wrong, without the path, which the caller adds).
typedef struct {
    char text[256];
} codec_message;

/// Reads the header of the PNG or JPEG file at `path`. Returns 0, or −1 with `message` set.
int codec_png_header(const char *path, codec_header *header, codec_message *message);
int codec_jpeg_header(const char *path, codec_header *header, codec_message *message);

/// Decodes the file at `path` into `pixels`: `height × width × channels` bytes, rows top to bottom, channels
/// interleaved (HWC), `channels` as its header says. 16-bit samples are scaled to 8 bits (v·255/65535, rounded),
/// palettes expanded, an alpha channel dropped. Refuses an image whose header differs from `expected` (the file
/// changed since its header was read). Returns 0, or −1 with `message` set.
int codec_png_decode(const char *path, const codec_header *expected, uint8_t *pixels, codec_message *message);
int codec_jpeg_decode(const char *path, const codec_header *expected, uint8_t *pixels, codec_message *message);

#ifdef __cplusplus
}
#endif

#endif
