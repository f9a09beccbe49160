// swift-tools-version:6.0
import PackageDescription

// Layers (see ../shared/DESIGN.md): TorchBase -> TorchCPU (backend) -> Torch (core).
// _CTorch holds the C shims: the CBLAS declarations and the vectorised transcendental kernels.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "SwiftTorch",
    products: [
        .library(name: "Torch", targets: ["Torch"]),
        .executable(name: "torch-bench", targets: ["TorchBench"]),
        .executable(name: "torch-demo", targets: ["TorchDemo"]),
        .executable(name: "torch-misuse", targets: ["TorchMisuse"]),
        .executable(name: "torch-train", targets: ["TorchTrain"]),
        .executable(name: "torch-gpu-check", targets: ["TorchGPUCheck"]),
        .executable(name: "torch-diff", targets: ["TorchDifferential"]),
        .library(name: "TorchNN", targets: ["TorchNN", "TorchOptim", "TorchData", "TorchIO"]),
        // One import for everything: `import SwiftTorch` re-exports Torch, TorchNN, TorchOptim, TorchData, TorchIO.
        .library(name: "SwiftTorch", targets: ["SwiftTorch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        .target(
            name: "_CTorch",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])],
            linkerSettings: [.linkedLibrary("openblas"), .linkedLibrary("m")]
        ),
        .target(
            name: "TorchBase",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimize
        ),
        .target(
            name: "TorchCPU",
            dependencies: ["TorchBase", "_CTorch", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimize
        ),
        .target(
            name: "Torch",
            dependencies: ["TorchBase", "TorchCPU", "TorchCUDA", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimize
        ),
        .target(name: "_CZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "_CCuda", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "TorchCUDA", dependencies: ["TorchBase", "_CCuda"], swiftSettings: optimize),
        .target(name: "TorchNN", dependencies: ["Torch", "TorchBase", .product(name: "RealModule", package: "swift-numerics")], swiftSettings: optimize),
        .target(name: "TorchOptim", dependencies: ["Torch", "TorchBase", .product(name: "RealModule", package: "swift-numerics")], swiftSettings: optimize),
        .target(name: "TorchIO", dependencies: ["Torch", "TorchBase", "TorchNN", "TorchOptim", "_CZlib"], swiftSettings: optimize),
        .target(name: "SwiftTorch", dependencies: ["Torch", "TorchNN", "TorchOptim", "TorchData", "TorchIO"]),
        .target(name: "TorchData", dependencies: ["Torch", "TorchBase", "_CZlib"], swiftSettings: optimize),
        .executableTarget(name: "TorchTrain", dependencies: ["Torch", "TorchNN", "TorchOptim", "TorchData", "TorchIO"], swiftSettings: optimize),
        .executableTarget(name: "TorchGPUCheck", dependencies: ["Torch", "TorchBase", "TorchCUDA", "TorchNN", "TorchOptim"], swiftSettings: optimize),
        .executableTarget(name: "TorchBench", dependencies: ["Torch", "TorchBase", "TorchCPU", "TorchNN", "TorchOptim", "TorchIO"], swiftSettings: optimize),
        .executableTarget(name: "TorchDemo", dependencies: ["Torch"]),
        .executableTarget(name: "TorchMisuse", dependencies: ["Torch", "TorchIO"]),
        .executableTarget(name: "TorchDifferential", dependencies: ["Torch", "TorchBase", "TorchNN", "TorchIO"]),
        // Tests mirror the sources: one test target per library target, sharing TorchTestSupport.
        .target(name: "TorchTestSupport", dependencies: ["Torch", "TorchBase"], path: "Tests/TorchTestSupport"),
        .testTarget(name: "TorchBaseTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCPU"]),
        .testTarget(name: "TorchCPUTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCPU"]),
        .testTarget(name: "TorchCUDATests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCUDA"]),
        .testTarget(name: "TorchTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCPU", "TorchIO", "TorchMisuse", "TorchDifferential"],
            exclude: ["Fixtures"]),
        .testTarget(name: "TorchNNTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData"]),
        .testTarget(name: "TorchOptimTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData"]),
        .testTarget(name: "TorchDataTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData"]),
        .testTarget(name: "TorchIOTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData", "TorchIO", "TorchMisuse"]),
    ],
    swiftLanguageModes: [.v5]
)
