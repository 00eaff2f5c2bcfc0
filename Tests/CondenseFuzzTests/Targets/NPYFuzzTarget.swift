import CondenseData
import Foundation

/// `.npy` arrays: float32, uint8 and int64 in format 1.0, and a format 2.0 file (4-byte header length).
struct NPYFuzzTarget: FuzzTarget {
    let limits: DataLimits
    var name: String { "npy" }

    func seeds() throws -> [[UInt8]] {
        let version1 = NPYArray.file(descr: "<i8", shape: [5], payload: (0..<40).map { UInt8($0 % 7) })
        let headerLength = Int(version1[8]) | Int(version1[9]) << 8
        let version2 = Array(version1[0..<6]) + [2, 0] + [version1[8], version1[9], 0, 0] + version1[10...]
        precondition(version2.count == version1.count + 2 && headerLength > 0)
        return [NPYArray.float32File(shape: [3, 4], values: (0..<12).map { Float($0) - 5.5 }),
                NPYArray.file(descr: "|u1", shape: [2, 3, 3], payload: (0..<18).map { UInt8($0 * 13) }), version1, version2]
    }

    func fieldOffsets(in seed: [UInt8]) -> [Int] { [6, 8] }

    func read(_ input: [UInt8]) throws {
        let array = try NPYArray(parsing: Data(input), path: "fuzz.npy", limits: limits)
        _ = array.floats()
        _ = try array.ints()
    }
}
