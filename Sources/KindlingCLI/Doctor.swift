import ArgumentParser
import Kindling

/// `kindling doctor`: what Kindling computes on (the linear-algebra backend) and why those kernels.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the linear-algebra backend: OpenBLAS version and build, kernels, threads, and the CPU.",
        discussion: """
            When OpenBLAS runs narrower kernels than the CPU supports (a newer CPU than the OpenBLAS release knows), \
            kindling restarts itself once with OPENBLAS_CORETYPE set to the best core for the CPU's features. \
            A user's own OPENBLAS_CORETYPE always wins; KINDLING_KEEP_OPENBLAS_CORE=1 turns the choice off.
            """
    )

    @Flag(
        help:
            "Print only the environment settings Kindling chose for OpenBLAS (NAME=value, space-separated; nothing when it chose none), for scripts that start other programs."
    )
    var environment = false

    func run() throws {
        let backend = LinearAlgebraBackend.current
        if environment {
            if case .setByKindling(let detected) = backend.coreSource {
                print("OPENBLAS_CORETYPE=\(backend.core) \(LinearAlgebraBackend.detectedCoreVariable)=\(detected)")
            }
            return
        }
        print("Kindling \(kindlingVersion)")
        print(backend)
        print("CPU features: \(backend.cpuFeatures)")
        if case .setByKindling = backend.coreSource {
            print("Kindling chose \(backend.core): the widest kernels of this OpenBLAS that the CPU can run.")
            return
        }
        switch backend.decision {
        case .keep(let reason): print("Kindling keeps these kernels: \(reason).")
        case .use(let core):
            print("Kindling would set OPENBLAS_CORETYPE=\(core.rawValue) (this process could not restart).")
        }
    }
}
