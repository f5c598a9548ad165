import GrokCore
import Tensors

/// The widths of a fully connected ReLU network and where each tensor lives in the flat
/// parameter buffer. Layout (PyTorch names and layouts, contiguous in this order):
/// fc1.weight [w1, w0] row-major, fc1.bias [w1], fc2.weight [w2, w1], fc2.bias [w2], ...
public struct MLPShape: Codable, Sendable, Equatable {
    public let widths: [Int]
    /// offsets[l] = start of layer l's weight; offsets[layerCount] = parameterCount.
    let offsets: [Int]

    public init(widths: [Int]) throws {
        guard widths.count >= 2 else {
            throw GrokError("MLP widths need at least 2 entries (input and output), got \(widths)")
        }
        guard widths.allSatisfy({ $0 > 0 }) else {
            throw GrokError("MLP widths must all be positive, got \(widths)")
        }
        var offsets = [0]
        for l in 0..<(widths.count - 1) {
            let (w, o1) = widths[l + 1].multipliedReportingOverflow(by: widths[l])
            let (wb, o2) = w.addingReportingOverflow(widths[l + 1])
            let (end, o3) = offsets[l].addingReportingOverflow(wb)
            guard !o1, !o2, !o3 else { throw GrokError("MLP widths \(widths) are too large (parameter count overflows)") }
            offsets.append(end)
        }
        self.widths = widths
        self.offsets = offsets
    }

    public var layerCount: Int { widths.count - 1 }
    public var parameterCount: Int { offsets[layerCount] }
    public func layerName(_ l: Int) -> String { "fc\(l + 1)" }
    public func weightRange(_ l: Int) -> Range<Int> { offsets[l]..<(offsets[l] + widths[l + 1] * widths[l]) }
    public func biasRange(_ l: Int) -> Range<Int> { (offsets[l] + widths[l + 1] * widths[l])..<offsets[l + 1] }

    // Encoded as {"widths": [...]}; decoding validates like init(widths:).
    enum CodingKeys: String, CodingKey { case widths }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(widths: c.decode([Int].self, forKey: .widths))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(widths, forKey: .widths)
    }
}

/// Training objective. MSE is against the one-hot label (the grokking recipe's loss);
/// CE is softmax cross-entropy.
public enum Loss: String, Codable, Sendable, CaseIterable { case mse, ce }

/// Which kernels run a layer's forward/backward pair. Both give the same results within
/// rounding; sparse skips the exact zeros of the input pixels and of the ReLU outputs.
public enum KernelChoice: String, Codable, Sendable, CaseIterable { case sparse, dense }

// MARK: storage layout

/// The model stores each weight input-major, W^T [in, out] at the same offset the file layout
/// gives W [out, in]: then a row of the forward product (x W^T) and a row of the weight
/// gradient (dz^T x, transposed) are sums of contiguous `out`-wide rows, which is what the
/// sparse kernels need. Files (snapshots, checkpoints) and observers always see PyTorch's
/// layout; these two functions are the only crossing. Biases are the same in both.
extension MLPShape {
    /// A storage-layout buffer (parameters, or any per-parameter optimizer state) in file layout.
    /// (Specialized for the training precisions: every evaluation and checkpoint crosses here
    /// with a few hundred thousand values, which the unspecialized generic copies one value
    /// witness call at a time.)
    @_specialize(where T == Double, U == Double)
    @_specialize(where T == Float, U == Float)
    @_specialize(where T == Float, U == Double)
    public func fileLayout<T, U>(fromStorage s: UnsafeBufferPointer<T>, as convert: (T) -> U) -> [U] {
        precondition(s.count == parameterCount, "fileLayout: \(s.count) values for \(parameterCount) parameters")
        var out = [U]()
        out.reserveCapacity(parameterCount)
        for l in 0..<layerCount {
            let nIn = widths[l], nOut = widths[l + 1], w = offsets[l]
            for o in 0..<nOut { for i in 0..<nIn { out.append(convert(s[w + i * nOut + o])) } }
            for i in biasRange(l) { out.append(convert(s[i])) }
        }
        return out
    }

    /// A file-layout buffer into storage layout.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    public func storageLayout<T>(fromFile f: UnsafeBufferPointer<T>, into s: UnsafeMutableBufferPointer<T>) {
        precondition(f.count == parameterCount && s.count == parameterCount, "storageLayout: size mismatch")
        for l in 0..<layerCount {
            let nIn = widths[l], nOut = widths[l + 1], w = offsets[l]
            for o in 0..<nOut { for i in 0..<nIn { s[w + i * nOut + o] = f[w + o * nIn + i] } }
            for i in biasRange(l) { s[i] = f[i] }
        }
    }

    /// Position in storage layout of file-layout index `i`.
    public func storageIndex(ofFileIndex i: Int) -> Int {
        for l in 0..<layerCount where weightRange(l).contains(i) {
            let nIn = widths[l], nOut = widths[l + 1], w = offsets[l]
            let o = (i - w) / nIn, k = (i - w) % nIn
            return w + k * nOut + o
        }
        return i
    }
}

extension MLPShape {
    /// fc1.weight [w1, w0], fc1.bias [w1], fc2.weight, ... (the same offsets as the shape's).
    public var layout: ParameterLayout {
        var entries: [(name: String, layer: String, dims: [Int])] = []
        for l in 0..<layerCount {
            let name: String = layerName(l)
            let out: Int = widths[l + 1], nIn: Int = widths[l]
            entries.append((name: name + ".weight", layer: name, dims: [out, nIn]))
            entries.append((name: name + ".bias", layer: name, dims: [out]))
        }
        return ParameterLayout(entries)
    }
}
