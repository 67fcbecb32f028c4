import CMPI
import KindlingCore

/// A tensor element type that MPI can send: Float (`MPI_FLOAT`) and Double (`MPI_DOUBLE`).
public protocol DistributedScalar: TensorScalar {
    /// The MPI datatype of one element.
    static var messageType: MPI_Datatype { get }
}

extension Float: DistributedScalar {
    /// `MPI_FLOAT`.
    public static var messageType: MPI_Datatype { kindling_mpi_float() }
}

extension Double: DistributedScalar {
    /// `MPI_DOUBLE`.
    public static var messageType: MPI_Datatype { kindling_mpi_double() }
}
