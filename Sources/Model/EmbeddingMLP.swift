import Foundation
import GrokCore
import Tensors

/// arXiv 2606.13753's model for modular addition (its code's run_denserho.py): a token
/// embedding E [vocab, d] shared by both operands, the two embeddings concatenated (2d), a
/// hidden layer (2d -> H) with GELU, an output layer (H -> classes). A step is, in order:
///   EmbeddingLayer.forward   h0 [B, 2d]
///   DenseLayer.forward       z1 [B, H] = h0 W1^T + b1      GELULayer.forward   a1 = gelu(z1), Phi(z1)
///   DenseLayer.forward       z2 [B, C] = a1 W2^T + b2      LossLayer           dz2
///   DenseLayer.backward      dW2, db2, da1                 GELULayer.backward  dz1
///   DenseLayer.backward      dW1, db1, dh0                 EmbeddingLayer.backward dE
///
/// Parameters live in file layout (storage = file): embed.weight [vocab, d], fc1.weight
/// [H, 2d], fc1.bias [H], fc2.weight [C, H], fc2.bias [C]. Inputs are rows of two token ids
/// (as Scalars). Buffers are allocated once per row count (training batch, each evaluated set).
public final class EmbeddingMLP<T: BLASScalar>: TrainableNetwork {
    public typealias Scalar = T
    public let vocab: Int, dim: Int, hidden: Int, classes: Int
    public static var slots: Int { 2 }
    public let layout: ParameterLayout
    public var threads = 1
    public let parameters: UnsafeMutableBufferPointer<T>
    public let gradients: UnsafeMutableBufferPointer<T>
    var workspaces: [Int: TokenWorkspace<T>] = [:]

    public init(vocab: Int, dim: Int, hidden: Int, classes: Int) {
        precondition(vocab > 0 && dim > 0 && hidden > 0 && classes > 0, "EmbeddingMLP sizes must be positive")
        self.vocab = vocab; self.dim = dim; self.hidden = hidden; self.classes = classes
        layout = Self.layout(vocab: vocab, dim: dim, hidden: hidden, classes: classes)
        parameters = allocateZeroed(layout.parameterCount)
        gradients = allocateZeroed(layout.parameterCount)
    }

    deinit { deallocate(parameters); deallocate(gradients) }

    public static func layout(vocab: Int, dim: Int, hidden: Int, classes: Int) -> ParameterLayout {
        ParameterLayout([
            ("embed.weight", "embed", [vocab, dim]),
            ("fc1.weight", "fc1", [hidden, slots * dim]), ("fc1.bias", "fc1", [hidden]),
            ("fc2.weight", "fc2", [classes, hidden]), ("fc2.bias", "fc2", [classes]),
        ])
    }

    func pointer(_ i: Int) -> UnsafeMutablePointer<T> { parameters.baseAddress! + layout.tensors[i].offset }
    func gradient(_ i: Int) -> UnsafeMutablePointer<T> { gradients.baseAddress! + layout.tensors[i].offset }
    var width0: Int { Self.slots * dim }

    /// arXiv 2606.13753's init: Gaussian weights with std 1/sqrt(fan_in) (E: 1/sqrt(d)), biases
    /// 1e-6 * N(0, 1); everything times `scale`. Draw order: the file layout's.
    public func initialize(scale: Double, rng: inout SeededRandom) {
        let std = [1 / Double(dim).squareRoot(), 1 / Double(width0).squareRoot(), 1e-6,
                   1 / Double(hidden).squareRoot(), 1e-6]
        for (t, s) in zip(layout.tensors, std) {
            for i in t.range { parameters[i] = T(rng.nextGaussian() * s * scale) }
        }
    }

    func workspace(rows: Int) -> TokenWorkspace<T> {
        if let w = workspaces[rows] { return w }
        let w = TokenWorkspace<T>(rows: rows, width0: width0, hidden: hidden, classes: classes)
        workspaces[rows] = w
        return w
    }

