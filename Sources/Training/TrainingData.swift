import GrokCore
import Datasets

/// The examples a run trains and evaluates on: images for the MLP, or token pairs for the
/// modular-addition model. The training loop sees only rows of `features` input values and
/// Int32 labels; this type is the one place that knows how each dataset becomes such rows.
public enum TrainingData: Sendable {
    case images(DataSplit)
    case modularAddition(ModularAddition)

    /// Loads what `config` asks for, checks it against the network, and fails before any file
    /// is written when the data is missing or does not fit.
    public static func load(_ config: TrainingConfig) throws -> TrainingData {
        if config.dataset == .modadd {
            let m = config.modularAdditionModel!
            return .modularAddition(try ModularAddition(modulus: m.modulus, trainFraction: config.trainFraction ?? 0.4,
                                                        seed: config.seed))
        }
        let data = try MNIST.load(config.dataSource, trainSize: config.trainSize, subset: config.subsetMode, seed: config.seed)
        try config.validate(features: data.train.features, classes: 10)
        return .images(data)
    }

    public var trainCount: Int {
        switch self { case .images(let d): return d.train.count; case .modularAddition(let m): return m.train.count }
    }
    public var testCount: Int {
        switch self { case .images(let d): return d.test.count; case .modularAddition(let m): return m.test.count }
    }
    /// Input values per example: pixels, or the two token ids.
    public var features: Int {
        switch self { case .images(let d): return d.train.features; case .modularAddition: return 2 }
    }
    public var sourceDescription: String {
        switch self { case .images(let d): return d.sourceDescription; case .modularAddition(let m): return m.sourceDescription }
    }
    /// Where the data was read from ("generated" for modular addition).
    public var sourcePath: String {
        switch self { case .images(let d): return d.sourcePath; case .modularAddition: return "generated" }
    }
    public var checksum: String {
        switch self { case .images(let d): return d.checksum; case .modularAddition(let m): return m.checksum }
    }

    /// Row-major inputs (pixels / 255, or token ids as exact T values) and labels.
    func rows<T: BinaryFloatingPoint>(train: Bool, as _: T.Type) -> (inputs: [T], labels: [Int32]) {
        switch self {
        case .images(let d):
            let set = train ? d.train : d.test
            return (set.normalizedPixels(as: T.self), set.labelsAsInt32())
        case .modularAddition(let m):
            let set = train ? m.train : m.test
            return (set.tokens.map { T($0) }, set.labels)
        }
    }
}
