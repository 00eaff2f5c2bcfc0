// Short forms of values that may be huge (a metadata array of a million counts, a megabyte-long string), so that
// an error message about them stays readable.

extension Array {
    /// The list as Swift prints it, cut after its first 16 elements ("[1, 2, …, 16, … (1000 values)]").
    var abbreviatedDescription: String {
        count <= 16 ? description : "\(Array(prefix(16)).description.dropLast()), … (\(count) values)]"
    }
}

extension String {
    /// The text, cut after 200 characters ("[1,1,1,… (20000 bytes)").
    var excerpt: String { count <= 200 ? self : prefix(200) + "… (\(utf8.count) bytes)" }
}
