import GrokCore
import Tensors

/// What the one training loop needs from a network: a flat parameter buffer and its
/// gradients, a step (the layers' forward pairs, the loss head, the backward pairs: gradients
/// only, the optimizer updates), evaluation on a whole set, and the crossing to the file layout.
/// `MLP` (pixels in) and `EmbeddingMLP` (token pairs in) conform.
public protocol TrainableNetwork<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    /// The tensors in file layout. Each tensor occupies the same index range in the storage
    /// buffer (only the order inside a weight matrix may differ), so norms and rescaling over
    /// `layout.weightRanges` can work on `parameters` directly.
    var layout: ParameterLayout { get }
    var parameters: UnsafeMutableBufferPointer<Scalar> { get }
    var gradients: UnsafeMutableBufferPointer<Scalar> { get }
    var threads: Int { get set }
    /// Fresh parameters drawn from `rng`, every one times `scale`.
    func initialize(scale: Double, rng: inout SeededRandom)
    /// Forward, loss, backward on one batch: overwrites `gradients`, returns the mean loss.
    func gradientStep(batch: LayerBatch<Scalar>, loss: Loss) -> Double
    /// Mean loss and accuracy over a whole set (`rows`: its sparse structure, for models that
    /// use one). Leaves the training buffers untouched.
    func evaluate(inputs: UnsafePointer<Scalar>, labels: UnsafePointer<Int32>, count: Int, loss: Loss,
                  rows: SparseRowsView<Scalar>?) -> (loss: Double, accuracy: Double)
    /// L2 norms: all parameters, weight matrices only, per layer (layout.layerNames order).
    func norms() -> (total: Double, weights: Double, perLayer: [Double])
    func fileParameters() -> [Scalar]
    func setFileParameters(_ values: [Scalar])
    /// A per-parameter buffer (optimizer state) from storage to file layout, and back.
    func fileLayout(_ storage: [Scalar]) -> [Scalar]
    func storageLayout(_ file: [Scalar]) -> [Scalar]
}

extension MLP: TrainableNetwork {
    public typealias Scalar = T
    public var layout: ParameterLayout { shape.layout }

    /// The step's order, written once: forward pairs, loss head, backward pairs (TrainingStep
    /// adds the filter and the update).
    public func gradientStep(batch: LayerBatch<T>, loss kind: Loss) -> Double {
        for l in 0...last { forward(layer: l, batch: batch) }
        let value = loss(batch: batch, kind: kind)
        for l in stride(from: last, through: 0, by: -1) { backward(layer: l, batch: batch) }
        return value
    }

    public func fileLayout(_ storage: [T]) -> [T] {
        storage.withUnsafeBufferPointer { shape.fileLayout(fromStorage: $0) { $0 } }
    }

    public func storageLayout(_ file: [T]) -> [T] {
        var out = file
        file.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer { shape.storageLayout(fromFile: f, into: $0) } }
        return out
    }
}
