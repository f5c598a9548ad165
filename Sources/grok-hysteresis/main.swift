import ArgumentParser
import Foundation
import GrokCore
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

    func run() throws {
        let (shape, task) = try setup.build()
        let settings = try SGDSettings(beta: beta, lr: lr, batch: batch, seed: seed)
        let stage = try SGDStage(settings: settings, maxEpochs: epochs, evalEvery: evalEvery)
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
        if let trace { try TraceCSV.write(records, to: URL(fileURLWithPath: trace)) }
        if let save {
            try NetworkState(network: net, beta: beta, lr: lr, batch: batch, epochs: epochs).write(to: URL(fileURLWithPath: save))
        }
    }
}

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Quasi-static beta sweep (not yet).")
    func run() throws { throw GrokError("sweep: not built yet") }
}
struct Trap: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Trapping demo (not yet).")
    func run() throws { throw GrokError("trap: not built yet") }
}
struct Arrhenius: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Arrhenius experiment (not yet).")
    func run() throws { throw GrokError("arrhenius: not built yet") }
}

runTool(GrokHysteresis.self)
