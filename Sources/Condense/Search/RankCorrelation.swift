/// Spearman's rank correlation of two equally long samples: Pearson's correlation of their ranks, tied values
/// sharing the mean of their ranks. Nil for fewer than two pairs or when either sample is constant.
public func spearmanCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count == y.count, x.count >= 2 else { return nil }
    let (a, b) = (ranks(x), ranks(y))
    let (meanA, meanB) = (a.reduce(0, +) / Double(a.count), b.reduce(0, +) / Double(b.count))
    var (covariance, varianceA, varianceB) = (0.0, 0.0, 0.0)
    for (u, v) in zip(a, b) {
        covariance += (u - meanA) * (v - meanB)
        varianceA += (u - meanA) * (u - meanA)
        varianceB += (v - meanB) * (v - meanB)
    }
    guard varianceA > 0, varianceB > 0 else { return nil }
    return covariance / (varianceA * varianceB).squareRoot()
}

/// Ranks from 1, ties given the mean of the ranks they span.
func ranks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var result = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start
        while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
        for position in start...end { result[order[position]] = Double(start + end) / 2 + 1 }
        start = end + 1
    }
    return result
}
