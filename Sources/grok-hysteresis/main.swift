import ArgumentParser
import Foundation
import GrokCore
import Charts
import Hysteresis
import ToolSupport

/// `grok-hysteresis`: the deep-linear-network experiments of arXiv 2606.17120 (L2 phase
/// transitions, hysteresis and noise-driven escape), self-contained and small.
struct GrokHysteresis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grok-hysteresis",
        abstract: "Deep linear networks under MSE + beta * L2 with plain SGD: one stage, a quasi-static beta sweep, the trapping demo, the Arrhenius escape-time experiment (arXiv 2606.17120).",
        subcommands: [Train.self, Sweep.self, Trap.self, Arrhenius.self])
}

/// Model and data flags every subcommand shares.
struct SetupOptions: ParsableArguments {
    @Option(help: "Weight matrices (depth 3 = two hidden layers).")
    var depth: Int = 3
    @Option(help: "Hidden width.")
    var width: Int = 10
    @Option(help: "Singular values of the teacher's input-output cross-covariance (comma-separated; as many inputs and outputs).")
    var teacher: String = "0.9,0.8"
    @Option(help: "Training samples.")
    var trainSamples: Int = 512
    @Option(help: "Test samples.")
    var testSamples: Int = 512
    @Option(help: "Seed of the data draw.")
    var dataSeed: UInt64 = 0

    func teacherValues() throws -> [Double] {
        let parts = teacher.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, values.count == parts.count else { throw GrokError("--teacher: expected comma-separated numbers, got '\(teacher)'") }
        return values
    }

    func build() throws -> (LinearShape, TeacherTask) {
        let values = try teacherValues()
        let shape = try LinearShape(inputs: values.count, width: width, outputs: values.count, depth: depth)
        return (shape, try TeacherTask(teacher: GaussianTeacher(crossSingularValues: values),
                                       trainCount: trainSamples, testCount: testSamples, dataSeed: dataSeed))
    }
}

/// Injected noise for one SGD stage (see Hysteresis/Noise.swift).
struct NoiseOptions: ParsableArguments {
    @Option(help: "Langevin temperature T: Gaussian noise of variance 2 * lr * T added to every weight after every update (0 = plain SGD).")
    var noiseTemperature: Double = 0
    @Option(help: "Label noise: Gaussian noise of this standard deviation added to every target of every minibatch, drawn afresh each time (0 = none).")
    var labelNoise: Double = 0
}

func parseList(_ text: String, flag: String) throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: true)
    let values = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty else { throw GrokError("\(flag): empty list") }
    guard values.count == parts.count else { throw GrokError("\(flag): expected comma-separated numbers, got '\(text)'") }
    return values
}

func formatRecord(_ r: EpochRecord) -> String {
    String(format: "epoch %d  train %.5f  test %.5f  objective %.5f  sigma %@  rank %d",
           r.epoch, r.trainMSE, r.testMSE, r.objective,
           r.singularValues.map { String(format: "%.4g", $0) }.joined(separator: ","), r.rank())
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One SGD stage: fresh init or --init-from a saved state; --save the final state for the next stage.")

    @OptionGroup var setup: SetupOptions
    @Option(help: "L2 strength beta: the loss is mean ||y - P x||^2 + beta * sum w^2 (penalty in the gradient; plain SGD, no decoupled decay).")
    var beta: Double
    @Option(help: "Learning rate.")
    var lr: Double = 0.01
    @Option(help: "Minibatch size.")
    var batch: Int = 64
    @Option(help: "Epochs.")
    var epochs: Int = 1000
    @Option(help: "Evaluate every N epochs.")
    var evalEvery: Int = 10
    @Option(help: "Init seed (fresh init) and batch-order seed.")
    var seed: UInt64 = 0
    @Option(help: "Warm start from this state file (written by --save); the shape must match.")
    var initFrom: String?
    @Option(help: "Write the final state here (JSON).")
    var save: String?
    @Option(help: "Write every evaluation here (CSV).")
    var trace: String?
    @OptionGroup var noise: NoiseOptions

    func run() throws {
        let (shape, task, stage) = try interpretingFlags {
            let (shape, task) = try setup.build()
            let settings = try SGDSettings(beta: beta, lr: lr, batch: batch, seed: seed,
                                           temperature: noise.noiseTemperature, labelNoise: noise.labelNoise)
            return (shape, task, try SGDStage(settings: settings, maxEpochs: epochs, evalEvery: evalEvery))
        }
        var net: DeepLinearNetwork
        if let initFrom {
            net = try NetworkState.read(from: URL(fileURLWithPath: initFrom)).network(expecting: shape, source: initFrom)
        } else {
            net = DeepLinearNetwork(shape: shape, seed: seed)
        }
        let etas = try task.sampleEtas()
        if shape.depth >= 3 {
            note("training-set mode strengths " + etas.map { String(format: "%.4f", $0) }.joined(separator: ",") + "; theory beta_c " + etas.map { String(format: "%.4f", BalancedTheory.criticalBeta(eta: $0, depth: shape.depth)) }.joined(separator: ","))
        }
        let (records, reason) = stage.run(&net, on: task)
        print(formatRecord(records.first!))
        print(formatRecord(records.last!) + (reason == .diverged ? "  (diverged)" : ""))
        // The trace shows a divergence as it happened; a diverged state is not worth saving.
        if let trace { try TraceCSV.write(records, to: URL(fileURLWithPath: trace)) }
        if reason == .diverged {
            throw HysteresisDivergence.error(at: records.last!.epoch, what: "training at --lr \(lr)",
                                             advice: "lower --lr" + (save.map { "; \($0) was not written" } ?? ""))
        }
        if let save {
            try NetworkState(network: net, beta: beta, lr: lr, batch: batch, epochs: epochs).write(to: URL(fileURLWithPath: save))
        }
    }
}

