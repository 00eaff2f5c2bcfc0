// PNG through libpng's sequential read API: every colour type and bit depth reduced to 8-bit grey or RGB.
#include "image_codecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static void report_error(png_structp png, png_const_charp text) {
    codec_message *message = png_get_error_ptr(png);
    snprintf(message->text, sizeof message->text, "corrupt PNG: %s", text);
    png_longjmp(png, 1);
}

static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

/// Opens `path`, checks the signature and reads the header; on success the caller owns `*file`, `*png`, `*info`.
static int open_png(const char *path, FILE **file, png_structp *png, png_infop *info, codec_message *message) {
    *file = fopen(path, "rb");
    if (!*file) {
        snprintf(message->text, sizeof message->text, "cannot open the file");
        return -1;
    }
    unsigned char signature[8];
    if (fread(signature, 1, 8, *file) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
        snprintf(message->text, sizeof message->text, "not a PNG file (bad signature)");
        fclose(*file);
        return -1;
    }
    *png = png_create_read_struct(PNG_LIBPNG_VER_STRING, message, report_error, ignore_warning);
    *info = *png ? png_create_info_struct(*png) : NULL;
    if (!*info) {
        snprintf(message->text, sizeof message->text, "out of memory");
        png_destroy_read_struct(png, NULL, NULL);
        fclose(*file);
        return -1;
    }
    return 0;
}

static int channels_of(png_structp png, png_infop info) {
    int type = png_get_color_type(png, info);
    return (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA) ? 1 : 3;
}

int codec_png_header(const char *path, codec_header *header, codec_message *message) {
    FILE *file;
    png_structp png;
    png_infop info;
    if (open_png(path, &file, &png, &info, message) != 0) return -1;
    int status = -1;
    if (setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, file);
        png_set_sig_bytes(png, 8);
        png_read_info(png, info);
        header->width = (int)png_get_image_width(png, info);
        header->height = (int)png_get_image_height(png, info);
        header->channels = channels_of(png, info);
        status = 0;
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    return status;
}

int codec_png_decode(const char *path, const codec_header *expected, uint8_t *pixels, codec_message *message) {
    FILE *file;
    png_structp png;
    png_infop info;
    if (open_png(path, &file, &png, &info, message) != 0) return -1;
    int status = -1;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, file);
        png_set_sig_bytes(png, 8);
        png_read_info(png, info);
        int width = (int)png_get_image_width(png, info), height = (int)png_get_image_height(png, info);
        int channels = channels_of(png, info);
        if (width != expected->width || height != expected->height || channels != expected->channels) {
            snprintf(message->text, sizeof message->text, "the file changed while it was read");
        } else {
            png_set_scale_16(png);
            png_set_palette_to_rgb(png);
            png_set_expand_gray_1_2_4_to_8(png);
            png_set_strip_alpha(png);
            png_read_update_info(png, info);
            rows = png_malloc(png, sizeof(png_bytep) * (size_t)height);
            size_t stride = (size_t)width * (size_t)channels;
            for (int y = 0; y < height; y++) rows[y] = pixels + (size_t)y * stride;
            if (png_get_rowbytes(png, info) != stride) {
                snprintf(message->text, sizeof message->text, "unexpected row layout");
            } else {
                png_read_image(png, rows);
                png_read_end(png, NULL);
                status = 0;
            }
        }
    }
    if (rows) png_free(png, rows);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    return status;
}
