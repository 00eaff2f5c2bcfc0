import CondenseData
import CondenseTestSupport
import Foundation

/// MedMNIST `.npz` files through the whole loader (ZIP directory, members, NPY headers, layout, labels): stored
/// and deflated, plain and ZIP64, built here, and the NumPy-written deflated fixture.
struct MedMNISTFuzzTarget: FuzzTarget {
    let limits: DataLimits
    var name: String { "npz" }

    func seeds() throws -> [[UInt8]] {
        let arrays = DataFiles.medMNISTArrays()
        let numpyWritten = try Data(contentsOf: Fixtures.folder.appendingPathComponent("data/rgb_deflated.npz"))
        return [false, true].flatMap { zip64 in
            [false, true].map { DataFiles.npz(arrays, deflated: $0, zip64: zip64) }
        } + [[UInt8](numpyWritten)]
    }

    /// The size, count and offset fields of every ZIP record found by its signature, and each NPY header length.
    func fieldOffsets(in seed: [UInt8]) -> [Int] {
        let fields: [[UInt8]: [Int]] = [
            [0x50, 0x4B, 3, 4]: [18, 22, 26, 28, 30, 34, 38],  // local header; its ZIP64 extra after a 4-byte name+
            [0x50, 0x4B, 1, 2]: [20, 24, 28, 30, 32, 42],  // central directory entry
            [0x50, 0x4B, 5, 6]: [8, 10, 12, 16, 20],  // end of central directory
            [0x50, 0x4B, 6, 6]: [4, 24, 32, 40, 48],  // ZIP64 end record
            [0x50, 0x4B, 6, 7]: [8, 16],  // ZIP64 locator
            [0x93, 0x4E, 0x55, 0x4D]: [8],  // "\x93NUM": an NPY header length (stored members)
        ]
        return seed.indices.dropLast(3).flatMap { start in
            (fields[Array(seed[start..<(start + 4)])] ?? []).map { start + $0 }
        }
    }

    func read(_ input: [UInt8]) throws {
        _ = try MedMNISTLoader.load(ZipArchive(bytes: Data(input), path: "fuzz.npz", limits: limits), limits: limits)
    }
}
