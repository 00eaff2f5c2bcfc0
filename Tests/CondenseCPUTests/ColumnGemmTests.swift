@testable import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// `columnSgemm`, our own small GEMM (C, one variant per instruction set): against a double-precision product on
/// odd shapes in every variant this processor runs, and each column's bits independent of the product's width.
final class ColumnGemmTests: XCTestCase {
    /// `C = op(A)·B` in double precision, `A` stored `[m][k]`, or `[k][m]` when `transposeA`.
    private func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[transposeA ? p * m + i : i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(sum)
            }
        }
        return c
    }

    private func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool,
                         columns: Range<Int>? = nil) -> [Float] {
        let columns = columns ?? 0..<n
        var c = [Float](repeating: .nan, count: m * columns.count)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    columnSgemm(transposeA: transposeA, m: m, n: columns.count, k: k, a.baseAddress!,
                                lda: transposeA ? m : k, b.baseAddress! + columns.lowerBound, ldb: n,
                                c.baseAddress!, ldc: columns.count)
                }
            }
        }
        return c
    }

    func testEveryVariantMatchesADoublePrecisionProductOnOddShapes() {
        var random = SeededGenerator(seed: 4)
        for variant in 0...KernelVariants.widest {
            KernelVariants.using(variant) {
                for (m, n, k) in [(1, 1, 1), (3, 5, 13), (7, 16, 3), (13, 17, 7), (33, 33, 1), (8, 100, 33), (17, 15, 16)] {
                    for transposeA in [false, true] {
                        let a = random.floats(m * k), b = random.floats(k * n)
                        assertClose(product(a, b, m: m, n: n, k: k, transposeA: transposeA),
                                    reference(a, b, m: m, n: n, k: k, transposeA: transposeA), rtol: 1e-5, atol: 1e-5,
                                    "variant \(variant), \(m)×\(n)×\(k), transposeA \(transposeA)")
                    }
                }
            }
        }
    }

    /// Any run of columns computed on its own has the same bits as in the whole product (so a sample's convolution
    /// does not depend on which samples share its batch or chunk).
    func testAColumnHasTheSameBitsWhateverTheWidth() {
        var random = SeededGenerator(seed: 8)
        let (m, n, k) = (13, 83, 29)
        let a = random.floats(m * k), b = random.floats(k * n)
        for variant in 0...KernelVariants.widest {
            KernelVariants.using(variant) {
                let whole = product(a, b, m: m, n: n, k: k, transposeA: false)
                for columns in [0..<1, 0..<16, 5..<21, 3..<50, 70..<83, 17..<83] {
                    let part = product(a, b, m: m, n: n, k: k, transposeA: false, columns: columns)
                    for i in 0..<m {
                        XCTAssertEqual(Array(part[i * columns.count..<(i + 1) * columns.count]),
                                       Array(whole[i * n + columns.lowerBound..<i * n + columns.upperBound]),
                                       "variant \(variant), columns \(columns), row \(i)")
                    }
                }
            }
        }
    }
}
