import GrokCore

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
