// DCMTK behind dicom_reader.h: DcmFileFormat for the header, DicomImage for the rendering (it applies the Modality
// LUT, the VOI window and MONOCHROME1's polarity as the DICOM standard's grayscale pipeline defines them).
#include "dicom_reader.h"

#include <cstdio>
#include <mutex>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmimage/diregist.h"
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

namespace {

/// Registers the decompression codecs and silences DCMTK's log once per process.
void prepare() {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

void say(dicom_message *message, const char *text) { std::snprintf(message->text, sizeof message->text, "%s", text); }

/// Loads the file's dataset, leaving large values (the pixel data) on disk until they are read.
bool load(const char *path, DcmFileFormat &file, dicom_message *message) {
    OFCondition status = file.loadFile(path, EXS_Unknown, EGL_noChange, 4096);
    if (status.bad()) {
        std::snprintf(message->text, sizeof message->text, "not a readable DICOM file (%s)", status.text());
        return false;
    }
    return true;
}

}  // namespace

extern "C" int dicom_read_header(const char *path, dicom_header *header, dicom_message *message) {
    prepare();
    DcmFileFormat file;
    if (!load(path, file, message)) return -1;
    DcmDataset *data = file.getDataset();
    if (!data->tagExists(DCM_PixelData)) {
        say(message, "DICOM file without Pixel Data (7FE0,0010): not an image (a report, a DICOMDIR or a structured "
                     "document?)");
        return -1;
    }
    Uint16 rows = 0, columns = 0, samples = 1;
    if (data->findAndGetUint16(DCM_Rows, rows).bad() || data->findAndGetUint16(DCM_Columns, columns).bad()) {
        say(message, "DICOM image without Rows (0028,0010) or Columns (0028,0011)");
        return -1;
    }
    data->findAndGetUint16(DCM_SamplesPerPixel, samples);
    Sint32 frames = 1;
    if (data->findAndGetSint32(DCM_NumberOfFrames, frames).bad()) frames = 1;
    if (samples != 1 && samples != 3) {
        std::snprintf(message->text, sizeof message->text, "Samples per Pixel (0028,0002) is %u; expected 1 or 3",
                      samples);
        return -1;
    }
    header->width = columns;
    header->height = rows;
    header->channels = samples;
    header->frames = frames;
    return 0;
}

extern "C" int dicom_render(const char *path, const dicom_header *expected, dicom_window window, uint8_t *pixels,
                            dicom_message *message) {
    prepare();
    DcmFileFormat file;
    if (!load(path, file, message)) return -1;
    DcmDataset *data = file.getDataset();
    DicomImage image(&file, data->getOriginalXfer(), CIF_UsePartialAccessToPixelData, 0, 1);
    if (image.getStatus() != EIS_Normal) {
        std::snprintf(message->text, sizeof message->text, "DCMTK cannot render the image: %s",
                      DicomImage::getString(image.getStatus()));
        return -1;
    }
    int channels = image.isMonochrome() ? 1 : 3;
    if ((int)image.getWidth() != expected->width || (int)image.getHeight() != expected->height ||
        channels != expected->channels) {
        say(message, "the image's rendered size or colour model differs from its header");
        return -1;
    }
    if (image.isMonochrome()) {
        bool windowed = window.use_override ? image.setWindow(window.center, window.width)
                        : image.getWindowCount() > 0 ? image.setWindow(0)
                                                       : image.setMinMaxWindow(0);
        if (!windowed) {
            say(message, "DCMTK could not apply the VOI window (a width below 1?)");
            return -1;
        }
    }
    unsigned long bytes = (unsigned long)expected->width * (unsigned long)expected->height * (unsigned long)channels;
    if (!image.getOutputData(pixels, bytes, 8, 0, 0)) {
        say(message, "DCMTK could not render the pixel data (truncated or in an unsupported transfer syntax)");
        return -1;
    }
    return 0;
}
