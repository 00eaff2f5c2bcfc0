import CondenseData
import Foundation
import XCTest

/// Every file reader on thousands of seeded mutants of valid files: each input must be accepted or refused with a
/// `CondenseError` — never a trap, a hang, or memory beyond the limits. Prints each reader's counts.
/// `CONDENSE_FUZZ_INPUTS` sets the inputs per reader (default 3,000); the seed is fixed, so runs repeat, and
/// `CONDENSE_FUZZ_SEED` explores others. In release mode on two busy cores the default run takes about 1.5 s.
final class ReaderFuzzTests: XCTestCase {
    /// The readers' limits here: 64 MiB of data per load, so a mutated size field can never allocate more.
    static let limits = DataLimits(maximumDatasetBytes: 64 << 20)
    /// The most the peak resident memory may grow during one reader's run: the 64 MiB budget a few times over.
    static let peakGrowthBound = 256 << 20
    private let harness = FuzzHarness(
        inputsPerTarget: ProcessInfo.processInfo.environment["CONDENSE_FUZZ_INPUTS"].flatMap { Int($0) } ?? 3_000,
        seed: ProcessInfo.processInfo.environment["CONDENSE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xC0DE_F022)

    private func fuzz(_ target: FuzzTarget) throws {
        let peakBefore = PeakMemory.bytes()
        let report = try harness.run(target)
        print(report)
        XCTAssertTrue(report.failures.isEmpty, "\(report.failures.count) failures, first: " +
                      report.failures.prefix(5).joined(separator: "; "))
        XCTAssertEqual(report.inputs, harness.inputsPerTarget)
        XCTAssertGreaterThan(report.accepted, 0, "no mutant was accepted: the mutations are too coarse to fuzz checks")
        XCTAssertGreaterThan(report.refused, 0, "no mutant was refused")
        let growth = PeakMemory.bytes() - peakBefore
        XCTAssertLessThan(growth, Self.peakGrowthBound, "peak RSS grew by \(growth >> 20) MiB")
    }

    func testNPY() throws { try fuzz(NPYFuzzTarget(limits: Self.limits)) }

    func testZip() throws { try fuzz(ZipFuzzTarget(limits: Self.limits)) }

    func testMedMNISTNPZ() throws { try fuzz(MedMNISTFuzzTarget(limits: Self.limits)) }

    func testSafeTensors() throws { try fuzz(SafeTensorsFuzzTarget()) }

    func testCIFAR() throws {
        let target = try CIFARFuzzTarget(limits: Self.limits)
        defer { try? FileManager.default.removeItem(at: target.folder) }
        try fuzz(target)
    }

    func testImageFiles() throws {
        for fileExtension in ["png", "jpg", "dcm"] {
            let target = try ImageFileFuzzTarget(fileExtension: fileExtension, limits: Self.limits)
            defer { try? FileManager.default.removeItem(at: target.folder) }
            try fuzz(target)
        }
    }
}
