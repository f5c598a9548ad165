import ArgumentParser
import Foundation
import GrokCore
import Datasets
import Model
import Training
import Diagnostics
import Runs
import Phases
import Report
import ToolSupport
import RunFiles

/// `grok-train`: trains the grokking MLP from scratch and records a run directory.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-train",
        abstract: "Train the grokking MLP on real MNIST; record metrics, snapshots, checkpoints.",
        discussion: """
        Examples:
          grok-train --preset omnigrok --steps 1e5   grokking in minutes (Omnigrok)
          grok-train --preset paper                  Prakash & Martin's 10^7-step run
          grok-train --steps 1e7 --wd 0.01           their weight-decay control
          grok-train --resume --out runs/NAME        continue a stopped or killed run
          grok-train --preset delay-law              modular addition (the delay law)
          grok-train bench                           steps/s, f32/f64, 1 and 2 threads

        Without --preset the defaults are Prakash & Martin's (arXiv 2506.04434); flags
        override a preset.

        Data: by default the 5,000 real MNIST images shipped in Data/: train = 1,000
        (100 per digit, drawn with the seed), test = the other 4,000 images (NOT the
        10,000-image MNIST test set). --data-dir with the four standard MNIST files
        gives their exact split (test = the full 10,000).

        --dataset modadd: all P^2 pairs (a, b) -> (a + b) mod P, a seeded fraction
        --train-fraction for training, the rest held out, trained full batch on arXiv
        2606.13753's model: embedding E [P, d] shared by a and b, concatenated, 2d ->
        H with GELU, H -> P; cross-entropy; AdamW with weight decay on E, W1, W2 only.
        The image-only flags (--widths, --train-size, --subset, --batch-size,
        --batch-order, --data-dir, --kernels) are refused with it.

        Output (--out): config.json, metrics.csv (one row per evaluation, flushed at
        once), timing.csv, snapshots/step-<10 digits>.safetensors (PyTorch names and
        layouts), checkpoint.safetensors; clamp.csv (step, factor) with a norm
        intervention. Ctrl-C writes a checkpoint and stops.
        """,
        subcommands: [Bench.self])

    @Option(help: "Preset hyperparameters: paper (Prakash & Martin: lr 5e-4, wd 0, cycled batches, balanced subset, 1e7 steps), omnigrok (lr 1e-3, wd 0.01, reshuffled batches, first 1,000 images, 1e5 steps) or delay-law (arXiv 2606.13753: --dataset modadd, P 59, fraction 0.4, d 128, H 256, CE, full batch, AdamW lr 1e-3 wd 1 on weights only, f32, 1e4 steps). Flags override.")
    var preset: TrainingConfig.Preset?

    @Option(parsing: .unconditional, help: "Optimizer steps, e.g. 1e7, 10000000 or 10_000_000. (default: 1e7; omnigrok 1e5)")
    var steps: String?

    @Option(parsing: .unconditional, help: "Learning rate. (default: 5e-4; omnigrok 1e-3)")
    var lr: Double?

    @Option(parsing: .unconditional, help: "Weight decay: decoupled for AdamW, L2 for SGD. (default: 0; omnigrok 0.01)")
    var wd: Double?

    @Option(help: "adamw or sgd. (default: adamw)")
    var optimizer: TrainingConfig.OptimizerKind?

    @Option(parsing: .unconditional, help: "SGD momentum. (default: 0)")
    var momentum: Double?

    @Option(help: "mse (on one-hot targets, Prakash & Martin's) or ce (cross-entropy). (default: mse)")
    var loss: Loss?

    @Option(help: "f64 (Prakash & Martin's) or f32. (default: f64)")
    var dtype: TrainingConfig.Precision?

    @Option(help: "Layer widths, input to output. (default: 784,200,200,10)")
    var widths: String?

    @Option(parsing: .unconditional, help: "Every initial parameter (PyTorch's nn.Linear init) is multiplied by this. (default: 8; the authors' notebook used 4)")
    var initScale: Double?

    @Option(parsing: .unconditional, help: "Minibatch size. (default: 200)")
    var batchSize: Int?

    @Option(help: "cycle (the authors' code: the same shuffled batches replayed forever) or reshuffle (a new order every epoch, Omnigrok). (default: cycle; omnigrok reshuffle)")
    var batchOrder: BatchOrder.Mode?

    @Option(parsing: .unconditional, help: "Training images. (default: 1000)")
    var trainSize: Int?

    @Option(help: "balanced (the same count per digit, drawn with the seed) or first (the first N images). (default: balanced; omnigrok first)")
    var subset: SubsetMode?

    @Option(help: "mnist, fashion (Fashion-MNIST from Debian's dataset-fashion-mnist) or modadd (modular addition, the token model). (default: mnist; delay-law modadd)")
    var dataset: TrainingConfig.Dataset?

    @OptionGroup(title: "Modular addition (--dataset modadd)")
    var modadd: ModularAdditionFlags

    @Option(help: "Folder with the four standard MNIST IDX files (gzip or raw): train is drawn from the 60,000 and test is the full 10,000, as in Prakash & Martin. (default: the embedded 5,000 images)")
    var dataDir: String?

    @Option(parsing: .unconditional, help: "Random seed for the split, the init and the batch order. (default: 0)")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Evaluations/snapshots spread evenly in log(step), plus step 0 and the last step. (default: 200)")
    var snapshots: Int?

    @Option(help: "log (see --snapshots) or authors (every step below 30, every 10 to 140, then every ceil(steps/150)). (default: log)")
    var schedule: EvaluationSchedule?

    @Option(help: "Snapshot files kept: all, none, or N (about N spread in log(step), plus the first, the last and the test-accuracy peak). Metrics and HTSR rows are kept for every evaluation. (default: all; grok-sweep: 12)")
    var keepSnapshots: String?

    @Option(help: "Precision of the snapshot files: f64 or f32 (half the disk). (default: the training --dtype)")
    var snapshotDtype: TrainingConfig.Precision?

    @Flag(help: "Check the flags and the data, print the resolved settings as JSON, write nothing (grok-sweep checks every cell this way).")
    var check = false

    @Option(parsing: .unconditional, help: "Threads for BLAS and the element-wise loops. (default: 1, measured faster than 2 on Prakash & Martin's network)")
    var threads: Int?

    @Option(help: "sparse (skip the exact zeros of the input pixels and of the ReLU outputs: 2x or more faster) or dense (BLAS GEMMs, the reference). Same results within rounding. (default: sparse)")
    var kernels: KernelChoice?

    @Option(help: "HTSR analysis of every snapshot: off, plain (WeightWatcher's defaults plus seeded randomization for traps) or paper (clip_xmax finger fixing plus seeded randomization, as Prakash & Martin). (default: paper)")
    var htsr: HTSRMode?

    @Option(parsing: .unconditional, help: "Activation sparsity: a first-layer activation below this counts as off. (default: 1.0)")
    var sparsityThreshold: Double?

    @Option(parsing: .unconditional, help: "Phases: train accuracy at or above this counts as fitted. (default: 0.99)")
    var fitThreshold: Double?

    @Option(parsing: .unconditional, help: "Phases: anti-grokking = test accuracy this far (absolute) below its running peak while train stays fitted. (default: 0.1)")
    var collapseDrop: Double?

    @Option(parsing: .unconditional, help: "Phases: ... for this many consecutive evaluations. (default: 3)")
    var collapseSustain: Int?

    @Option(parsing: .unconditional, help: "Phases: grokking starts when test accuracy has covered this fraction of the plateau-to-peak gap. (default: 0.1)")
    var riseFraction: Double?

    @Option(parsing: .unconditional, help: "Phases: grokked when it has covered this fraction. (default: 0.9)")
    var grokkedFraction: Double?

    @OptionGroup
    var htsrRule: HTSRRuleOptions

    @Option(help: "When the HTSR anti-grokking rule first fires (FC1/FC2 alpha < 2 with traps; the data-free early warning): continue, checkpoint (also write warning-checkpoint.safetensors) or stop (write it and end the run cleanly; --resume continues). The step goes to phases.json and the run summary. (default: continue)")
    var onWarning: WarningAction?

    @Option(parsing: .unconditional, help: ArgumentHelp("End the run at the first evaluation with test accuracy >= X (a grokking-time experiment needs nothing after T_grok); the run counts as done. (default: run all --steps)", valueName: "X"))
    var stopAtTestAcc: Double?

    @OptionGroup(title: "Norm interventions (one at a time)")
    var norm: NormFlags

    @OptionGroup(title: "Grokfast (gradient filter)")
    var grokfastFlags: GrokfastFlags

    @Flag(help: "Keep a TensorBoard event file in the run directory while training (scalars of metrics.csv and htsr.csv, the phases as text): tensorboard --logdir RUN_DIR (or a sweep's directory). Kept on --resume.")
    var tensorboard = false

    @Option(help: "Run directory. (default: runs/<date>-<hyperparameter tag>)")
    var out: String?

    @Flag(help: "Continue the run in --out from its checkpoint (its config.json gives the settings).")
    var resume = false

    @Flag(help: "Replace an existing run directory: only a GrokLab run (config.json and run files only), never one in use, the working directory, its parents or your home.")
    var force = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Write the checkpoint (what --resume continues from) at an evaluation only when this many seconds have passed since the last one; a fresh run's first evaluation, the end and a stop (Ctrl-C, SIGTERM, SIGHUP) always write one. A run killed hard recomputes the evaluations after its checkpoint, identically. 0: at every evaluation. Applies on --resume too. (default: 60)", valueName: "seconds"))
    var checkpointInterval: Double?

    @Flag(help: "No progress line or log lines, only the summary.")
    var quiet = false

    @Flag(help: "Do not build figures/ and report.html, neither live while training nor at the end (grok-report RUN_DIR builds them at any time; --watch keeps them live).")
    var noReport = false

    func makeConfig() throws -> TrainingConfig {
        var c = TrainingConfig.preset(preset)
        if preset == nil, dataset == .modadd {
            // Without a preset, modular addition starts from arXiv 2606.13753's settings (its model,
            // CE, AdamW lr 1e-3 wd 1 on weights, init scale 1), not the MNIST recipe's.
            c = .delayLaw
            c.preset = nil
        }
        if let s = steps { c.steps = try StepCount.parse(s) }
        if let v = lr { c.lr = v }
        if let v = wd { c.wd = v }
        if let v = optimizer { c.optimizer = v }
        if let v = momentum { c.momentum = v }
        if let v = loss { c.loss = v }
        if let v = dtype { c.dtype = v }
        if let w = widths {
            let parts = w.split(separator: ",", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
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
        if let v = dataset {
            // The preset's model and recipe are modular addition's: on images it is not a recipe.
            if preset == .delayLaw, v != .modadd {
                throw GrokError("--preset delay-law is modular addition (--dataset modadd, the token model); for --dataset \(v.rawValue) use --preset omnigrok or paper and set the flags you need (e.g. --clamp-norm)")
            }
            c.dataset = v
        }
        try modadd.apply(to: &c, imageOnlyFlags: [
            ("--widths", widths != nil), ("--train-size", trainSize != nil), ("--subset", subset != nil),
            ("--batch-size", batchSize != nil), ("--batch-order", batchOrder != nil),
            ("--data-dir", dataDir != nil), ("--kernels", kernels != nil)])
        if let v = dataDir { c.dataDir = v }
        if let v = seed { c.seed = v }
        if let v = snapshots { c.snapshots = v }
        if let v = schedule { c.schedule = v }
        if let v = threads { c.threads = try Self.checkedThreads(v) }
        if let v = kernels { c.kernels = v }
        if let v = snapshotDtype { c.snapshotDtype = v }
        if let v = stopAtTestAcc { c.stopAtTestAccuracy = v }
        try c.validate()   // the network's sizes first: the reference run is compared with it
        c.normControl = try norm.control(for: c)
        let filter = try grokfastFlags.filter()
        c.grokfast = filter.filter
        if !filter.unused.isEmpty, !check {
            note("note: --grokfast off: \(filter.unused.joined(separator: ", ")) not used")
        }
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
        if let v = keepSnapshots { d.keepSnapshots = try SnapshotRetention(parsing: v) }
        if let v = htsrRule.htsrTraps { d.htsrTraps = v }
        if let v = htsrRule.htsrAlphaWindow { d.htsrAlphaWindow = v }
        if let v = htsrRule.htsrRule { d.htsrRule = v }
        if let v = htsrRule.htsrStableRankDrop { d.htsrStableRankDrop = v }
        if let v = onWarning { d.onWarning = v }
        if tensorboard { d.tensorboard = true }
        try d.validate()
        return d
    }

    func run() throws {
        if let v = checkpointInterval, !(v.isFinite && v >= 0) {
            throw GrokError("--checkpoint-interval must be a number of seconds >= 0, got \(v)")
        }
        if let w = BLASRuntime.slowKernelWarning { note(w) }
        var run: TrainingRun
        if resume {
            let (directory, resumeThreads) = try interpretingFlags { () throws -> (String, Int?) in
                guard let out else { throw GrokError("--resume needs --out DIR, the run directory to continue") }
                try Self.checkOut(out)
                if check { throw GrokError("--check checks the flags of a new run without writing anything; --resume continues a run: give one of them") }
                return (out, try threads.map(Self.checkedThreads))
            }
            run = TrainingRun(directory: URL(fileURLWithPath: directory), start: .resume(threads: resumeThreads, force: force))
            let ignored = Self.flagsIgnoredOnResume(Array(CommandLine.arguments.dropFirst()))
            if !ignored.isEmpty {
                note("note: --resume takes its settings from \(run.directory.configURL.path); ignored: \(ignored.joined(separator: ", "))")
            }
        } else {
            let (config, diagnostics) = try interpretingFlags {
                if let out { try Self.checkOut(out) }
                return (try makeConfig(), try makeDiagnostics())
            }
            if check {
                let data = try TrainingData.load(config)
                return try printCheck(config: config, diagnostics: diagnostics, data: data)
            }
            let name = out ?? "runs/\(Self.timestamp())-\(config.tag)"
            run = TrainingRun(directory: URL(fileURLWithPath: name), start: .fresh(config, diagnostics, force: force))
        }
        run.quiet = quiet
        run.buildReport = !noReport
        if let v = checkpointInterval { run.checkpointInterval = v }
        run.commandLine = CommandLine.arguments.map(Self.shellQuote).joined(separator: " ")
        let result = try run.run()
        let (line, error) = run.conclusion(of: result)
        if let line { print(line) }
        if let error { throw error }
        if case .interrupted = result.outcome { throw ExitCode(130) }
    }

    /// More threads than cores only slows BLAS down: capped at the core count, with a note.
    static func checkedThreads(_ n: Int) throws -> Int {
        guard n >= 1 else { throw GrokError("--threads must be at least 1, got \(n)") }
        if n > MachineInfo.coreCount {
            note("note: --threads \(n) is more than this machine's \(MachineInfo.coreCount) cores; using \(MachineInfo.coreCount)")
            return MachineInfo.coreCount
        }
        return n
    }

    static func checkOut(_ out: String) throws {
        if out.trimmingCharacters(in: .whitespaces).isEmpty { throw GrokError("--out must name a directory (got an empty path)") }
    }

    /// The flags --resume applies; config.json decides everything else. --force lets a run
    /// whose checkpoint is gone start again from step 0 over the results it holds.
    static let appliedOnResume: Set<String> = ["resume", "out", "threads", "quiet", "no-report", "force", "checkpoint-interval"]

    /// The flags given on `arguments` (the command line after the tool's name) that --resume
    /// ignores, by name, in order. Read from the arguments themselves, so every flag grok-train
    /// has, now or later, is named without a list to keep in step.
    static func flagsIgnoredOnResume(_ arguments: [String]) -> [String] {
        var names: [String] = []
        for a in arguments {
            if a == "--" { break }
            guard a.hasPrefix("--"), a.count > 2 else { continue }
            let name = String(a.dropFirst(2).prefix { $0 != "=" })
            if !appliedOnResume.contains(name), !names.contains("--" + name) { names.append("--" + name) }
        }
        return names
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
extension KernelChoice: ExpressibleByArgument {}
extension BackwardSparsity: ExpressibleByArgument {}
extension BatchOrder.Mode: ExpressibleByArgument {}
extension SubsetMode: ExpressibleByArgument {}
extension WarningAction: ExpressibleByArgument {}

runTool(Train.self)
