// JPEG through libjpeg-turbo: greyscale stays grey, everything else (YCbCr, RGB) is decoded to RGB; CMYK is refused.
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    codec_message *message;
} error_handler;

static void report_error(j_common_ptr info) {
    error_handler *handler = (error_handler *)info->err;
    char text[JMSG_LENGTH_MAX];
    handler->base.format_message(info, text);
    snprintf(handler->message->text, sizeof handler->message->text, "corrupt JPEG: %s", text);
    longjmp(handler->jump, 1);
}

static void ignore_message(j_common_ptr info, int level) {
    (void)info;
    (void)level;
}

/// Opens, reads the header and checks the colour space; leaves `decoder` ready for `jpeg_start_decompress`.
static int read_header(FILE *file, struct jpeg_decompress_struct *decoder, codec_header *header,
                       codec_message *message) {
    jpeg_stdio_src(decoder, file);
    jpeg_read_header(decoder, TRUE);
    if (decoder->num_components != 1 && decoder->num_components != 3) {
        snprintf(message->text, sizeof message->text, "JPEG with %d colour components (CMYK?); expected grey or colour",
                 decoder->num_components);
        return -1;
    }
    decoder->out_color_space = decoder->num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    header->width = (int)decoder->image_width;
    header->height = (int)decoder->image_height;
    header->channels = decoder->num_components;
    return 0;
}

static int run(const char *path, codec_header *header, const codec_header *expected, uint8_t *pixels,
               codec_message *message) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(message->text, sizeof message->text, "cannot open the file");
        return -1;
    }
    struct jpeg_decompress_struct decoder;
    error_handler handler;
    decoder.err = jpeg_std_error(&handler.base);
    handler.base.error_exit = report_error;
    handler.base.emit_message = ignore_message;
    handler.message = message;
    volatile int status = -1;
    jpeg_create_decompress(&decoder);
    if (setjmp(handler.jump) == 0 && read_header(file, &decoder, header, message) == 0) {
        if (!expected) {
            status = 0;
        } else if (header->width != expected->width || header->height != expected->height ||
                   header->channels != expected->channels) {
            snprintf(message->text, sizeof message->text, "the file changed while it was read");
        } else {
            jpeg_start_decompress(&decoder);
            size_t stride = (size_t)header->width * (size_t)header->channels;
            while (decoder.output_scanline < decoder.output_height) {
                JSAMPROW row = pixels + (size_t)decoder.output_scanline * stride;
                jpeg_read_scanlines(&decoder, &row, 1);
            }
            jpeg_finish_decompress(&decoder);
            status = 0;
        }
    }
    jpeg_destroy_decompress(&decoder);
    fclose(file);
    return status;
}

int codec_jpeg_header(const char *path, codec_header *header, codec_message *message) {
    return run(path, header, NULL, NULL, message);
}

int codec_jpeg_decode(const char *path, const codec_header *expected, uint8_t *pixels, codec_message *message) {
    codec_header header;
    return run(path, &header, expected, pixels, message);
}