    /// The forward pairs into `ws`: logits in ws.z2.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(tokens: UnsafePointer<T>, rows: Int) -> UnsafeBufferPointer<T> {
        let ws = workspace(rows: rows)
        forward(tokens: tokens, rows: rows, in: ws)
        return UnsafeBufferPointer(start: ws.z2, count: rows * classes)
    }

    func forward(tokens: UnsafePointer<T>, rows: Int, in ws: TokenWorkspace<T>) {
        EmbeddingLayer.forward(tokens: tokens, rows: rows, slots: Self.slots, table: pointer(0), dim: dim, out: ws.h0)
        DenseLayer.forward(x: ws.h0, rows: rows, nIn: width0, nOut: hidden, weight: pointer(1), bias: pointer(2), out: ws.z1)
        GELULayer.forward(ws.z1, count: rows * hidden, out: ws.a1, cdf: ws.phi)
        DenseLayer.forward(x: ws.a1, rows: rows, nIn: hidden, nOut: classes, weight: pointer(3), bias: pointer(4), out: ws.z2)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func gradientStep(batch: LayerBatch<T>, loss kind: Loss) -> Double {
        guard let labels = batch.labels else { preconditionFailure("EmbeddingMLP: the batch has no labels") }
        let rows = batch.count, ws = workspace(rows: rows)
        forward(tokens: batch.inputs, rows: rows, in: ws)
        let value = LossLayer.backward(kind, logits: ws.z2, labels: labels, rows: rows, classes: classes, gradient: ws.dz2)
        DenseLayer.backward(dz: ws.dz2, x: ws.a1, rows: rows, nIn: hidden, nOut: classes, weight: pointer(3),
                            weightGradient: gradient(3), biasGradient: gradient(4), dx: ws.da1)
        GELULayer.backward(ws.z1, cdf: ws.phi, count: rows * hidden, gradient: ws.da1)
        DenseLayer.backward(dz: ws.da1, x: ws.h0, rows: rows, nIn: width0, nOut: hidden, weight: pointer(1),
                            weightGradient: gradient(1), biasGradient: gradient(2), dx: ws.dh0)
        EmbeddingLayer.backward(tokens: batch.inputs, rows: rows, slots: Self.slots, dim: dim, vocab: vocab,
                                dOut: ws.dh0, tableGradient: gradient(0))
        return value
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func evaluate(inputs: UnsafePointer<T>, labels: UnsafePointer<Int32>, count: Int, loss kind: Loss,
                         rows _: SparseRowsView<T>? = nil) -> (loss: Double, accuracy: Double) {
        guard count > 0 else { return (.nan, .nan) }
        let ws = workspace(rows: count)
        forward(tokens: inputs, rows: count, in: ws)
        let loss = LossLayer.forward(kind, logits: ws.z2, labels: labels, rows: count, classes: classes)
        let correct = LossLayer.correct(logits: ws.z2, labels: labels, rows: count, classes: classes)
        return (loss, Double(correct) / Double(count))
    }

    public func norms() -> (total: Double, weights: Double, perLayer: [Double]) {
        layout.norms(of: UnsafeBufferPointer(parameters))
    }

    public func fileParameters() -> [T] { Array(parameters) }
    public func setFileParameters(_ values: [T]) {
        precondition(values.count == parameters.count, "EmbeddingMLP: \(values.count) values for \(parameters.count) parameters")
        _ = parameters.update(fromContentsOf: values)
    }
    public func fileLayout(_ storage: [T]) -> [T] { storage }
    public func storageLayout(_ file: [T]) -> [T] { file }
}

/// One row count's activation and gradient buffers.
final class TokenWorkspace<T: BLASScalar> {
    let h0, z1, phi, a1, z2, dz2, da1, dh0: UnsafeMutablePointer<T>
    init(rows: Int, width0: Int, hidden: Int, classes: Int) {
        func buffer(_ n: Int) -> UnsafeMutablePointer<T> { allocateZeroed(n).baseAddress! }
        h0 = buffer(rows * width0); dh0 = buffer(rows * width0)
        z1 = buffer(rows * hidden); phi = buffer(rows * hidden); a1 = buffer(rows * hidden); da1 = buffer(rows * hidden)
        z2 = buffer(rows * classes); dz2 = buffer(rows * classes)
    }
    deinit { for p in [h0, z1, phi, a1, z2, dz2, da1, dh0] { UnsafeMutableRawPointer(p).deallocate() } }
}

extension SeededRandom {
    /// A standard normal draw (Box-Muller, the cosine branch; two uniforms per draw).
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextUnit(), u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
