// OpenMPI through a few inline functions: MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM and friends are macros over
// OpenMPI's internal symbols, which Swift cannot import. Every call uses the world communicator, whose error
// handler is set to return codes instead of aborting, so that Swift reports a failure with a message.
#include <mpi.h>

static inline int peergrid_mpi_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

static inline int peergrid_mpi_init(void) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return rc;
}

static inline int peergrid_mpi_finalize(void) { return MPI_Finalize(); }

static inline int peergrid_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static inline int peergrid_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

static inline int peergrid_mpi_bcast_doubles(double *buffer, int count) {
    return MPI_Bcast(buffer, count, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

/// Sums `count` doubles over the ranks into rank 0's `receive` (ignored elsewhere).
static inline int peergrid_mpi_reduce_sum(const double *send, double *receive, int count) {
    return MPI_Reduce(send, receive, count, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
}

/// Gathers every rank's `count` bytes at rank 0: first the counts, then the bytes.
static inline int peergrid_mpi_gather_counts(int count, int *counts) {
    return MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

static inline int peergrid_mpi_gather_bytes(const unsigned char *send, int count, unsigned char *receive,
                                            const int *counts, const int *offsets) {
    return MPI_Gatherv(send, count, MPI_BYTE, receive, counts, offsets, MPI_BYTE, 0, MPI_COMM_WORLD);
}
