// Open MPI's C API, found through pkg-config (ompi-c), for the KindlingDistributed target. MPI's predefined
// handles (MPI_COMM_WORLD, the datatypes, the reduction operations, MPI_IN_PLACE, MPI_ERRORS_RETURN) are
// macros over addresses of library globals, which Swift cannot import; these functions return them.
#include <mpi.h>

static inline MPI_Comm kindling_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype kindling_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype kindling_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype kindling_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype kindling_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op kindling_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op kindling_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op kindling_mpi_min(void) { return MPI_MIN; }
static inline void *kindling_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Info kindling_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Errhandler kindling_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Request kindling_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *kindling_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *kindling_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
