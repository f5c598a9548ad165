// swift-tools-version:6.0
import PackageDescription

/// Hot numeric targets are compiled with -Ounchecked, no errno on math calls (so squareRoot()
/// vectorizes) and the build machine's CPU features. Parsers (Tensors, Datasets, RunFiles) keep
/// Swift's checks: they face untrusted files.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "native", "-Xcc", "-fno-math-errno"],
                 .when(configuration: .release)),
]

let package = Package(
    name: "GrokLab",
    products: [
        .executable(name: "grok-train", targets: ["grok-train"]),
        .executable(name: "grok-analyze", targets: ["grok-analyze"]),
        .executable(name: "grok-report", targets: ["grok-report"]),
        .executable(name: "grok-sweep", targets: ["grok-sweep"]),
        .executable(name: "grok-hysteresis", targets: ["grok-hysteresis"]),
        .library(name: "GrokLab", targets: ["Training", "HTSR", "Diagnostics", "Report", "Runs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Native libraries (Debian: libopenblas-dev, zlib1g-dev).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Foundations: seeded randomness, atomic files, errors, and (Linalg/) the only place
        // that talks to BLAS/LAPACK. Compiled fast: its matrix loops run inside the training
        // step, and it parses no file.
        .target(name: "GrokCore", dependencies: ["COpenBLAS"], swiftSettings: fastMath),

        // File formats. Tensor files (safetensors, npy) and the data sets (IDX images,
        // gzip, the batch order) are read here only.
        .target(name: "Tensors", dependencies: ["GrokCore"]),
        .target(name: "Datasets", dependencies: ["CZlib", "GrokCore"]),
        // TensorBoard's event files: TFRecord framing and the few Event/Summary protobuf fields,
        // written by a small encoder of our own (no protobuf dependency).
        .target(name: "TensorBoard", dependencies: ["GrokCore"]),
        // A run directory's layout, file names and formats: the one owner of every file in it,
        // the checkpoint included, and of their schemas (htsr.csv's rows, phases.json's report),
        // so reading a run needs neither the trainer nor the analysis.
        .target(name: "RunFiles", dependencies: ["Tensors", "TensorBoard", "Datasets", "GrokCore"]),

        // The model (with its progress measures, Model/Measures/) and its training.
        .target(name: "Model", dependencies: ["Tensors", "GrokCore"], swiftSettings: fastMath),
        .target(name: "Optim", dependencies: ["GrokCore"], swiftSettings: fastMath),
        .target(name: "Training",
                dependencies: ["RunFiles", "Datasets", "Model", "Optim", "Tensors", "GrokCore"],
                swiftSettings: fastMath),

        // Analysis: HTSR (matrices in, metrics out), the phase labels, and the diagnostics that
        // run both on a training run; Diagnostics also turns weight files (.safetensors, .npy,
        // a run's snapshots) into the named matrices grok-analyze reads.
        .target(name: "HTSR", dependencies: ["GrokCore"], swiftSettings: fastMath),
        .target(name: "Phases", dependencies: ["RunFiles", "GrokCore"]),
        .target(name: "Diagnostics",
                dependencies: ["Training", "RunFiles", "HTSR", "Phases", "Model", "Tensors", "GrokCore"]),
        // Presentation: charts and the run report.
        .target(name: "Charts", dependencies: ["GrokCore"]),
        .target(name: "Report", dependencies: ["RunFiles", "Charts", "Phases", "HTSR", "Tensors", "GrokCore"]),
        // arXiv 2606.17120: deep linear networks, L2 hysteresis and noise-driven escape.
        .target(name: "Hysteresis", dependencies: ["Charts", "GrokCore"], swiftSettings: fastMath),

        // Orchestration: one training run, start or resume to report (what grok-train runs), and
        // sweeps (Sweep/): grids of grok-train runs as child processes or a Slurm array, and
        // their summary.
        .target(name: "Runs", dependencies: ["RunFiles", "Training", "Diagnostics", "Phases", "Report", "Charts", "Datasets", "Model", "Tensors", "GrokCore"]),

        // What ablating a layer's correlation traps does to the model (grok-analyze traps).
        .target(name: "TrapEffects", dependencies: ["RunFiles", "Diagnostics", "HTSR", "Training", "Datasets", "Model", "Tensors", "GrokCore"]),

        // Thin command-line tools, and what they share (one-line errors, BLAS kernel choice).
        .target(name: "ToolSupport", dependencies: [
            "RunFiles", "GrokCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "grok-train", dependencies: [
            "Runs", "RunFiles", "Training", "Diagnostics", "Datasets", "Model", "GrokCore", "ToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "grok-analyze", dependencies: [
            "HTSR", "RunFiles", "Tensors", "Charts", "Report", "Diagnostics", "Phases", "GrokCore", "ToolSupport",
            "TrapEffects",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "grok-report", dependencies: [
            "Report", "RunFiles", "ToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "grok-sweep", dependencies: [
            "Runs", "GrokCore", "ToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "grok-hysteresis", dependencies: [
            "Hysteresis", "Charts", "GrokCore", "ToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // What the test suites share: running the built tools, and what "under CI" means.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HysteresisTests", dependencies: ["Hysteresis", "GrokCore"]),
        .testTarget(name: "GrokCoreTests", dependencies: ["GrokCore"]),
        .testTarget(name: "DatasetsTests", dependencies: ["TestSupport", "Datasets", "GrokCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Tensors", "GrokCore"]),
        .testTarget(name: "OptimTests", dependencies: ["Optim"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "RunFilesTests", dependencies: ["RunFiles", "HTSR", "Phases", "Tensors", "GrokCore"]),
        .testTarget(name: "TensorBoardTests", dependencies: ["TestSupport", "TensorBoard", "RunFiles", "GrokCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["TestSupport", "Training", "RunFiles", "Datasets", "Tensors", "Model", "Optim", "GrokCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "HTSRTests", dependencies: ["HTSR", "GrokCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PhasesTests", dependencies: ["Phases", "RunFiles"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "HTSR", "RunFiles", "Training", "Datasets", "Model", "Phases", "Tensors"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "GrokCore"]),
        .testTarget(name: "RunsTests", dependencies: ["TestSupport", "Runs", "RunFiles", "Training", "Report", "Diagnostics", "GrokCore"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "RunFiles", "Charts", "Tensors", "GrokCore"]),
        .testTarget(name: "TrapEffectsTests", dependencies: ["TrapEffects", "HTSR", "Training", "RunFiles", "Datasets", "Tensors", "GrokCore"]),
        // The README's target graph, docs/flags.md and the experiments' tables against what makes them.
        .testTarget(name: "RepositoryTests", dependencies: ["TestSupport"]),
        .testTarget(name: "AnalyzeToolTests", dependencies: ["TestSupport", "Tensors", "GrokCore"], resources: [.copy("Fixtures")]),
    ]
)
