import Foundation
import GrokCore
import Datasets
import Model

/// Every hyperparameter of a run. Written to config.json (snake_case keys) and checked on resume.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adamw, sgd }
    public enum Precision: String, Codable, Sendable, CaseIterable { case f64, f32 }
    public enum Dataset: String, Codable, Sendable, CaseIterable { case mnist, fashion }
    public enum Preset: String, Codable, Sendable, CaseIterable { case paper, omnigrok }

    public var preset: Preset?
    public var steps: Int
    public var lr: Double
    public var wd: Double
    public var optimizer: OptimizerKind
    public var momentum: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var loss: Loss
    public var dtype: Precision
    public var widths: [Int]
    public var initScale: Double
    public var batchSize: Int
    public var batchOrder: BatchOrder.Mode
    public var trainSize: Int
    public var subset: SubsetMode
    public var dataset: Dataset
    /// Folder with the four standard MNIST IDX files; nil = the embedded 5k images.
    public var dataDir: String?
    public var seed: UInt64
    public var snapshots: Int
    public var schedule: EvaluationSchedule
    public var threads: Int
    /// The layers' kernels: sparse (the default: skips exact zeros of pixels and ReLU outputs)
    /// or dense (BLAS GEMMs, the reference). nil in runs recorded before the choice existed:
    /// those were dense, and resume them dense so they stay bit-identical.
    public var kernels: KernelChoice?
    public var kernelChoice: KernelChoice { kernels ?? .dense }
    /// Precision of the snapshot files; nil = the training precision (--snapshot-dtype).
    public var snapshotDtype: Precision? = nil
    /// A norm intervention after every optimizer step (see NormControl); nil = none.
    public var normControl: NormControl? = nil

    /// The paper's anti-grokking run (Prakash & Martin 2025): MNIST,
    /// 1,000 balanced images, 784-200-200-10, init x8, MSE, AdamW lr 5e-4, wd 0, batch 200
    /// replayed in a fixed cycle (the authors' code), float64, 10^7 steps.
    public static let paper = TrainingConfig(
        preset: .paper, steps: 10_000_000, lr: 5e-4, wd: 0, optimizer: .adamw, momentum: 0,
        beta1: 0.9, beta2: 0.999, eps: 1e-8, loss: .mse, dtype: .f64, widths: [784, 200, 200, 10],
        initScale: 8, batchSize: 200, batchOrder: .cycle, trainSize: 1000, subset: .balanced,
        dataset: .mnist, dataDir: nil, seed: 0, snapshots: 200, schedule: .log,
        threads: MachineInfo.coreCount, kernels: .sparse)

    /// Omnigrok's MNIST grokking (Liu, Michaud, Tegmark 2023, Fig. 3d):
    /// as the paper but AdamW lr 1e-3, wd 0.01, batches reshuffled every epoch, the FIRST
    /// 1,000 images, 10^5 steps.
    public static let omnigrok: TrainingConfig = {
        var c = paper
        c.preset = .omnigrok; c.steps = 100_000; c.lr = 1e-3; c.wd = 0.01
        c.batchOrder = .reshuffle; c.subset = .first
        return c
    }()

    public static func preset(_ p: Preset?) -> TrainingConfig {
        switch p {
        case .paper: return .paper
        case .omnigrok: return .omnigrok
        case nil: var c = TrainingConfig.paper; c.preset = nil; return c
        }
    }

    /// The same as `batchOrder` and `subset` (names the training loop and data loading use).
    public var batchOrderMode: BatchOrder.Mode { batchOrder }
    public var subsetMode: SubsetMode { subset }
    public var dataSource: DataSource {
        if dataset == .fashion { return .fashion }
        if let d = dataDir { return .directory(d) }
        return .embedded
    }

    /// Checks every value a user can set; the first problem becomes a one-line error.
    public func validate() throws {
        func bad(_ m: String) -> GrokError { GrokError(m) }
        guard steps > 0 else { throw bad("--steps must be positive, got \(steps)") }
        guard lr.isFinite, lr > 0 else { throw bad("--lr must be a positive number, got \(lr)") }
        guard wd.isFinite, wd >= 0 else { throw bad("--wd must be >= 0, got \(wd)") }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw bad("--momentum must be in [0, 1), got \(momentum)") }
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1, eps > 0 else { throw bad("AdamW betas must be in [0, 1) and eps > 0") }
        guard initScale.isFinite, initScale > 0 else { throw bad("--init-scale must be a positive number, got \(initScale)") }
        guard batchSize > 0 else { throw bad("--batch-size must be positive, got \(batchSize)") }
        guard trainSize > 0 else { throw bad("--train-size must be positive, got \(trainSize)") }
        guard batchSize <= trainSize else { throw bad("--batch-size \(batchSize) is larger than --train-size \(trainSize)") }
        guard snapshots >= 1 else { throw bad("--snapshots must be at least 1, got \(snapshots)") }
        guard threads >= 1 else { throw bad("--threads must be at least 1, got \(threads)") }
        guard widths.count >= 2, widths.allSatisfy({ $0 > 0 }) else {
            throw bad("--widths must list at least an input and an output width, all positive, got \(widths.map(String.init).joined(separator: ","))")
        }
        if subsetMode == .balanced && trainSize % 10 != 0 {
            throw bad("--train-size \(trainSize) must be a multiple of 10 for --subset balanced (the same count per digit)")
        }
        try normControl?.validate(steps: steps, wd: wd)
    }

    /// Checks the network against the data: input width = pixels per image, output width = 10 classes.
    public func validate(features: Int, classes: Int) throws {
        guard widths.first == features else {
            throw GrokError("--widths starts with \(widths[0]) but the images have \(features) pixels (use \(features),...)")
        }
        guard widths.last == classes else {
            throw GrokError("--widths ends with \(widths.last!) but there are \(classes) classes (use ...,\(classes))")
        }
    }

    /// A short tag for default run-directory names, e.g. "paper-wd0-lr5e-4-seed0".
    public var tag: String {
        func num(_ x: Double) -> String {
            if x == 0 { return "0" }
            if x == x.rounded(), abs(x) < 1e6 { return String(Int(x)) }
            let s = String(format: "%g", x)
            return s.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e")
        }
        var parts: [String] = [preset?.rawValue ?? "custom"]
        parts.append("\(optimizer.rawValue)-\(loss.rawValue)")
        parts.append("lr\(num(lr))")
        parts.append("wd\(num(wd))")
        if dtype == .f32 { parts.append("f32") }
        if dataset == .fashion { parts.append("fashion") }
        parts.append("seed\(seed)")
        return parts.joined(separator: "-")
    }
}
