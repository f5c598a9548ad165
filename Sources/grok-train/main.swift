import ArgumentParser
import Foundation
import GrokCore
import Linalg
import Datasets
import Model
import Training
import Diagnostics
import Phases
import Report
import ToolSupport

/// `grok-train`: trains the grokking MLP from scratch and records a run directory.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-train",
        abstract: "Train the grokking MLP on real MNIST; record metrics, snapshots, checkpoints.",
        discussion: """
        Examples:
          grok-train --preset omnigrok --steps 1e5   grokking in minutes (Omnigrok)
          grok-train --preset paper                  the HTSR paper's 10^7-step run
          grok-train --steps 1e7 --wd 0.01           the paper's weight-decay control
          grok-train --resume --out runs/NAME        continue a stopped or killed run
          grok-train bench                           steps/s, f32/f64, 1 and 2 threads

        Without --preset the paper's settings are the defaults; flags override a preset.

        Data: by default the 5,000 real MNIST images shipped in Data/: train = 1,000
        (100 per digit, drawn with the seed), test = the other 4,000 images (NOT the
        10,000-image MNIST test set). --data-dir with the four standard MNIST files
        gives the paper's exact split (test = the full 10,000).

        Output (--out): config.json, metrics.csv (one row per evaluation, flushed at
        once), timing.csv, snapshots/step-<10 digits>.safetensors (PyTorch names and
        layouts), checkpoint.safetensors. Ctrl-C writes a checkpoint and stops.
        """,
        subcommands: [Bench.self])

    @Option(help: "Preset hyperparameters: paper (Prakash & Martin: lr 5e-4, wd 0, cycled batches, balanced subset, 1e7 steps) or omnigrok (lr 1e-3, wd 0.01, reshuffled batches, first 1,000 images, 1e5 steps). Flags override.")
    var preset: TrainingConfig.Preset?

    @Option(help: "Optimizer steps, e.g. 1e7, 10000000 or 10_000_000. (default: 1e7; omnigrok 1e5)")
    var steps: String?

    @Option(help: "Learning rate. (default: 5e-4; omnigrok 1e-3)")
    var lr: Double?

    @Option(help: "Weight decay: decoupled for AdamW, L2 for SGD. (default: 0; omnigrok 0.01)")
    var wd: Double?

    @Option(help: "adamw or sgd. (default: adamw)")
    var optimizer: TrainingConfig.OptimizerKind?

    @Option(help: "SGD momentum. (default: 0)")
    var momentum: Double?

    @Option(help: "mse (on one-hot targets, the paper's) or ce (cross-entropy). (default: mse)")
    var loss: Loss?

    @Option(help: "f64 (the paper's) or f32. (default: f64)")
    var dtype: TrainingConfig.Precision?

    @Option(help: "Layer widths, input to output. (default: 784,200,200,10)")
    var widths: String?

    @Option(help: "Every initial parameter (PyTorch's nn.Linear init) is multiplied by this. (default: 8; the authors' notebook used 4)")
    var initScale: Double?

    @Option(help: "Minibatch size. (default: 200)")
    var batchSize: Int?

    @Option(help: "cycle (the authors' code: the same shuffled batches replayed forever) or reshuffle (a new order every epoch, Omnigrok). (default: cycle; omnigrok reshuffle)")
    var batchOrder: String?

    @Option(help: "Training images. (default: 1000)")
    var trainSize: Int?

    @Option(help: "balanced (the same count per digit, drawn with the seed) or first (the first N images). (default: balanced; omnigrok first)")
    var subset: String?

    @Option(help: "mnist or fashion (Fashion-MNIST from Debian's dataset-fashion-mnist). (default: mnist)")
    var dataset: TrainingConfig.Dataset?

    @Option(help: "Folder with the four standard MNIST IDX files (gzip or raw): train is drawn from the 60,000 and test is the full 10,000, as in the paper. (default: the embedded 5,000 images)")
    var dataDir: String?

    @Option(help: "Random seed for the split, the init and the batch order. (default: 0)")
    var seed: UInt64?

    @Option(help: "Evaluations/snapshots spread evenly in log(step), plus step 0 and the last step. (default: 200)")
    var snapshots: Int?

    @Option(help: "log (see --snapshots) or authors (every step below 30, every 10 to 140, then every ceil(steps/150)). (default: log)")
    var schedule: EvaluationSchedule?

    @Option(help: "Threads for BLAS and the element-wise loops. (default: all cores)")
    var threads: Int?

    @Option(help: "HTSR analysis of every snapshot: off, plain (WeightWatcher's defaults plus seeded randomization for traps) or paper (clip_xmax finger fixing plus seeded randomization, as the paper). (default: paper)")
    var htsr: HTSRMode?

    @Option(help: "Activation sparsity: a first-layer activation below this counts as off. (default: 1.0)")
    var sparsityThreshold: Double?

    @Option(help: "Phases: train accuracy at or above this counts as fitted. (default: 0.99)")
    var fitThreshold: Double?

    @Option(help: "Phases: anti-grokking = test accuracy this far (absolute) below its running peak while train stays fitted. (default: 0.1)")
    var collapseDrop: Double?

    @Option(help: "Phases: ... for this many consecutive evaluations. (default: 3)")
    var collapseSustain: Int?

    @Option(help: "Phases: grokking starts when test accuracy has covered this fraction of the plateau-to-peak gap. (default: 0.1)")
    var riseFraction: Double?

    @Option(help: "Phases: grokked when it has covered this fraction. (default: 0.9)")
    var grokkedFraction: Double?

    @Option(help: "HTSR phases: the trap count the rule reads: centered (the weight mean's spike removed) or weightwatcher (num_traps as WeightWatcher counts it). (default: centered)")
    var htsrTraps: TrapCount?

    @Option(help: "HTSR phases: the rule reads each layer's alpha as a causal running median over this many decades of step (0 = the raw per-snapshot alpha). (default: 0.1)")
    var htsrAlphaWindow: Double?

    @Option(help: "Run directory. (default: runs/<date>-<hyperparameter tag>)")
    var out: String?

    @Flag(help: "Continue the run in --out from its checkpoint (its config.json gives the settings).")
    var resume = false

    @Flag(help: "Overwrite an existing run directory.")
    var force = false

    @Flag(help: "No progress line or log lines, only the summary.")
    var quiet = false

    @Flag(help: "Do not build figures/ and report.html when the run ends (grok-report RUN_DIR builds them at any time).")
    var noReport = false

    func makeConfig() throws -> TrainingConfig {
        var c = TrainingConfig.preset(preset)
        if let s = steps { c.steps = try StepCount.parse(s) }
        if let v = lr { c.lr = v }
        if let v = wd { c.wd = v }
        if let v = optimizer { c.optimizer = v }
        if let v = momentum { c.momentum = v }
        if let v = loss { c.loss = v }
        if let v = dtype { c.dtype = v }
        if let w = widths {
            let parts = w.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw GrokError("--widths must be comma-separated integers like 784,200,200,10; got '\(w)'")
            }
            c.widths = parts.map { $0! }
        }
        if let v = initScale { c.initScale = v }
        if let v = batchSize { c.batchSize = v }
        if let v = batchOrder { c.batchOrder = v }
        if let v = trainSize { c.trainSize = v }
        if let v = subset { c.subset = v }
        if let v = dataset { c.dataset = v }
        if let v = dataDir { c.dataDir = v }
        if let v = seed { c.seed = v }
        if let v = snapshots { c.snapshots = v }
        if let v = schedule { c.schedule = v }
        if let v = threads { c.threads = v }
        try c.validate()
        return c
    }

    func makeDiagnostics() throws -> DiagnosticsSettings {
        var d = DiagnosticsSettings()
        if let v = htsr { d.htsr = v }
        if let v = sparsityThreshold { d.sparsityThreshold = v }
        if let v = fitThreshold { d.trainFit = v }
        if let v = collapseDrop { d.collapseDrop = v }
        if let v = collapseSustain { d.collapseSustain = v }
        if let v = riseFraction { d.riseFraction = v }
        if let v = grokkedFraction { d.grokkedFraction = v }
        if let v = htsrTraps { d.htsrTraps = v }
        if let v = htsrAlphaWindow { d.htsrAlphaWindow = v }
        try d.validate()
        return d
    }

    func run() throws {
        if let w = BLASRuntime.slowKernelWarning { note(w) }
        var config: TrainingConfig
        var diagnostics: DiagnosticsSettings
        let directory: RunDirectory
        if resume {
            guard let out else { throw GrokError("--resume needs --out DIR, the run directory to continue") }
            directory = RunDirectory(URL(fileURLWithPath: out))
            config = try directory.readConfig()
            diagnostics = try DiagnosticsSettings.read(configURL: directory.configURL)
            if let t = threads { config.threads = t }
            let ignored = [steps, lr.map { "\($0)" }, wd.map { "\($0)" }, widths, batchOrder, subset].compactMap { $0 }
            if !ignored.isEmpty || preset != nil {
                note("note: --resume takes its hyperparameters from \(directory.configURL.path); other flags are ignored")
            }
        } else {
            config = try makeConfig()
            diagnostics = try makeDiagnostics()
            let name = out ?? "runs/\(Self.timestamp())-\(config.tag)"
            directory = RunDirectory(URL(fileURLWithPath: name))
        }

        // Data first: a bad data folder must fail before any file is written.
        let data = try MNIST.load(config.dataSource, trainSize: config.trainSize,
                                  subset: config.subsetMode, seed: config.seed)
        try config.validate(features: data.train.features, classes: 10)

        if !resume {
            try directory.create(force: force)
            try directory.writeConfig(config, extra: [
                "train_size": data.train.count,
                "test_size": data.test.count,
                "data_source": data.sourceDescription,
                "data_path": data.sourcePath,
                "command_line": CommandLine.arguments.map(Self.shellQuote).joined(separator: " "),
                "version": GrokLabVersion.string,
                "blas_core": BLASRuntime.coreName,
                "started": ISO8601DateFormatter().string(from: Date()),
                "evaluation_steps": config.schedule.steps(total: config.steps, snapshots: config.snapshots).count,
                "diagnostics": diagnostics.jsonObject,
            ])
        }
        let progress = ProgressReporter(totalSteps: config.steps, quiet: quiet)
        progress.message("\(resume ? "resuming" : "training") \(directory.url.path): \(config.widths.map(String.init).joined(separator: "-")) \(config.dtype.rawValue) \(config.optimizer.rawValue) lr \(config.lr) wd \(config.wd), \(config.steps) steps; \(data.sourceDescription); BLAS \(BLASRuntime.coreName) x\(config.threads)")

        StopSignal.install()
        let observer = RunDiagnostics(shape: try MLPShape(widths: config.widths),
                                      configuration: diagnostics.configuration)
        let result = try Trainer.run(config: config, data: data, directory: directory, resume: resume,
                                     observers: [observer], progress: progress)
        for line in result.summary { print(line) }
        if !noReport {
            let t0 = Date()
            var options = ReportOptions()
            options.seed = config.seed
            do {
                let report = try RunReport.build(runDirectory: directory.url, options: options)
                for w in report.warnings { note("report: \(w)") }
                if let r = report.report {
                    print(String(format: "report: %@ (%d files, %.1f s)", r.path, report.files.count, Date().timeIntervalSince(t0)))
                }
            } catch {
                note("report: not built (\(error)); try grok-report \(directory.url.path)")
            }
        }
        switch result.outcome {
        case .completed:
            print("done: \(result.finalStep) steps; results in \(directory.url.path)")
        case .interrupted(let step):
            print("interrupted at step \(step); resume with: grok-train --resume --out \(directory.url.path)")
            throw ExitCode(130)
        case .diverged(let step):
            throw GrokError("training diverged at step \(step) (NaN or Inf loss); the last good checkpoint and snapshots are in \(directory.url.path)")
        }
    }

    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: Date())
    }

    static func shellQuote(_ s: String) -> String {
        if s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=,:+".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension TrainingConfig.Preset: ExpressibleByArgument {}
extension TrainingConfig.OptimizerKind: ExpressibleByArgument {}
extension TrainingConfig.Precision: ExpressibleByArgument {}
extension TrainingConfig.Dataset: ExpressibleByArgument {}
extension EvaluationSchedule: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension HTSRMode: ExpressibleByArgument {}
extension TrapCount: ExpressibleByArgument {}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one training step (forward + backward + AdamW) against its GEMMs alone.")

    @Option(help: "Training steps timed per configuration (median of 5 repeats).")
    var iterations = 2000

    @Flag(help: "Only count heap allocations per step (needs the malloc-counting shim in LD_PRELOAD; see README).")
    var allocations = false

    func run() throws {
        if allocations {
            guard let a = StepBenchmark.allocationsPerStep(Float.self, mode: .reshuffle),
                  let b = StepBenchmark.allocationsPerStep(Double.self, mode: .cycle) else {
                throw GrokError("no malloc-counting shim loaded (LD_PRELOAD a library exporting groklab_malloc_count)")
            }
            let c = StepBenchmark.allocationsPerStep(Float.self, mode: .cycle, blasThreads: 2) ?? .nan
            print(String(format: "heap allocations per step: f32 reshuffle %.2f, f64 cycle %.2f", a, b))
            print(String(format: "with 2 BLAS threads: %.2f (OpenBLAS's threaded GEMM driver allocates its job table)", c))
            return
        }
        print(StepBenchmark.run(steps: iterations))
    }
}

runTool(Train.self)
