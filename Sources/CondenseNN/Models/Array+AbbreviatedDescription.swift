extension Array {
    /// The list as Swift prints it, cut after its first 16 elements ("[1, 2, …, 16, … (1000 values)]"), for error
    /// messages about lists that may be huge.
    var abbreviatedDescription: String {
        count <= 16 ? description : "\(Array(prefix(16)).description.dropLast()), … (\(count) values)]"
    }
}
