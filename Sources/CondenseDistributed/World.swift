import Foundation

/// The job this process belongs to. Launched by Open MPI's `mpirun` (which sets `OMPI_COMM_WORLD_SIZE`), it is
/// MPI's world, initialized on first use; otherwise it is this process alone, and MPI is never initialized, so
/// Condense without `mpirun` behaves exactly as a single-process program.
public enum World {
    public static let group: any ProcessGroup = launchedGroup()

    /// Whether `mpirun` started this process (so that `group` will initialize MPI).
    public static var isLaunchedByMPI: Bool {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
    }

    private static func launchedGroup() -> any ProcessGroup {
        guard isLaunchedByMPI else { return SingleProcess() }
        do {
            return try MPIProcessGroup()
        } catch {
            FileHandle.standardError.write(Data("condense: cannot join the MPI job: \(error)\n".utf8))
            exit(1)
        }
    }
}
