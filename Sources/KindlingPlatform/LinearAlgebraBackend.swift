import CLinearAlgebra
import CVectorKernels

#if canImport(Glibc)
    import Glibc
#endif

/// The linear-algebra library under Kindling as this process runs it: OpenBLAS's version and build, the
/// kernel set ("core") it chose, its thread count, the CPU's instruction sets read from cpuid, and the
/// instruction set of Kindling's own vectorized Float kernels (GELU, softmax, layer norm, batch norm, max pooling).
///
/// ```swift
/// print(LinearAlgebraBackend.current)
/// // OpenBLAS 0.3.21 (DYNAMIC_ARCH NO_AFFINITY MAX_THREADS=64), 2 threads
/// // kernels: SkylakeX, set by Kindling (OpenBLAS detected Prescott)
/// // CPU: AVX-512 (F, CD, BW, DQ, VL) + BF16
/// // Kindling's Float kernels: AVX-512 (x86-64-v4)
/// ```
public struct LinearAlgebraBackend: Sendable, CustomStringConvertible {
    /// How the running kernel set was chosen.
    public enum CoreSource: Equatable, Sendable {
        /// OpenBLAS detected the CPU itself.
        case detectedByOpenBLAS
        /// OPENBLAS_CORETYPE was set by the user (or the environment) to this value.
        case setByUser(String)
        /// Kindling set OPENBLAS_CORETYPE and restarted the process; OpenBLAS had detected this core.
        case setByKindling(detected: String)
    }

    /// The library and its version, "OpenBLAS 0.3.21".
    public let library: String
    /// `openblas_get_config()` in full: version, build options, and the core in use.
    public let configuration: String
    /// The kernel set in use, as `openblas_get_corename()` names it ("SkylakeX", "Haswell", "Prescott").
    public let core: String
    /// How `core` was chosen.
    public let coreSource: CoreSource
    /// The number of threads OpenBLAS runs a product on (`openblas_get_num_threads()`).
    public let threads: Int
    /// The CPU's instruction-set extensions.
    public let cpuFeatures: CPUFeatures
    /// The build of Kindling's vectorized Float kernels that the loader chose for this CPU:
    /// "AVX-512 (x86-64-v4)", "AVX2 (x86-64-v3)" or "SSE2 (x86-64)" ("baseline" off x86-64 Linux).
    public let vectorKernels: String

    /// The environment variable through which a process that Kindling restarted knows what OpenBLAS had
    /// detected; its presence also stops a second restart.
    public static let detectedCoreVariable = "KINDLING_OPENBLAS_DETECTED_CORE"
    /// The environment variable that turns Kindling's choice of kernels off (any non-empty value).
    public static let keepCoreVariable = "KINDLING_KEEP_OPENBLAS_CORE"

    /// The backend of this process.
    public static var current: LinearAlgebraBackend {
        let configuration = String(cString: openblas_get_config())
        let words = configuration.split(separator: " ")
        let library = words.count >= 2 ? "\(words[0]) \(words[1])" : configuration
        let core = String(cString: openblas_get_corename())
        let source: CoreSource
        switch (environment("OPENBLAS_CORETYPE"), environment(detectedCoreVariable)) {
        case (_?, let detected?):
            source = .setByKindling(detected: detected)
        case (let user?, nil):
            source = .setByUser(user)
        case (nil, _):
            source = .detectedByOpenBLAS
        }
        return LinearAlgebraBackend(
            library: library, configuration: configuration, core: core, coreSource: source,
            threads: Int(openblas_get_num_threads()), cpuFeatures: .current,
            vectorKernels: String(cString: kindling_vector_kernel_level()))
    }

    /// Whether OPENBLAS_CORETYPE can change the kernels (the library was built with DYNAMIC_ARCH).
    public var isDynamicArch: Bool { configuration.split(separator: " ").contains("DYNAMIC_ARCH") }

    /// What Kindling would do about the kernels in this process (`KernelDecision.decide` on its state).
    public var decision: KernelDecision {
        KernelDecision.decide(
            features: cpuFeatures, runningCore: core, selectable: OpenBLASCore.selectable,
            userCoreType: Self.environment("OPENBLAS_CORETYPE"), dynamicArch: isDynamicArch,
            disabled: Self.environment(Self.keepCoreVariable) != nil)
    }

    /// Four lines: library, build options and threads; the kernels and who chose them; the CPU; Kindling's
    /// own Float kernels.
    public var description: String {
        let options = configuration.split(separator: " ").dropFirst(2).filter { $0 != Substring(core) }
        let chosen: String
        switch coreSource {
        case .detectedByOpenBLAS: chosen = "detected by OpenBLAS"
        case .setByUser(let value): chosen = "OPENBLAS_CORETYPE=\(value) set by the user"
        case .setByKindling(let detected): chosen = "set by Kindling (OpenBLAS detected \(detected))"
        }
        return """
            \(library) (\(options.joined(separator: " "))), \(threads) thread\(threads == 1 ? "" : "s")
            kernels: \(core), \(chosen)
            CPU: \(cpuFeatures.bestInstructionSet)
            Kindling's Float kernels: \(vectorKernels)
            """
    }

    /// For an executable: when OpenBLAS runs narrower kernels than the CPU supports and nothing says
    /// otherwise (`decision`), sets OPENBLAS_CORETYPE to the best core and replaces the process with a fresh
    /// run of the same executable and arguments, so that OpenBLAS reads the setting when it loads; returns
    /// otherwise. Call it first thing in `main`, before any output or work.
    ///
    /// OpenBLAS reads OPENBLAS_CORETYPE once, in a library constructor that runs when the program loads:
    /// setting it from inside the running process changes nothing, hence the restart. The restarted process
    /// finds `detectedCoreVariable` set and never restarts again. Linux only (it executes /proc/self/exe).
    public static func restartWithBestKernelsIfNeeded() {
        #if os(Linux)
            guard environment(detectedCoreVariable) == nil else { return }
            let backend = current
            guard let core = backend.decision.core else { return }
            setenv("OPENBLAS_CORETYPE", core.rawValue, 1)
            setenv(detectedCoreVariable, backend.core, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            let reason = String(cString: strerror(errno))
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv(detectedCoreVariable)
            printToStandardError(
                "Kindling: could not restart with OPENBLAS_CORETYPE=\(core.rawValue) (\(reason)); "
                    + narrowKernelsAdvice(backend: backend, core: core))
        #endif
    }

    /// Prints, once per process, a warning on standard error when OpenBLAS runs narrower kernels than the
    /// CPU supports and nothing says otherwise: programs that import Kindling start OpenBLAS before
    /// Kindling runs, so only the user can set OPENBLAS_CORETYPE in time. Evaluated by
    /// `ProcessSetup.prepareInPlace()`.
    static let warnedAboutNarrowKernels: Bool = {
        let backend = current
        guard let core = backend.decision.core else { return false }
        printToStandardError("Kindling: " + narrowKernelsAdvice(backend: backend, core: core))
        return true
    }()

    private static func narrowKernelsAdvice(backend: LinearAlgebraBackend, core: OpenBLASCore) -> String {
        """
        \(backend.library) runs its \(backend.core) kernels on this CPU, which has \
        \(backend.cpuFeatures.bestInstructionSet). Start the program with OPENBLAS_CORETYPE=\(core.rawValue) \
        in its environment for the \(core.rawValue) kernels (matrix products several times faster: 5-8x for a \
        1024 x 1024 Float product on an AVX-512 Xeon, 2-4x for training). Set \(keepCoreVariable)=1 to keep \
        the current kernels without this message.

        """
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private static func printToStandardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
