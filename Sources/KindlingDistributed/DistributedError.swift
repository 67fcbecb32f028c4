/// Why a collective operation or the set-up of data-parallel training failed; the message names the rank
/// that saw it.
public struct DistributedError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, for the user.
    public let description: String

    /// An error with the message `description`.
    public init(_ description: String) { self.description = description }
}
