// swift-tools-version:6.2
import PackageDescription

/// Release builds of the library's targets optimize across them: Tensor<Float> code in KindlingNN or
/// KindlingText is specialized and inlined through KindlingCore's generic operators instead of calling them
/// through witness tables. Code inlined into another module keeps the run-time exclusivity checks of the
/// class properties it touches (the autograd graph's nodes, parameters, optimizer state), which one module
/// could prove away, so release builds of these targets leave those checks out; debug builds keep them.
let crossModuleOptimization: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "Kindling",
    products: [
        .library(name: "Kindling", targets: ["Kindling"]),
        .library(name: "KindlingDistributed", targets: ["KindlingDistributed"]),
        .executable(name: "kindling", targets: ["KindlingCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (Scripts/docs); it adds no code to the products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLinearAlgebra",
            path: "Modules/CLinearAlgebra",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Modules/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Open MPI, for data-parallel training only: a program that does not import KindlingDistributed
        // neither links it nor needs it installed.
        .systemLibrary(
            name: "CMPI",
            path: "Modules/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),
        .target(name: "CVectorKernels", path: "Sources/CVectorKernels"),
        .target(
            name: "KindlingPlatform",
            dependencies: ["CLinearAlgebra", "CVectorKernels"],
            swiftSettings: crossModuleOptimization
        ),
        .target(
            name: "KindlingCore",
            dependencies: ["KindlingPlatform", "CLinearAlgebra", "CVectorKernels"],
            swiftSettings: crossModuleOptimization
        ),
        .target(name: "KindlingNN", dependencies: ["KindlingCore"], swiftSettings: crossModuleOptimization),
        .target(name: "KindlingData", dependencies: ["KindlingNN", "CZlib"], swiftSettings: crossModuleOptimization),
        .target(name: "KindlingText", dependencies: ["KindlingData"], swiftSettings: crossModuleOptimization),
        .target(
            name: "KindlingExperiments",
            dependencies: ["KindlingText"],
            swiftSettings: crossModuleOptimization
        ),
        .target(
            name: "Kindling",
            dependencies: [
                "KindlingPlatform", "KindlingCore", "KindlingNN", "KindlingData", "KindlingText",
                "KindlingExperiments",
            ],
            swiftSettings: crossModuleOptimization
        ),
        .target(
            name: "KindlingDistributed",
            dependencies: ["KindlingNN", "CMPI", "CLinearAlgebra"],
            swiftSettings: crossModuleOptimization
        ),
        .executableTarget(
            name: "KindlingCLI",
            dependencies: [
                "Kindling", "KindlingDistributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "KindlingBench",
            dependencies: ["Kindling", "KindlingDistributed", "CLinearAlgebra", "CVectorKernels"],
            path: "Sources/KindlingBench"
        ),
        .executableTarget(
            name: "KindlingMistakes",
            dependencies: ["Kindling"],
            path: "Sources/KindlingMistakes"
        ),
        // What the test targets share: running the package's executables, temporary folders, and the
        // fixtures (reference results from Scripts/reference, datasets) with their accessor.
        .target(
            name: "KindlingTestSupport",
            path: "Tests/KindlingTestSupport",
            resources: [.copy("Fixtures")]
        ),
        // The program that the distributed tests start under mpirun: one scenario per argument.
        .executableTarget(
            name: "KindlingDistributedWorker",
            dependencies: ["Kindling", "KindlingDistributed"],
            path: "Tests/KindlingDistributedWorker"
        ),
        // The program through which the tests measure a command's peak memory (see its main.swift).
        .executableTarget(name: "PeakMemory", path: "Tests/PeakMemory"),
        // Fast tests, seconds in all: tensors, autograd, operators, initializers, layers, optimizers, readers.
        .testTarget(
            name: "KindlingUnitTests", dependencies: ["Kindling", "KindlingDistributed", "KindlingTestSupport"]
        ),
        // Long training runs and parity with PyTorch over whole runs (curves, published digits, the encoder).
        .testTarget(name: "KindlingRegressionTests", dependencies: ["Kindling", "KindlingTestSupport"]),
        // The executables run as a user would; depending on them makes `swift build --build-tests` build them.
        .testTarget(
            name: "KindlingCommandLineTests",
            dependencies: [
                "Kindling", "KindlingTestSupport", "KindlingCLI", "KindlingMistakes", "KindlingDistributedWorker",
                "PeakMemory",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
