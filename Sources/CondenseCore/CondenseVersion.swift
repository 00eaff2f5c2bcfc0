/// The version of Condense, recorded in the files it exports so a deployed model says what wrote it.
public enum CondenseVersion {
    public static let current = "0.1.0"
    /// The metadata key exports store it under.
    public static let metadataKey = "condense_version"
}