/// An output directory that is created if missing and never overwritten by surprise.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output directory.")
    var out: String
    @Flag(help: "Overwrite this command's files in an existing --out directory.")
    var force = false

    func prepare(_ files: [String]) throws -> URL {
        let dir = URL(fileURLWithPath: out)
        try Directories.create(dir, what: "--out")
        if !force, let clash = files.first(where: { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }) {
            throw GrokError("\(dir.appendingPathComponent(clash).path) exists; pass --force to overwrite it or choose another --out")
        }
        return dir
    }
}

func writeFigure(_ chart: Chart, _ dir: URL, _ base: String) throws {
    let status = try chart.write(svg: dir.appendingPathComponent(base + ".svg"), png: dir.appendingPathComponent(base + ".png"))
    if let m = status.message { note("\(base).png not written: \(m)") }
}

func theoryBetaC(_ task: TeacherTask, depth: Int) throws -> [Double] {
    depth >= 3 ? try task.sampleEtas().map { BalancedTheory.criticalBeta(eta: $0, depth: depth) } : []
}

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quasi-static beta sweep, down from --beta-max and up from --beta-min, re-converging at each beta; writes sweep.csv and sweep.svg/png.",
        discussion: "Convergence at each beta: SGD in windows of --window epochs (evaluated every 10); converged when the window-mean full-train objective moved by less than --tolerance (relative, floor 1) and each window-mean singular value by less than 1e-4 since the previous window; a beta that reaches --max-epochs is recorded with converged=false.")

    @OptionGroup var setup: SetupOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Smallest beta.") var betaMin: Double = 0
    @Option(help: "Largest beta (the down branch starts here from a fresh init).") var betaMax: Double = 0.39
    @Option(help: "Beta step.") var betaStep: Double = 0.01
    @Option(help: "Learning rate.") var lr: Double = 0.01
    @Option(help: "Minibatch size.") var batch: Int = 64
    @Option(help: "Init and batch-order seed.") var seed: UInt64 = 0
    @Option(help: "Convergence window in epochs.") var window: Int = 200
    @Option(help: "Relative change of the window-mean objective that counts as converged.") var tolerance: Double = 1e-5
    @Option(help: "Epoch cap per beta.") var maxEpochs: Int = 20000

    func run() throws {
        let (shape, task, sweep) = try interpretingFlags {
            let (shape, task) = try setup.build()
            let betas = try QuasiStaticSweep.grid(min: betaMin, max: betaMax, step: betaStep)
            return (shape, task, try QuasiStaticSweep(betas: betas, lr: lr, batch: batch, seed: seed,
                                                      criterion: ConvergenceCriterion(window: window, tolerance: tolerance, maxEpochs: maxEpochs)))
        }
        let dir = try output.prepare(["sweep.csv", "sweep.svg", "sweep.png"])
        let points = try sweep.run(shape: shape, task: task) { p in
            print(String(format: "%@ beta %.4f: %d epochs%@  test %.4f  sigma %.4f,%.3g", p.direction.rawValue, p.beta, p.epochs,
                         p.converged ? "" : " (not converged)", p.record.testMSE, p.record.singularValues.first ?? 0, p.record.sigma2))
        }
        try AtomicFile.write(QuasiStaticSweep.csv(points), to: dir.appendingPathComponent("sweep.csv"))
        let bc = try theoryBetaC(task, depth: shape.depth)
        try writeFigure(HysteresisFigures.sweep(points, theoryBetaC: bc), dir, "sweep")
        for d in SweepDirection.allCases {
            let pts = points.filter { $0.direction == d }.sorted { $0.beta < $1.beta }
            // The largest beta with rank 2 and the smallest with rank <= 1 bracket the transition.
            let full = pts.filter { $0.record.rank() >= 2 }.map(\.beta).max()
            let deficient = pts.filter { $0.record.rank() < 2 && $0.beta > (full ?? -1) }.map(\.beta).min()
            print("\(d.rawValue): rank 2 up to beta \(full.map { String($0) } ?? "none"), rank < 2 from \(deficient.map { String($0) } ?? "none")")
        }
        print("theory beta_c (training-set mode strengths): " + bc.map { String(format: "%.4f", $0) }.joined(separator: ", "))
    }
}

