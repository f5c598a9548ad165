/// The named tensors of a network's flat parameter buffer in file (PyTorch) layout: what
/// snapshots, checkpoints, observers, the norm clamp and the optimizer's weight-decay mask need
/// to know about a model without knowing which model it is. Tensors are contiguous, in order.
public struct ParameterLayout: Sendable, Equatable {
    public struct Tensor: Sendable, Equatable {
        /// PyTorch's state-dict name, e.g. "fc1.weight", "embed.weight".
        public let name: String
        /// The layer it belongs to ("fc1", "embed"): norms per layer and HTSR rows use it.
        public let layer: String
        /// [rows, cols] for a weight matrix (row-major, [out, in] or [vocab, dim]), [n] for a bias.
        public let dims: [Int]
        public let offset: Int
        /// A weight matrix (counted in the weight norm, clamped, decayed), or a bias.
        public var isWeight: Bool { dims.count == 2 }
        public var count: Int { dims.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public let tensors: [Tensor]
    public let parameterCount: Int

    /// `entries` in buffer order: (name, layer, dims).
    public init(_ entries: [(name: String, layer: String, dims: [Int])]) {
        var offset = 0
        var tensors: [Tensor] = []
        for e in entries {
            tensors.append(Tensor(name: e.name, layer: e.layer, dims: e.dims, offset: offset))
            offset += e.dims.reduce(1, *)
        }
        self.tensors = tensors
        parameterCount = offset
    }

    /// The weight matrices, in order (the layers HTSR analyses).
    public var weights: [Tensor] { tensors.filter(\.isWeight) }
    public var weightRanges: [Range<Int>] { weights.map(\.range) }
    /// Layer names in order of first appearance.
    public var layerNames: [String] {
        var seen: [String] = []
        for t in tensors where !seen.contains(t.layer) { seen.append(t.layer) }
        return seen
    }

    /// L2 norms of a file-layout buffer (accumulated in Double in buffer order): all
    /// parameters, weight matrices only, and per layer (weight + bias).
    public func norms<T: BinaryFloatingPoint>(of parameters: UnsafeBufferPointer<T>) -> (total: Double, weights: Double, perLayer: [Double]) {
        var total = 0.0, weightSum = 0.0
        var perLayer: [String: Double] = [:]
        for t in tensors {
            var s = 0.0
            for i in t.range { let v = Double(parameters[i]); s += v * v }
            total += s
            if t.isWeight { weightSum += s }
            perLayer[t.layer, default: 0] += s
        }
        return (total.squareRoot(), weightSum.squareRoot(), layerNames.map { perLayer[$0]!.squareRoot() })
    }
}
