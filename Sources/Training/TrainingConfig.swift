import Foundation
import GrokCore
import Datasets
import Model
import Tensors

/// Every hyperparameter of a run. Written to config.json (snake_case keys) and checked on resume.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adamw, sgd }
    public enum Precision: String, Codable, Sendable, CaseIterable { case f64, f32 }
    /// mnist and fashion train the MLP on images; modadd trains EmbeddingMLP on (a + b) mod P.
    public enum Dataset: String, Codable, Sendable, CaseIterable { case mnist, fashion, modadd }
    public enum Preset: String, Codable, Sendable, CaseIterable {
        case paper, omnigrok
        /// arXiv 2606.13753's modular addition (see `delayLaw`).
        case delayLaw = "delay-law"
    }

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
    /// Threads for BLAS and the sparse kernels. One by default: on Prakash & Martin's network a step
    /// is too short for a second thread to pay for its synchronization (every configuration
    /// measured slower with two, README "Speed"), and a run's background HTSR analysis and any
    /// other run then have the other cores.
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
    /// Grokfast's gradient filter between backward and the optimizer step; nil = none.
    public var grokfast: Grokfast? = nil
    /// --dataset modadd only (nil otherwise, and in runs recorded before it existed): the
    /// modulus P, the training fraction F, and EmbeddingMLP's embedding width d and hidden
    /// width H. `widths`, `trainSize`, `batchSize`, `subset`, `batchOrder` are then derived
    /// (see `modularAdditionDefaults`): full batch, [2d, H, P].
    public var modulus: Int? = nil
    /// End the run at the first evaluation with test accuracy >= this (--stop-at-test-acc):
    /// a grokking-time experiment needs nothing after T_grok. nil = run all the steps.
    public var stopAtTestAccuracy: Double? = nil
    public var trainFraction: Double? = nil
    public var embedDim: Int? = nil
    public var hidden: Int? = nil

    /// Prakash & Martin's anti-grokking run (arXiv 2506.04434): MNIST,
    /// 1,000 balanced images, 784-200-200-10, init x8, MSE, AdamW lr 5e-4, wd 0, batch 200
    /// replayed in a fixed cycle (the authors' code), float64, 10^7 steps.
    public static let paper = TrainingConfig(
        preset: .paper, steps: 10_000_000, lr: 5e-4, wd: 0, optimizer: .adamw, momentum: 0,
        beta1: 0.9, beta2: 0.999, eps: 1e-8, loss: .mse, dtype: .f64, widths: [784, 200, 200, 10],
        initScale: 8, batchSize: 200, batchOrder: .cycle, trainSize: 1000, subset: .balanced,
        dataset: .mnist, dataDir: nil, seed: 0, snapshots: 200, schedule: .log,
        threads: 1, kernels: .sparse)

    /// Omnigrok's MNIST grokking (Liu, Michaud, Tegmark 2023, arXiv 2210.01117, Fig. 3d):
    /// as Prakash & Martin's but AdamW lr 1e-3, wd 0.01, batches reshuffled every epoch, the FIRST
    /// 1,000 images, 10^5 steps.
    public static let omnigrok: TrainingConfig = {
        var c = paper
        c.preset = .omnigrok; c.steps = 100_000; c.lr = 1e-3; c.wd = 0.01
        c.batchOrder = .reshuffle; c.subset = .first
        return c
    }()

    /// arXiv 2606.13753's delay-law setting: modular addition P = 59, training fraction 0.4,
    /// embedding d = 128, hidden H = 256 with GELU, cross-entropy, full batch, AdamW lr 1e-3
    /// (0.9, 0.999, 1e-8), weight decay 1 on E, W1, W2 only, its Gaussian init (scale 1),
    /// float32 (PyTorch's default, as the authors' code). 10^4 steps.
    public static let delayLaw: TrainingConfig = {
        var c = paper
        c.preset = .delayLaw; c.steps = 10_000; c.lr = 1e-3; c.wd = 1; c.loss = .ce; c.dtype = .f32
        c.initScale = 1; c.dataset = .modadd; c.modulus = 59; c.trainFraction = 0.4; c.embedDim = 128; c.hidden = 256
        c.snapshots = 100
        c.deriveModularAddition()
        return c
    }()

    /// The token model's sizes (--dataset modadd): P, d, H.
    public var modularAdditionModel: (modulus: Int, dim: Int, hidden: Int)? {
        guard dataset == .modadd else { return nil }
        return (modulus ?? 59, embedDim ?? 128, hidden ?? 256)
    }

    /// For --dataset modadd: fills the defaults (P 59, F 0.4, d 128, H 256) and derives what
    /// the modular-addition setting fixes: widths [2d, H, P] (the MLP after the embedding, for
    /// logs), trainSize = batchSize = the training pairs (full batch, cycled), subset first,
    /// dense kernels. A no-op for the image datasets.
    public mutating func deriveModularAddition() {
        guard dataset == .modadd else { return }
        modulus = modulus ?? 59; trainFraction = trainFraction ?? 0.4; embedDim = embedDim ?? 128; hidden = hidden ?? 256
        let p = modulus!, f = trainFraction!
        // (A width no machine holds is refused by validate()'s memory check, not by a trap here.)
        widths = [embedDim!.multipliedReportingOverflow(by: 2).overflow ? Int.max : 2 * embedDim!, hidden!, p]
        if p >= 3, p <= 4096, f > 0, f < 1 {
            trainSize = ModularAddition.trainCount(modulus: p, trainFraction: f)
            batchSize = trainSize
        }
        batchOrder = .cycle; subset = .first; kernels = .dense
    }

    /// The network's tensors, and the MLP's widths (nil for the token model).
    public func networkLayout() throws -> (layout: ParameterLayout, shape: MLPShape?) {
        if let m = modularAdditionModel {
            return (EmbeddingMLP<Double>.layout(vocab: m.modulus, dim: m.dim, hidden: m.hidden, classes: m.modulus), nil)
        }
        let shape = try MLPShape(widths: widths)
        return (shape.layout, shape)
    }

    public static func preset(_ p: Preset?) -> TrainingConfig {
        switch p {
        case .paper: return .paper
        case .omnigrok: return .omnigrok
        case .delayLaw: return .delayLaw
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
        // First: the token model's sizes also set the derived widths checked below.
        if dataset == .modadd {
            try ModularAddition.validate(modulus: modulus ?? 59, trainFraction: trainFraction ?? 0.4)
            guard (embedDim ?? 1) > 0, (hidden ?? 1) > 0 else {
                throw bad("--embed-dim and --hidden must be positive, got \(embedDim ?? 0) and \(hidden ?? 0)")
            }
        } else if modulus != nil || trainFraction != nil || embedDim != nil || hidden != nil {
            throw bad("--modulus, --train-fraction, --embed-dim and --hidden are only used with --dataset modadd")
        }
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
        try MachineInfo.checkMemory(estimatedMemoryBytes, for: sizeDescription)
        if subsetMode == .balanced && trainSize % 10 != 0 {
            throw bad("--train-size \(trainSize) must be a multiple of 10 for --subset balanced (the same count per digit)")
        }
        try normControl?.validate(steps: steps, wd: wd)
        try grokfast?.validate()
        if let x = stopAtTestAccuracy, !(x > 0 && x <= 1) { throw bad("--stop-at-test-acc must be in (0, 1], got \(x)") }
    }

    /// The parameters of the network these settings describe, counted in floating point (no
    /// size can overflow it): the MLP's weights and biases, or the token model's E, W1, b1, W2, b2.
    public var parameterCount: Double {
        if let m = modularAdditionModel {
            let (p, d, h) = (Double(m.modulus), Double(m.dim), Double(m.hidden))
            return p * d + h * 2 * d + h + p * h + p
        }
        return zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) + Double($1.1) }
    }

    /// A lower bound of the memory a run needs: per parameter its value, gradient and two
    /// optimizer moments in the training precision plus the float64 copy each snapshot hands to
    /// the diagnostics; per batch row the activations of every layer (forward and backward).
    /// Checked before anything is allocated, so a size no machine holds is a one-line error.
    public var estimatedMemoryBytes: Double {
        let scalar: Double = dtype == .f64 ? 8 : 4
        let rows = Double(max(batchSize, 1))
        let activations = widths.reduce(0.0) { $0 + Double($1) } * rows * scalar * 2
        // The evaluation schedule: a set, then an array, of up to min(snapshots, steps) + 2 steps.
        let schedule = Double(min(max(snapshots, 1), max(steps, 1))) * 64
        return parameterCount * (4 * scalar + 8) + activations + schedule
    }

    /// The flags that set the network's size, for the memory error.
    var sizeDescription: String {
        if let m = modularAdditionModel {
            return "--modulus \(m.modulus) --embed-dim \(m.dim) --hidden \(m.hidden) (\(String(format: "%.3g", parameterCount)) parameters, \(snapshots) snapshots)"
        }
        return "--widths \(widths.map(String.init).joined(separator: ",")) (\(String(format: "%.3g", parameterCount)) parameters, \(snapshots) snapshots)"
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
        if let g = grokfast { parts.append("grokfast-\(g.kind.rawValue)") }
        if dataset == .fashion { parts.append("fashion") }
        if dataset == .modadd { parts.append("modadd\(modulus ?? 59)") }
        parts.append("seed\(seed)")
        return parts.joined(separator: "-")
    }
}
