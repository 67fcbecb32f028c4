// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kindling",
    products: [
        .library(name: "Kindling", targets: ["Kindling"]),
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
        .target(name: "CVectorKernels", path: "Sources/CVectorKernels"),
        .target(name: "Kindling", dependencies: ["CLinearAlgebra", "CZlib", "CVectorKernels"]),
        .executableTarget(
            name: "KindlingCLI",
            dependencies: [
                "Kindling",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "KindlingBench",
            dependencies: ["Kindling", "CLinearAlgebra"],
            path: "Sources/KindlingBench"
        ),
        .executableTarget(
            name: "KindlingMistakes",
            dependencies: ["Kindling"],
            path: "Sources/KindlingMistakes"
        ),
        .testTarget(
            name: "KindlingTests",
            dependencies: ["Kindling"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
