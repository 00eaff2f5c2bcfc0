#!/usr/bin/env python3
"""Writes the small DICOM files under Tests/Fixtures/DICOM/ that the image-folder tests read through DCMTK.

pydicom (not the code under test) writes them; the tests check DCMTK's rendering of each against values computed by
hand from the stored pixels below (Modality LUT, then the VOI window, then MONOCHROME1's inversion).
Run: python3 -m venv .venv && .venv/bin/pip install pydicom numpy pillow && .venv/bin/python Scripts/make-dicom-fixtures.py
"""
import io
import pathlib

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (CTImageStorage, ExplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless,
                         SecondaryCaptureImageStorage, generate_uid)

out = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "DICOM"

# One 4×4 image of stored values per fixture, row by row, so the tests can name each pixel.
CT_STORED = [0, 824, 984, 1004, 1024, 1044, 1064, 1124, 1224, 1424, 2000, 4095, 1000, 1030, 1050, 1100]
SIGNED_STORED = [-2000, -1000, -500, 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000]
MONO1_STORED = [0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 255]


def base(sop_class, transfer_syntax, rows=4, columns=4):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.2"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.3"
    ds.Modality = "CT" if sop_class == CTImageStorage else "OT"
    ds.PatientName = "Fixture^Condense"
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    return ds


def grey(ds, values, bits_allocated, bits_stored, signed):
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_allocated, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    dtype = {(8, False): np.uint8, (16, False): np.uint16, (16, True): np.int16}[(bits_allocated, signed)]
    ds.PixelData = np.array(values, dtype=dtype).tobytes()


def save(ds, name):
    ds.save_as(out / name, enforce_file_format=True)


def main():
    out.mkdir(parents=True, exist_ok=True)

    # 12-bit CT stored in 16 bits, HU = stored − 1024, a soft-tissue window (40, 400).
    ds = base(CTImageStorage, ExplicitVRLittleEndian)
    grey(ds, CT_STORED, 16, 12, False)
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 1, -1024, "HU"
    ds.WindowCenter, ds.WindowWidth = 40, 400
    save(ds, "ct12_rescale_window.dcm")

    # The same CT, run-length encoded (RLE Lossless): DCMTK's RLE decoder must give the same rendering.
    ds.compress(RLELossless)
    save(ds, "ct12_rle.dcm")

    # Signed 16-bit with rescale 2·v + 10 and no window: rendered over its min–max.
    ds = base(CTImageStorage, ExplicitVRLittleEndian)
    grey(ds, SIGNED_STORED, 16, 16, True)
    ds.RescaleSlope, ds.RescaleIntercept = 2, 10
    save(ds, "signed16_minmax.dcm")

    # MONOCHROME1 (low values shown white), 8-bit, window (128, 256).
    ds = base(SecondaryCaptureImageStorage, ExplicitVRLittleEndian)
    grey(ds, MONO1_STORED, 8, 8, False)
    ds.PhotometricInterpretation = "MONOCHROME1"
    ds.WindowCenter, ds.WindowWidth = 128, 256
    save(ds, "mono1_window.dcm")

    # JPEG baseline (8-bit grey, 16×16 of one grey level per 4×4 block, quality 95).
    ds = base(SecondaryCaptureImageStorage, JPEGBaseline8Bit, rows=16, columns=16)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    blocks = np.kron(np.array(MONO1_STORED, dtype=np.uint8).reshape(4, 4), np.ones((4, 4), dtype=np.uint8))
    encoded = io.BytesIO()
    Image.fromarray(blocks, mode="L").save(encoded, format="JPEG", quality=95)
    ds.PixelData = encapsulate([encoded.getvalue()])
    ds["PixelData"].VR = "OB"
    ds.LossyImageCompression = "01"
    save(ds, "jpeg_baseline.dcm")

    # RGB, 8-bit: colour DICOM is decoded as RGB (no window).
    ds = base(SecondaryCaptureImageStorage, ExplicitVRLittleEndian, rows=2, columns=2)
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
    save(ds, "rgb.dcm")

    # Two frames: refused with a message (one file per slice is expected).
    ds = base(CTImageStorage, ExplicitVRLittleEndian)
    grey(ds, CT_STORED + CT_STORED, 16, 12, False)
    ds.NumberOfFrames = 2
    save(ds, "multiframe.dcm")

    # No Pixel Data (a structured report would look like this): refused.
    ds = base(CTImageStorage, ExplicitVRLittleEndian)
    save(ds, "no_pixel_data.dcm")

    for path in sorted(out.glob("*.dcm")):
        print(f"wrote {path.relative_to(out.parent.parent.parent)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
