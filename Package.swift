// swift-tools-version:6.0
import PackageDescription

// Layers (docs/ARCHITECTURE.md), one folder each under Sources/:
//   Base (TorchBase) -> Backends (TorchCPU, TorchCUDA and their C shims) -> Core (Torch)
//   -> Libraries (TorchNN, TorchOptim, TorchData, TorchIO, the SwiftTorch umbrella) -> Programs.
// Tests mirror them: one test target per library target, over the shared TorchTestSupport.
let optimize: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
let numerics: Target.Dependency = .product(name: "RealModule", package: "swift-numerics")

let package = Package(
    name: "SwiftTorch",
    products: [
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "TorchNN", targets: ["TorchNN", "TorchOptim", "TorchData", "TorchIO"]),
        .library(name: "TorchDistributions", targets: ["TorchDistributions"]),
        .library(name: "TorchONNX", targets: ["TorchONNX"]),
        .library(name: "TorchDistributed", targets: ["TorchDistributed"]),
        // One import for everything: `import SwiftTorch` re-exports Torch and the libraries.
        .library(name: "SwiftTorch", targets: ["SwiftTorch"]),
        .executable(name: "torch-bench", targets: ["TorchBench"]),
        .executable(name: "torch-demo", targets: ["TorchDemo"]),
        .executable(name: "torch-dist-check", targets: ["TorchDistCheck"]),
        .executable(name: "torch-run", targets: ["TorchRun"]),
        .executable(name: "torch-misuse", targets: ["TorchMisuse"]),
        .executable(name: "torch-train", targets: ["TorchTrain"]),
        .executable(name: "torch-gpu-check", targets: ["TorchGPUCheck"]),
        .executable(name: "torch-diff", targets: ["TorchDifferential"]),
        .executable(name: "reinforce-example", targets: ["ReinforceExample"]),
        .executable(name: "vae-example", targets: ["VAEExample"]),
        .executable(name: "mnist-example", targets: ["MNISTExample"]),
        .executable(name: "time-sequence-example", targets: ["TimeSequenceExample"]),
        .executable(name: "word-language-model-example", targets: ["WordLanguageModelExample"]),
        .executable(name: "dcgan-example", targets: ["DCGANExample"]),
        .executable(name: "super-resolution-example", targets: ["SuperResolutionExample"]),
        .executable(name: "pytorch-with-examples-example", targets: ["PyTorchWithExamplesExample"]),
        .executable(name: "nn-tutorial-example", targets: ["NNTutorialExample"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target TorchNN` (the .docc catalogues).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // Base
        .target(name: "TorchBase", dependencies: [numerics], path: "Sources/Base/TorchBase", swiftSettings: optimize),

        // Backends (_CTorch: the CBLAS declarations and the vectorised transcendental kernels)
        .target(
            name: "_CTorch",
            path: "Sources/Backends/_CTorch",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])],
            linkerSettings: [.linkedLibrary("openblas"), .linkedLibrary("m"), .linkedLibrary("dl")]
        ),
        .target(
            name: "TorchCPU",
            dependencies: ["TorchBase", "_CTorch", numerics],
            path: "Sources/Backends/CPU",
            swiftSettings: optimize
        ),
        .target(name: "_CCuda", path: "Sources/Backends/_CCuda", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "TorchCUDA", dependencies: ["TorchBase", "_CCuda"], path: "Sources/Backends/CUDA",
            swiftSettings: optimize),

        // Core
        .target(
            name: "Torch",
            dependencies: ["TorchBase", "TorchCPU", "TorchCUDA", numerics],
            path: "Sources/Core/Torch",
            swiftSettings: optimize
        ),

        // Libraries
        .target(name: "_CZlib", path: "Sources/Libraries/_CZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(
            name: "TorchNN", dependencies: ["Torch", "TorchBase", numerics], path: "Sources/Libraries/TorchNN",
            swiftSettings: optimize
        ),
        .target(
            name: "TorchOptim", dependencies: ["Torch", "TorchBase", numerics], path: "Sources/Libraries/TorchOptim",
            swiftSettings: optimize
        ),
        .target(
            name: "TorchData", dependencies: ["Torch", "TorchBase", "_CZlib"], path: "Sources/Libraries/TorchData",
            swiftSettings: optimize
        ),
        .target(
            name: "TorchIO", dependencies: ["Torch", "TorchBase", "_CZlib"],
            path: "Sources/Libraries/TorchIO", swiftSettings: optimize
        ),
        .target(
            name: "TorchDistributions", dependencies: ["Torch", "TorchBase"],
            path: "Sources/Libraries/TorchDistributions",
            swiftSettings: optimize
        ),
        .target(
            name: "TorchDistributed", dependencies: ["Torch", "TorchBase", "TorchNN", "TorchData"],
            path: "Sources/Libraries/TorchDistributed", linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "TorchONNX", dependencies: ["Torch", "TorchBase", "TorchNN"], path: "Sources/Libraries/TorchONNX",
            swiftSettings: optimize
        ),
        .target(
            name: "SwiftTorch",
            dependencies: [
                "Torch", "TorchNN", "TorchOptim", "TorchData", "TorchIO", "TorchDistributions", "TorchONNX",
                "TorchDistributed",
            ],
            path: "Sources/Libraries/SwiftTorch"
        ),

        // Programs
        .executableTarget(
            name: "TorchTrain",
            dependencies: [
                "Torch", "TorchNN", "TorchOptim", "TorchData", "TorchIO", "SwiftTorch", "TorchONNX", "TorchDistributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Programs/TorchTrain", swiftSettings: optimize
        ),
        .executableTarget(
            name: "TorchGPUCheck",
            dependencies: ["Torch", "TorchBase", "TorchCUDA", "TorchNN", "TorchOptim", "TorchConformance"],
            path: "Sources/Programs/TorchGPUCheck", swiftSettings: optimize
        ),
        .executableTarget(
            name: "TorchBench",
            dependencies: [
                "Torch", "TorchBase", "TorchCPU", "TorchNN", "TorchOptim", "TorchIO", "TorchDistributions", "TorchONNX",
            ],
            path: "Sources/Programs/TorchBench", swiftSettings: optimize
        ),
        .executableTarget(name: "TorchRun", path: "Sources/Programs/TorchRun"),
        .executableTarget(
            name: "TorchDistCheck", dependencies: ["Torch", "TorchNN", "TorchOptim", "TorchDistributed"],
            path: "Sources/Programs/TorchDistCheck"
        ),
        .executableTarget(name: "TorchDemo", dependencies: ["Torch"], path: "Sources/Programs/TorchDemo"),
        .executableTarget(
            name: "TorchMisuse", dependencies: ["Torch", "TorchIO", "TorchNN", "TorchOptim", "TorchDistributions"],
            path: "Sources/Programs/TorchMisuse"),
        .executableTarget(
            name: "TorchDifferential", dependencies: ["Torch", "TorchBase", "TorchNN", "TorchIO"],
            path: "Sources/Programs/TorchDifferential"
        ),

        // Examples (examples/): PyTorch's examples, ported line by line.
        .executableTarget(
            name: "ReinforceExample", dependencies: ["SwiftTorch"], path: "examples/reinforce", exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "VAEExample", dependencies: ["SwiftTorch"], path: "examples/vae", exclude: ["vae.py", "README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "MNISTExample", dependencies: ["SwiftTorch"], path: "examples/mnist", exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "TimeSequenceExample", dependencies: ["SwiftTorch"], path: "examples/time-sequence",
            exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "WordLanguageModelExample", dependencies: ["SwiftTorch"], path: "examples/word-language-model",
            exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "DCGANExample", dependencies: ["SwiftTorch"], path: "examples/dcgan", exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "SuperResolutionExample", dependencies: ["SwiftTorch"], path: "examples/super-resolution",
            exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "PyTorchWithExamplesExample", dependencies: ["SwiftTorch"], path: "examples/pytorch-with-examples",
            exclude: ["README.md"],
            swiftSettings: optimize),
        .executableTarget(
            name: "NNTutorialExample", dependencies: ["SwiftTorch"], path: "examples/nn-tutorial",
            exclude: ["README.md"],
            swiftSettings: optimize),

        // Tests
        .target(name: "TorchTestSupport", dependencies: ["Torch", "TorchBase"], path: "Tests/TorchTestSupport"),
        // The device conformance cases, shared by DeviceConformanceTests and torch-gpu-check.
        .target(name: "TorchConformance", dependencies: ["Torch"], path: "Tests/TorchConformance"),
        .testTarget(name: "TorchBaseTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCPU"]),
        .testTarget(name: "TorchCPUTests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCPU"]),
        .testTarget(name: "TorchCUDATests", dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchCUDA"]),
        .testTarget(
            name: "TorchTests",
            dependencies: [
                "TorchTestSupport", "TorchConformance", "Torch", "TorchBase", "TorchCPU", "TorchIO", "TorchMisuse",
                "TorchDifferential",
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TorchNNTests",
            dependencies: [
                "TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData", "TorchIO",
                "TorchDistributions", "SwiftTorch",
            ]
        ),
        .testTarget(
            name: "TorchOptimTests",
            dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData"]
        ),
        .testTarget(
            name: "TorchDataTests",
            dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData"]
        ),
        .testTarget(
            name: "TorchDistributionsTests",
            dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchDistributions"], exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TorchDistributedTests",
            dependencies: ["TorchTestSupport", "Torch", "TorchData", "TorchDistributed", "TorchDistCheck", "TorchRun"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TorchONNXTests",
            dependencies: ["TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchIO", "TorchONNX"]
        ),
        .testTarget(
            name: "TorchIOTests",
            dependencies: [
                "TorchTestSupport", "Torch", "TorchBase", "TorchNN", "TorchOptim", "TorchData", "TorchIO",
                "SwiftTorch", "TorchMisuse",
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
