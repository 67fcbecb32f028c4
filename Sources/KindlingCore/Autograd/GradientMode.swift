#if canImport(Glibc)
    import Glibc
#endif

/// Whether operations record the graph. Recording is on by default; `withoutGradient` turns it off for
/// a scope on the current thread (initialization, evaluation, optimizer updates), as `torch.no_grad()`.
public enum GradientMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// True when operations on tensors that require gradients record the graph on this thread.
    public static var isEnabled: Bool { pthread_getspecific(key) == nil }

    package static func set(enabled: Bool) {
        pthread_setspecific(key, enabled ? nil : UnsafeRawPointer(bitPattern: 1))
    }
}

/// Runs `body` with graph recording off on this thread (like `with torch.no_grad():`), restoring the
/// previous mode afterwards.
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradientMode.isEnabled
    GradientMode.set(enabled: false)
    defer { GradientMode.set(enabled: previous) }
    return try body()
}
