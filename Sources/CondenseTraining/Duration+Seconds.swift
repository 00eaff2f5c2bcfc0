/// Elapsed time as a number of seconds, for rates and ETAs.
extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
