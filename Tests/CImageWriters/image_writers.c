// Test fixtures through the same libraries the readers use; failures abort the write and return −1.
#include "image_writers.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

static int samples_per_pixel(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1;
    }
}

int fixture_write_png(const char *path, int width, int height, int color_type, int bit_depth, const uint8_t *rows,
                      const uint8_t *palette, int palette_entries) {
    FILE *file = fopen(path, "wb");
    if (!file) return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int status = -1;
    if (info && setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, file);
        png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_type, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        if (color_type == PNG_COLOR_TYPE_PALETTE) {
            png_color colors[256];
            for (int i = 0; i < palette_entries && i < 256; i++) {
                colors[i].red = palette[3 * i];
                colors[i].green = palette[3 * i + 1];
                colors[i].blue = palette[3 * i + 2];
            }
            png_set_PLTE(png, info, colors, palette_entries);
        }
        png_write_info(png, info);
        size_t stride = (size_t)width * (size_t)samples_per_pixel(color_type) * (size_t)(bit_depth / 8);
        for (int y = 0; y < height; y++) png_write_row(png, rows + (size_t)y * stride);
        png_write_end(png, NULL);
        status = 0;
    }
    png_destroy_write_struct(&png, &info);
    fclose(file);
    return status;
}

int fixture_write_jpeg(const char *path, int width, int height, int channels, int quality, const uint8_t *pixels) {
    FILE *file = fopen(path, "wb");
    if (!file) return -1;
    struct jpeg_compress_struct encoder;
    struct jpeg_error_mgr errors;
    encoder.err = jpeg_std_error(&errors);
    jpeg_create_compress(&encoder);
    jpeg_stdio_dest(&encoder, file);
    encoder.image_width = (JDIMENSION)width;
    encoder.image_height = (JDIMENSION)height;
    encoder.input_components = channels;
    encoder.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&encoder);
    jpeg_set_quality(&encoder, quality, TRUE);
    jpeg_start_compress(&encoder, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (encoder.next_scanline < encoder.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)encoder.next_scanline * stride);
        jpeg_write_scanlines(&encoder, &row, 1);
    }
    jpeg_finish_compress(&encoder);
    jpeg_destroy_compress(&encoder);
    fclose(file);
    return 0;
}
