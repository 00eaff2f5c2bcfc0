import CondenseTestSupport

/// A seeded, deterministic mutator of valid files: each mutant applies one to four edits — bit flips, random
/// bytes, insertions, deletions, truncations, a duplicated span, an integer field (at a hint offset the target
/// names, or anywhere) set to a limit value, or a decimal number in a text header replaced by an extreme one.
struct Mutator {
    /// Values a hostile file puts in its length and count fields.
    static let limitValues: [UInt64] = [0, 1, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1_0000_0000,
                                        0x7FFF_FFFF_FFFF_FFFF, .max, .max - 7]
    /// Numbers to write over the digits of a text header (NPY shapes, safetensors offsets).
    static let extremeNumbers = ["0", "-1", "2147483647", "4294967295", "4294967296", "9223372036854775807",
                                 "18446744073709551615", "99999999999999999999999", "1e300", "nan", ""]

    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// One mutant of `input`; `hints` are offsets of integer fields worth overwriting with limit values.
    mutating func mutate(_ input: [UInt8], hints: [Int] = []) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) { edit(&bytes, hints: hints) }
        return bytes
    }

    private mutating func edit(_ bytes: inout [UInt8], hints: [Int]) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<8, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !bytes.isEmpty:
            bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 2:
            bytes.insert(contentsOf: (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) },
                         at: position)
        case 3 where !bytes.isEmpty:
            bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...64, using: &random)))
        case 4:
            bytes.removeLast(bytes.count - position)
        case 5 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...256, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
        case 6:
            setField(&bytes, at: hints.isEmpty || Bool.random(using: &random) ? position
                                                                              : hints.randomElement(using: &random)!)
        default:
            replaceNumber(&bytes, near: position)
        }
    }

    /// Writes a limit value little-endian, 2, 4 or 8 bytes wide, at `offset` (as far as the bytes reach).
    private mutating func setField(_ bytes: inout [UInt8], at offset: Int) {
        let value = Self.limitValues.randomElement(using: &random)!, width = [2, 4, 8].randomElement(using: &random)!
        for index in 0..<width where offset + index < bytes.count {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
        }
    }

    /// Replaces the first run of ASCII digits at or after `position` by an extreme number.
    private mutating func replaceNumber(_ bytes: inout [UInt8], near position: Int) {
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        guard let start = bytes[position...].firstIndex(where: isDigit) ?? bytes.firstIndex(where: isDigit) else { return }
        let end = bytes[start...].firstIndex { !isDigit($0) } ?? bytes.count
        bytes.replaceSubrange(start..<end, with: Array(Self.extremeNumbers.randomElement(using: &random)!.utf8))
    }
}
