/// A command line that does not match what the command accepts: `condense` prints it and exits with status 2.
public struct UsageError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
