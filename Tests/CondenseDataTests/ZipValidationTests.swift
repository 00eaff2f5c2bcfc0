import CondenseCore
import CondenseData
import CondenseTestSupport
import Foundation
import XCTest

/// The ZIP reader against archives that lie: sizes and offsets near `UInt64.max`, members claiming 64 GiB or
/// 1 TiB, bombs that inflate past their declared size, duplicates, and large files that are not ZIPs at all.
final class ZipValidationTests: XCTestCase {
    private let limits = DataLimits(maximumDatasetBytes: 1 << 30)

    private func outcome(_ bytes: [UInt8], member: String = "a", limits: DataLimits? = nil) -> String {
        do {
            let archive = try ZipArchive(bytes: Data(bytes), path: "case.zip", limits: limits ?? self.limits)
            return "read \(try archive.member(member).count) bytes"
        } catch { return "\(error)" }
    }

    func testZIP64ArchivesReadLikePlainOnes() throws {
        let text = Array("hello, archive".utf8)
        for deflated in [false, true] {
            XCTAssertEqual(outcome(DataFiles.zip([.init("a", text, deflated: deflated)], zip64: true)), "read 14 bytes")
        }
        let archive = try ZipArchive(bytes: Data(DataFiles.zip([.init("a", text), .init("b", [1, 2])], zip64: true)),
                                     path: "x.zip", limits: limits)
        XCTAssertEqual(archive.names, ["a", "b"])
        XCTAssertEqual([UInt8](try archive.member("b")), [1, 2])
        XCTAssertEqual(String(decoding: try archive.prefix(of: "a", count: 5), as: UTF8.self), "hello")
    }

    func testSizesNearUInt64MaxAreErrorsNotTraps() {
        let text = outcome(DataFiles.zip([.init("a", [1, 2, 3], declaredSize: .max)], zip64: true))
        XCTAssertTrue(text.contains("case.zip: ZIP member 'a': ZIP64 uncompressed size is 18446744073709551615, beyond " +
                                    "any possible file"), text)
        var archive = DataFiles.zip([.init("a", [1, 2, 3])], zip64: true)
        // The ZIP64 end record's directory offset (its last field, 8 bytes before the 20-byte locator and 22-byte end).
        archive.replaceSubrange((archive.count - 42 - 8)..<(archive.count - 42), with: DataFiles.le(UInt64.max - 3))
        let offset = outcome(archive)
        XCTAssertTrue(offset.contains("ZIP64 directory offset is 18446744073709551612"), offset)
    }

    func testMembersClaimingMoreThanTheFileCanHoldAreRefusedBeforeAllocating() {
        let stored = outcome(DataFiles.zip([.init("a", [1, 2, 3], declaredSize: 1 << 40)], zip64: true))
        XCTAssertTrue(stored.contains("ZIP member 'a': stored member is 3 bytes, but its uncompressed size says " +
                                      "1099511627776"), stored)
        let deflated = outcome(DataFiles.zip([.init("a", [UInt8](repeating: 7, count: 100), deflated: true,
                                                    declaredSize: 64 << 30)], zip64: true))
        XCTAssertTrue(deflated.contains("ZIP member 'a': claims 68719476736 bytes uncompressed from"), deflated)
        XCTAssertTrue(deflated.contains("beyond deflate's 1032:1 ratio"), deflated)
        var tight = limits
        tight.maximumDatasetBytes = 100_000
        let budget = outcome(DataFiles.zip([.init("a", [UInt8](repeating: 0, count: 1_000_000), deflated: true)]),
                             limits: tight)
        XCTAssertTrue(budget.contains("case.zip: ZIP member 'a' needs 1000000 bytes of memory, more than the 100000"),
                      budget)
    }

    func testAMemberThatInflatesPastItsDeclaredSizeIsStopped() {
        let bomb = outcome(DataFiles.zip([.init("a", [UInt8](repeating: 0, count: 10_000_000), deflated: true,
                                                declaredSize: 1_000)]))
        XCTAssertTrue(bomb.contains("ZIP member 'a': inflates to more than the 1000 bytes its directory entry declares"),
                      bomb)
        let short = outcome(DataFiles.zip([.init("a", [UInt8](repeating: 1, count: 500), deflated: true,
                                                 declaredSize: 600)]))
        XCTAssertTrue(short.contains("inflates to 500 bytes, but its directory entry declares 600"), short)
    }

    func testDuplicateMembersAndBadCountsAreRefused() {
        let twice = outcome(DataFiles.zip([.init("a", [1]), .init("a", [2])]))
        XCTAssertTrue(twice.contains("case.zip: ZIP member 'a' appears twice"), twice)
        var archive = DataFiles.zip([.init("a", [1])])
        archive.replaceSubrange((archive.count - 12)..<(archive.count - 10), with: DataFiles.le(UInt16(500)))  // entries
        let count = outcome(archive)
        XCTAssertTrue(count.contains("ZIP directory lists 500 members in 47 bytes, room for at most 1"), count)
        archive.replaceSubrange((archive.count - 12)..<(archive.count - 10), with: DataFiles.le(UInt16.max))
        XCTAssertTrue(outcome(archive).contains("ZIP directory lists 65535 members, more than the limit of 10000"))
    }

    func testALargeFileThatIsNotAZIPIsRefusedFromItsEndAlone() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("condense-sparse-\(getpid()).npz").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 4 << 30)  // 4 GiB of (sparse) zeros
        try handle.close()
        let start = Date()
        XCTAssertThrowsError(try ZipArchive(contentsOf: path)) {
            XCTAssertTrue("\($0)".contains(path) && "\($0)".contains("no end-of-central-directory record"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "only the last 64 KiB are read")
        XCTAssertThrowsError(try ZipArchive(contentsOf: FileManager.default.temporaryDirectory.path)) {
            XCTAssertTrue("\($0)".contains("not a regular file"), "\($0)")
        }
    }
}
