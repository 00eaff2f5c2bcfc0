// Open MPI's C API for Swift. Open MPI spells MPI_COMM_WORLD, MPI_FLOAT, MPI_DOUBLE, MPI_BYTE, MPI_SUM and MPI_IN_PLACE
// as macros over its internal symbols, which Swift cannot import; these inline functions use them on Swift's behalf.
// Every function returns MPI's error code (MPI_SUCCESS, 0, on success).
#include <mpi.h>

static inline int condense_mpi_init_serialized(int *provided) {
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
}

static inline int condense_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }

static inline int condense_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }

static inline int condense_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

/// Sums `count` floats element-wise over every rank, in place.
static inline int condense_mpi_allreduce_sum_float(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

/// Sums `count` doubles element-wise over every rank, in place.
static inline int condense_mpi_allreduce_sum_double(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

/// Copies `count` bytes from rank `root` to every other rank.
static inline int condense_mpi_broadcast_bytes(void *bytes, int count, int root) {
    return MPI_Bcast(bytes, count, MPI_BYTE, root, MPI_COMM_WORLD);
}

static inline int condense_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/// Ends every rank of the job with `code` (Open MPI's mpirun then exits non-zero).
static inline int condense_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

static inline int condense_mpi_finalize(void) { return MPI_Finalize(); }
