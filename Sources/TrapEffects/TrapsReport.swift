import Datasets
import Foundation
import GrokCore
import HTSR
import Model
import RunFiles
import Tensors
import Training

/// What `grok-analyze traps` is asked to do.
public struct TrapsRequest: Sendable {
    public var file: URL
    /// Exact tensor names; nil = every 2-D tensor.
    public var layers: [String]?
    public var seed: UInt64 = 0
    public var method: TrapAblationMethod = .noise
    /// The run whose config.json gives the data, widths and loss (default: the snapshot's own run).
    public var run: URL?
    /// The data source, overriding the run's (with no run: the paper preset's config).
    public var data: DataSource?
    public var probes: ProbeKind = .gaussian
    public var probeCount = 1000
    /// Test-accuracy change (as a fraction) above which removal counts as harmful/useful.
    public var harmThreshold = 0.005
    /// Write the weights with every selected layer's traps ablated here (never overwritten).
    public var save: URL?
    public init(file: URL) { self.file = file }
}

/// One layer: its traps, and what ablating them all did.
public struct LayerTraps: Sendable, Codable {
    public var layer: String
    public var rows: Int
    public var cols: Int
    /// MP spike threshold of the shuffled ESD (eigenvalue scale).
    public var threshold: Double
    public var traps: [TrapMode]
    /// Traps the analyzer finds in the ablated layer (same seed, `--randomize` analysis).
    public var trapsAfter: Int?
    public var before: ModelMeasure?
    public var after: ModelMeasure?
    /// Mean Jensen-Shannon divergence of the softmax outputs on the probes (nats).
    public var jsDivergence: Double?
    public var verdict: TrapVerdict?

    enum CodingKeys: String, CodingKey {
        case layer, rows, cols, threshold, traps
        case trapsAfter = "traps_after", before, after
        case jsDivergence = "js_divergence", verdict
    }
}

public struct TrapsReport: Sendable, Codable {
    public var file: String
    public var run: String?
    public var seed: UInt64
    public var method: TrapAblationMethod
    public var probes: ProbeKind?
    public var probeCount: Int?
    public var harmThreshold: Double
    public var layers: [LayerTraps]
    public var saved: String?

    enum CodingKeys: String, CodingKey {
        case file, run, seed, method, probes
        case probeCount = "probe_count", harmThreshold = "harm_threshold", layers, saved
    }
}

public enum TrapsTool {
    /// Locates and ablates the traps of each selected layer; with a run (or data), measures
    /// each layer's ablation on the model (the other layers untouched).
    public static func run(_ request: TrapsRequest) throws -> TrapsReport {
        let (tensors, fileRun) = try TrapsInput.read(request.file)
        let names = tensors.map(\.name)
        if let wanted = request.layers {
            let unknown = wanted.filter { !names.contains($0) }
            guard unknown.isEmpty else {
                throw GrokError("\(request.file.path): no tensor named \(unknown.joined(separator: ", ")) (available: \(names.joined(separator: ", ")))")
            }
        }
        let chosen = tensors.filter { t in t.shape.count == 2 && (request.layers?.contains(t.name) ?? true) }
        guard !chosen.isEmpty else { throw GrokError("\(request.file.path): no 2-D weight tensor to analyse") }

        let runURL = request.run ?? fileRun
        var evaluator: AblationEvaluator?
        var runConfig = try runURL.map { try TrainingConfig.read(from: RunDirectory($0)) }
        if let c = runConfig, c.dataset == .modadd {
            // The ablation's effect is measured with the MLP on images; the token model of a
            // --dataset modadd run is not evaluated (its traps are still located and ablated).
            if request.run != nil || request.data != nil {
                throw GrokError("traps: measuring an ablation's effect needs an MNIST MLP run; \(runURL!.path) is a --dataset modadd run (drop --run/--data to locate and ablate its traps only)")
            }
            FileHandle.standardError.write(Data("note: \(runURL!.path) is a --dataset modadd run: traps located and ablated, their effect on the model not measured\n".utf8))
            runConfig = nil
        }
        if runConfig != nil || request.data != nil {
            var config = runConfig ?? .paper
            let source = request.data ?? config.dataSource
            if case .directory(let d) = source { config.dataDir = d }
            evaluator = try AblationEvaluator(config: config, source: source, probes: request.probes,
                                              probeCount: request.probeCount, seed: request.seed)
        }
        let baseline = try evaluator.map { try MLPShape(widths: $0.config.widths).parameters(fromSnapshot: tensors) }
        let measureBefore = baseline.flatMap { p in evaluator.map { $0.measure(p) } }
        let outputsBefore = baseline.flatMap { p in evaluator.map { $0.probeOutputs(p) } }

        var layers: [LayerTraps] = []
        var replacements: [String: [Double]] = [:]
        for t in chosen {
            let w = Matrix(rows: t.shape[0], cols: t.shape[1], values: try t.doubles())
            let result = try TrapAnalysis.analyze(name: t.name, matrix: w, seed: request.seed, method: request.method)
            var entry = LayerTraps(layer: t.name, rows: w.rows, cols: w.cols, threshold: result.threshold, traps: result.traps)
            var o = HTSROptions()
            o.randomize = true; o.seed = request.seed; o.threads = 1
            entry.trapsAfter = HTSRAnalyzer.analyze(LayerInput(name: t.name, matrix: result.ablated), options: o).numTraps
            if !result.traps.isEmpty {
                replacements[t.name] = result.ablated.values
                if let evaluator, let measureBefore, let outputsBefore {
                    let p = try MLPShape(widths: evaluator.config.widths).parameters(fromSnapshot: tensors,
                                                        replacing: [t.name: result.ablated.values])
                    let after = evaluator.measure(p)
                    entry.before = measureBefore
                    entry.after = after
                    entry.jsDivergence = AblationEvaluator.meanJensenShannon(
                        outputsBefore, evaluator.probeOutputs(p), classes: evaluator.config.widths.last ?? 10)
                    entry.verdict = TrapVerdict.judge(before: measureBefore.testAccuracy, after: after.testAccuracy,
                                                      threshold: request.harmThreshold)
                }
            } else if let measureBefore {
                entry.before = measureBefore
            }
            layers.append(entry)
        }
        if let save = request.save {
            try SnapshotFiles.writeAblated(tensors, replacing: replacements, to: save)
        }
        return TrapsReport(file: request.file.path, run: runURL?.path, seed: request.seed, method: request.method,
                           probes: evaluator.map { _ in request.probes }, probeCount: evaluator?.probeCount,
                           harmThreshold: request.harmThreshold, layers: layers, saved: request.save?.path)
    }
}
