import CondenseData
import CondenseTestSupport
import Foundation

/// ZIP archives on their own, every member read whole (so the directory's sizes, not a format's headers, decide
/// what is allocated): the MedMNIST target's seeds, whose field offsets it also names.
struct ZipFuzzTarget: FuzzTarget {
    let limits: DataLimits
    private let npz: MedMNISTFuzzTarget
    var name: String { "zip" }

    init(limits: DataLimits) {
        self.limits = limits
        npz = MedMNISTFuzzTarget(limits: limits)
    }

    func seeds() throws -> [[UInt8]] { try npz.seeds() }

    func fieldOffsets(in seed: [UInt8]) -> [Int] { npz.fieldOffsets(in: seed) }

    func read(_ input: [UInt8]) throws {
        let archive = try ZipArchive(bytes: Data(input), path: "fuzz.zip", limits: limits)
        for name in archive.names { _ = try archive.member(name) }
    }
}
