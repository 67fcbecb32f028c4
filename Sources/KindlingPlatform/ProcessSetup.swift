/// The process-wide settings that Kindling wants, applied once by the program at start-up (never as a side
/// effect of creating a tensor): OpenBLAS's kernels and glibc's handling of freed memory.
///
/// ```swift
/// import Kindling
///
/// @main
/// struct Tool {
///     static func main() {
///         ProcessSetup.prepareExecutable()  // first thing: may restart the process
///         // ...
///     }
/// }
/// ```
public enum ProcessSetup {
    /// For an executable, first thing in `main`, before any output or work: restarts the process on the
    /// widest OpenBLAS kernels the CPU runs when OpenBLAS chose narrower ones and nothing says otherwise
    /// (`LinearAlgebraBackend.restartWithBestKernelsIfNeeded()`), then keeps freed tensor storage in the
    /// heap for reuse (`HeapRetention`).
    public static func prepareExecutable() {
        LinearAlgebraBackend.restartWithBestKernelsIfNeeded()
        _ = HeapRetention.applied
    }

    /// For a program that cannot be restarted behind its author's back (a host application, a test
    /// runner): keeps freed tensor storage in the heap for reuse, and prints one warning on standard error
    /// when OpenBLAS runs narrower kernels than the CPU has, naming the setting that fixes it.
    public static func prepareInPlace() {
        _ = HeapRetention.applied
        _ = LinearAlgebraBackend.warnedAboutNarrowKernels
    }
}
