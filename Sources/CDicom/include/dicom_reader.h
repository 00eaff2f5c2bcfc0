// Reading DICOM images through DCMTK as a radiologist's viewer shows them, behind a C surface Swift can call.
#ifndef CONDENSE_DICOM_READER_H
#define CONDENSE_DICOM_READER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A DICOM file's image header: sides in pixels, channels after rendering (1: monochrome, 3: colour), frames.
typedef struct {
    int width, height, channels, frames;
} dicom_header;

/// The VOI window to render with: `use_override` nonzero takes `center` and `width`; otherwise the file's first
/// Window Center/Width, and the pixel range (min–max) when the file has none.
typedef struct {
    int use_override;
    double center, width;
} dicom_window;

/// Room for an error message (what went wrong, without the path, which the caller adds).
typedef struct {
    char text[256];
} dicom_message;

/// Reads the header of the DICOM file at `path` without its pixel data. Refuses a file without Pixel Data.
/// Returns 0, or −1 with `message` set.
int dicom_read_header(const char *path, dicom_header *header, dicom_message *message);

/// Renders frame 0 of the file at `path` into `pixels` (`height × width × channels` bytes, HWC) after the Modality
/// LUT (Rescale Slope/Intercept), the VOI window and, for MONOCHROME1, inversion; compressed transfer syntaxes are
/// decoded where DCMTK's JPEG, JPEG-LS and RLE codecs support them. Refuses an image whose header differs from
/// `expected`. Returns 0, or −1 with `message` set.
int dicom_render(const char *path, const dicom_header *expected, dicom_window window, uint8_t *pixels,
                 dicom_message *message);

#ifdef __cplusplus
}
#endif

#endif