/// Trap options shared by `trap` and `arrhenius`.
struct TrapOptions: ParsableArguments {
    @Option(help: "Beta at which the trap is made (fresh init converged there).") var trapBeta: Double = 0.38
    @Option(help: "Epochs at --trap-beta.") var trapEpochs: Int = 2000
    @Option(help: "Learning rate at --trap-beta.") var trapLr: Double = 0.01
    @Option(help: "Beta of the continuation (below beta_c).") var beta: Double = 0.32
    @Option(help: "Warm start from this state file instead of making the trap.") var initFrom: String?
    @Option(help: "Init seed of the trap and of the fresh reference run.") var seed: UInt64 = 0

    func protocolSettings(batch: Int) throws -> TrapProtocol {
        try TrapProtocol(trapBeta: trapBeta, trapEpochs: trapEpochs, trapLR: trapLr, beta: beta, batch: batch, seed: seed)
    }

    func trap(_ proto: TrapProtocol, shape: LinearShape, task: TeacherTask) throws -> DeepLinearNetwork {
        if let initFrom {
            return try NetworkState.read(from: URL(fileURLWithPath: initFrom)).network(expecting: shape, source: initFrom)
        }
        return try proto.makeTrap(shape: shape, task: task)
    }
}

struct Trap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The trapping demo: a fresh init at --beta against a warm start from the trap at --trap-beta, continued at --beta; writes trap.csv, trap-state.json and trap.svg/png.")

    @OptionGroup var setup: SetupOptions
    @OptionGroup var trapOptions: TrapOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Learning rate of both runs at --beta.") var lr: Double = 0.01
    @Option(help: "Minibatch size.") var batch: Int = 64
    @Option(help: "Epochs of the trapped run (it stops early once escaped by both criteria).") var epochs: Int = 20000
    @Option(help: "Epochs of the fresh run (evaluated every epoch).") var freshEpochs: Int = 200
    @Option(help: "Evaluate the trapped run every N epochs (the escape epoch's resolution).") var evalEvery: Int = 10
    @OptionGroup(title: "Injected noise of the continuation (the trap itself is made without)") var noise: NoiseOptions

    func run() throws {
        let (shape, task, proto) = try interpretingFlags {
            let (shape, task) = try setup.build()
            let settings = try SGDSettings(beta: trapOptions.beta, lr: lr, batch: batch,
                                           temperature: noise.noiseTemperature, labelNoise: noise.labelNoise)
            _ = try SGDStage(settings: settings, maxEpochs: epochs, evalEvery: evalEvery)
            return (shape, task, try trapOptions.protocolSettings(batch: batch))
        }
        let dir = try output.prepare(["trap.csv", "trap-state.json", "trap.svg", "trap.png"])
        let trapNet = try trapOptions.trap(proto, shape: shape, task: task)
        try NetworkState(network: trapNet, beta: proto.trapBeta, lr: proto.trapLR, batch: batch, epochs: proto.trapEpochs)
            .write(to: dir.appendingPathComponent("trap-state.json"))
        let criteria = proto.criteria(trap: trapNet, task: task)
        if !criteria.isTrapped {
            note(String(format: "warning: the warm start is not trapped at beta %.4f: noise-free descent from it reaches the global minimum (plateau %.4f, global %.4f), so escape epochs below measure deterministic relaxation, not noise-driven escape", proto.beta, criteria.plateau, criteria.globalMinimum))
        }
        var fresh = DeepLinearNetwork(shape: shape, seed: proto.seed)
        let (freshRecords, _) = try SGDStage(settings: SGDSettings(beta: proto.beta, lr: lr, batch: batch, seed: proto.seed),
                                             maxEpochs: freshEpochs).run(&fresh, on: task)
        let (run, trapped) = try escapeRun(from: trapNet, task: task, beta: proto.beta, lr: lr, batch: batch, seed: proto.seed,
                                           budget: epochs, evalEvery: evalEvery, criteria: criteria,
                                           temperature: noise.noiseTemperature, labelNoise: noise.labelNoise)
        let rows = freshRecords.map { "fresh," + TraceCSV.row($0) } + trapped.map { "trapped," + TraceCSV.row($0) }
        try AtomicFile.write((["run," + TraceCSV.header] + rows).joined(separator: "\n") + "\n", to: dir.appendingPathComponent("trap.csv"))
        try writeFigure(HysteresisFigures.trap(fresh: freshRecords, trapped: trapped, criteria: criteria, beta: proto.beta), dir, "trap")
        print(String(format: "references at beta %.4f: plateau %.4f, global minimum %.4f, threshold %.4f", proto.beta,
                     criteria.plateau, criteria.globalMinimum, criteria.midpoint))
        let freshRank2 = freshRecords.first { $0.rank() >= 2 && $0.testMSE < criteria.midpoint }?.epoch
        print("fresh init: below the threshold with rank 2 at epoch \(freshRank2.map(String.init) ?? "never") of \(freshEpochs)")
        print("trap start: " + formatRecord(trapped.first!))
        print("trapped run: escape epoch by MSE \(run.escape.byMSE.map(String.init) ?? "none (censored at \(epochs))"), by sigma2 > 1e-3 \(run.escape.bySigma2.map(String.init) ?? "none")")
        print("trapped run end: " + formatRecord(run.final))
    }
}

