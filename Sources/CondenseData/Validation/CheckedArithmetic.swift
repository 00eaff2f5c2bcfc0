/// Sums and products of sizes read from files, nil where they overflow `Int` (a file can claim any number).
enum CheckedArithmetic {
    static func product(_ factors: [Int]) -> Int? {
        factors.reduce(Optional(1)) { total, factor in
            total.flatMap { let (value, overflow) = $0.multipliedReportingOverflow(by: factor); return overflow ? nil : value }
        }
    }

    static func sum(_ terms: [Int]) -> Int? {
        terms.reduce(Optional(0)) { total, term in
            total.flatMap { let (value, overflow) = $0.addingReportingOverflow(term); return overflow ? nil : value }
        }
    }
}
