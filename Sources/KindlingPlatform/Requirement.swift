/// Stops the program when a caller's mistake is found, printing `Kindling: <message>` on standard error
/// in every build, as the standard library does for an index out of range.
///
/// The standard library's `precondition` drops its message in optimized (`-c release`) builds, so a user
/// of the release build would see the process trap with nothing printed. Every check that guards a
/// caller's mistake (shapes that do not fit, an index out of range, a graph already released) goes
/// through this function instead; the message starts with the operation's name:
///
/// ```swift
/// require(lhs.shape[1] == rhs.shape[0],
///         "matmul: cannot multiply a matrix of shape \(lhs.shape) by one of shape \(rhs.shape)")
/// ```
///
/// Data and files a user supplies are not programmer mistakes: they throw typed errors instead.
@inlinable @inline(__always)
package func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { failRequirement(message()) }
}

/// Stops the program with `Kindling: <message>` on standard error (see `require`).
@usableFromInline @inline(never)
package func failRequirement(_ message: String) -> Never {
    fatalError("Kindling: \(message)")
}