struct Arrhenius: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Escape time against noise: many seeds per noise level from one trap; writes arrhenius.csv, arrhenius.svg/png and the fit of ln(mean escape epoch) against the inverse noise strength.",
        discussion: """
        One of --lrs, --noise-temperature, --label-noise lists several values: the
        axis (x = batch/lr, 1/T or 1/S^2); the others give one value (default: lr
        0.005, no injected noise). Without any list: --lrs 5e-4,1e-3,2e-3,3e-3,5e-3
        (minibatch noise only, arXiv 2606.17120's protocol). Censored runs (no escape
        within --budget) are kept: the fit uses the censored maximum-likelihood mean
        escape time (time trapped summed over all runs / escapes) at every level with
        an escape; the fit over levels where every run escaped is printed too. With
        --noise-temperature the slope is the barrier in loss units, printed next to
        the balanced theory's.
        """)

    @OptionGroup var setup: SetupOptions
    @OptionGroup var trapOptions: TrapOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Learning rates (comma-separated). (default: 5e-4,1e-3,2e-3,3e-3,5e-3; with a noise list: 0.005)") var lrs: String?
    @Option(help: "Langevin temperatures (comma-separated): noise of variance 2 * lr * T on every weight after every update.") var noiseTemperature: String?
    @Option(help: "Label-noise standard deviations (comma-separated): Gaussian noise on every target of every minibatch.") var labelNoise: String?
    @Option(help: "Minibatch size.") var batch: Int = 64
    @Option(help: "Seeds per noise level (batch-order and noise seeds 1...N).") var seeds: Int = 8
    @Option(help: "Epoch budget per run; runs that have not escaped by then are censored.") var budget: Int = 20000
    @Option(help: "Evaluate every N epochs (the escape epoch's resolution).") var evalEvery: Int = 10

    func run() throws {
        let (lrList, temperatures, labelNoises, shape, task, proto) = try interpretingFlags {
            let temperatures = try noiseTemperature.map { try parseList($0, flag: "--noise-temperature") } ?? []
            let labelNoises = try labelNoise.map { try parseList($0, flag: "--label-noise") } ?? []
            let defaultLRs = temperatures.count > 1 || labelNoises.count > 1 ? [] : [5e-4, 1e-3, 2e-3, 3e-3, 5e-3]
            let lrList = try lrs.map { try parseList($0, flag: "--lrs") } ?? defaultLRs
            guard lrList.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GrokError("--lrs: every learning rate must be > 0") }
            if let repeated = lrList.enumerated().first(where: { lrList[..<$0.offset].contains($0.element) })?.element {
                throw GrokError("--lrs lists \(repeated) twice: each learning rate is run once (with --seeds runs)")
            }
            guard seeds >= 1 else { throw GrokError("--seeds must be at least 1") }
            guard budget >= 1 else { throw GrokError("--budget must be at least 1") }
            for lr in lrList { _ = try SGDStage(settings: SGDSettings(beta: trapOptions.beta, lr: lr, batch: batch), maxEpochs: budget, evalEvery: evalEvery) }
            let (shape, task) = try setup.build()
            return (lrList, temperatures, labelNoises, shape, task, try trapOptions.protocolSettings(batch: batch))
        }
        let experiment = try ArrheniusExperiment(lrs: lrList, temperatures: temperatures, labelNoises: labelNoises, batch: batch,
                                                 seeds: seeds, budget: budget, evalEvery: evalEvery)
        let dir = try output.prepare(["arrhenius.csv", "arrhenius.svg", "arrhenius.png"])
        let trapNet = try trapOptions.trap(proto, shape: shape, task: task)
        let criteria = proto.criteria(trap: trapNet, task: task)
        if !criteria.isTrapped {
            note(String(format: "warning: the warm start is not trapped at beta %.4f: noise-free descent from it reaches the global minimum (plateau %.4f, global %.4f), so escape epochs below measure deterministic relaxation, not noise-driven escape", proto.beta, criteria.plateau, criteria.globalMinimum))
        }
        print(String(format: "references at beta %.4f: plateau %.4f, global minimum %.4f; trap sigma2 %.3g", proto.beta,
                     criteria.plateau, criteria.globalMinimum, evaluate(trapNet, on: task, beta: proto.beta, epoch: 0).sigma2))
        let points = try experiment.run(trap: trapNet, task: task, beta: proto.beta, criteria: criteria) { p in
            let level = String(format: "lr %g, T %g, label noise %g (%@ = %.4g)", p.lr, p.temperature, p.labelNoise,
                               p.axis.rawValue, p.noiseInverse)
            let mean = p.meanEscapeCensoredMLE.map { String(format: "%.0f", $0) } ?? "none (no escape)"
            print(String(format: "%@: %d of %d escaped, %d censored at %d epochs; mean escape epoch: censored MLE %@, censored counted at the budget %@%.0f",
                         level, p.escapeTimes.count, p.runs.count, p.censored, budget, mean, p.censored > 0 ? ">= " : "", p.meanEscapeLowerBound))
        }
        try AtomicFile.write(([ArrheniusPoint.csvHeader] + points.flatMap(\.csvRows)).joined(separator: "\n") + "\n",
                             to: dir.appendingPathComponent("arrhenius.csv"))
        let fits = ArrheniusFits(points)
        var theory: Double? = nil
        if experiment.axis == .inverseTemperature, shape.depth >= 3, let eta = try task.sampleEtas().last,
           let b = BalancedTheory.barrier(eta: eta, beta: proto.beta, depth: shape.depth) {
            theory = b.height
            print(String(format: "balanced theory: barrier %.4f at lambda %.4f (weakest mode, training-set eta %.4f, beta %.4f)",
                         b.height, b.lambda, eta, proto.beta))
        }
        try writeFigure(HysteresisFigures.arrhenius(points, fit: fits.censoredMLE, theoryBarrier: theory), dir, "arrhenius")
        func line(_ fit: LineFit?, levels: Int, what: String) -> String {
            guard let fit else { return "no fit \(what): fewer than two such levels" }
            let se = fit.slopeStandardError.map { String(format: " +- %.3g", $0) } ?? ""
            return String(format: "fit %@ (%d levels): ln(mean escape epoch) = %.4f + %.4g%@ * %@, R^2 %.4f",
                          what, levels, fit.intercept, fit.slope, se, experiment.axis.rawValue, fit.rSquared)
        }
        print(line(fits.censoredMLE, levels: fits.censoredMLELevels, what: "over levels with an escape, censored MLE mean"))
        print(line(fits.fullyEscaped, levels: fits.fullyEscapedLevels, what: "over levels where every run escaped"))
    }
}

runTool(GrokHysteresis.self)
