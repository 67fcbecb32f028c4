import Foundation

/// The executables of this package as the test run built them.
public enum Products {
    /// The folder of the build's products: the executables, the test bundle and this target's resources.
    public static var folder: URL { Bundle.module.bundleURL.deletingLastPathComponent() }

    /// The root of the package (the folder of Package.swift), from where this file lies in it.
    public static var packageFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The executable product `name` built beside the tests (the test targets depend on the executables they
    /// run, so `swift build --build-tests` builds them); throws when it is missing.
    public static func executable(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [
                    NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey:
                        "no executable \(name) in \(folder.path): build with `swift build --build-tests`",
                ])
        }
        return url
    }

    /// The executable product `name` in a release build: the one beside the tests when this run is a
    /// release build (Scripts/test), else built now with `swift build -c release` into the scratch folder
    /// `.build-release-tests` of the package (kept apart from the debug build, which this run holds locked).
    /// Throws with the compiler's output when that build fails.
    public static func releaseExecutable(_ name: String) throws -> URL {
        #if DEBUG
            let scratch = packageFolder.appendingPathComponent(".build-release-tests")
            let build = try runProcess(
                URL(fileURLWithPath: "/usr/bin/env"),
                arguments: [
                    "swift", "build", "-c", "release", "--product", name,
                    "--package-path", packageFolder.path, "--scratch-path", scratch.path,
                ],
                timeout: 3600)
            guard build.status == 0 else {
                throw CocoaError(
                    .executableLoad,
                    userInfo: [
                        NSLocalizedDescriptionKey:
                            "swift build -c release --product \(name) failed:\n\(build.output)\(build.errors)"
                    ])
            }
            let url = scratch.appendingPathComponent("release").appendingPathComponent(name)
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
            }
            return url
        #else
            return try executable(name)
        #endif
    }

    /// Runs the `kindling` executable with `arguments`, in `environment` when given (this process's otherwise).
    public static func kindling(
        arguments: [String], environment: [String: String]? = nil, input: Data? = nil, timeout: Double = 900
    ) throws -> ProcessOutcome {
        try runProcess(
            executable("kindling"), arguments: arguments, environment: environment, input: input,
            timeout: timeout)
    }
}
