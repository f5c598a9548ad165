import GrokCore

/// The shape of a deep linear network: `depth` weight matrices, no biases, no activation,
/// inputs -> width -> ... -> width -> outputs (depth 1: one inputs -> outputs matrix).
public struct LinearShape: Equatable, Sendable, Codable, CustomStringConvertible {
    public var inputs: Int
    public var width: Int
    public var outputs: Int
    public var depth: Int

    public init(inputs: Int = 2, width: Int = 10, outputs: Int = 2, depth: Int = 3) throws {
        guard depth >= 1 else { throw GrokError("--depth must be at least 1 (got \(depth))") }
        guard width >= 1 else { throw GrokError("--width must be at least 1 (got \(width))") }
        guard inputs >= 1, outputs >= 1 else { throw GrokError("inputs and outputs must be at least 1") }
        // Before any Int product: weights, gradients and the products' temporaries, 8 bytes each.
        let (i, w, o) = (Double(inputs), Double(width), Double(outputs))
        let parameters = depth == 1 ? i * o : i * w + Double(depth - 2) * w * w + w * o
        try MachineInfo.checkMemory(parameters * 8 * 4, for: "--width \(width) --depth \(depth) (\(String(format: "%.3g", parameters)) parameters)")
        self.inputs = inputs; self.width = width; self.outputs = outputs; self.depth = depth
    }

    /// Layer sizes, depth + 1 of them: [inputs, width, ..., width, outputs].
    public var sizes: [Int] {
        [inputs] + [Int](repeating: width, count: depth - 1) + [outputs]
    }

    public var parameterCount: Int {
        let s = sizes
        return (0..<depth).reduce(0) { $0 + s[$1] * s[$1 + 1] }
    }

    public var description: String {
        sizes.map(String.init).joined(separator: "->") + " (depth \(depth), \(parameterCount) parameters)"
    }
}

/// A deep linear network y = W_L ... W_1 x. Weights are row-major out x in (PyTorch's layout).
public struct DeepLinearNetwork: Equatable, Sendable {
    public let shape: LinearShape
    public var layers: [SmallMatrix]

    /// Entries drawn from N(0, std^2) with std = 1/sqrt(width) (issue 12's "N(0, 1/sqrt(width))",
    /// read as the standard deviation), from the seed's "init" stream.
    public init(shape: LinearShape, seed: UInt64) {
        self.shape = shape
        var rng = SeededRandom(seed: seed, stream: "linear-init")
        let std = 1 / Double(shape.width).squareRoot()
        let s = shape.sizes
        layers = (0..<shape.depth).map { l in
            SmallMatrix(rows: s[l + 1], cols: s[l],
                        values: (0..<(s[l + 1] * s[l])).map { _ in std * rng.nextGaussian() })
        }
    }

    public init(shape: LinearShape, layers: [SmallMatrix]) throws {
        let s = shape.sizes
        guard layers.count == shape.depth,
              zip(layers, 0..<shape.depth).allSatisfy({ $0.rows == s[$1 + 1] && $0.cols == s[$1] }) else {
            throw GrokError("weights do not match the shape \(shape)")
        }
        self.shape = shape; self.layers = layers
    }

    /// The end-to-end product P = W_L ... W_1 (outputs x inputs).
    public var product: SmallMatrix {
        layers.dropFirst().reduce(layers[0]) { $1 * $0 }
    }

    /// Sum of squared weights (the L2 penalty without beta).
    public var squaredWeightNorm: Double { layers.reduce(0) { $0 + $1.squaredNorm } }

    /// Loss = mean_n ||y_n - P x_n||^2 + beta * sum ||W_l||^2 and its gradient per layer, from the
    /// batch's second moments (for a linear network the squared error depends on the data only
    /// through them): dLoss/dP = 2 (P Sxx - Syx), dLoss/dW_l = A_l^T (dLoss/dP) B_l^T + 2 beta W_l
    /// with A_l = W_L..W_{l+1}, B_l = W_{l-1}..W_1.
    public func lossAndGradient(_ m: Moments, beta: Double) -> (loss: Double, gradients: [SmallMatrix]) {
        let depth = shape.depth
        // prefix[l] = W_l ... W_1 (prefix[0] = I), built once.
        var prefix = [SmallMatrix.identity(shape.inputs)]
        for l in 0..<depth { prefix.append(layers[l] * prefix[l]) }
        let p = prefix[depth]
        let loss = m.squaredError(p) + beta * squaredWeightNorm
        var g = p * m.xx
        for i in 0..<g.values.count { g.values[i] = 2 * (g.values[i] - m.yx.values[i]) }
        var grads = [SmallMatrix](repeating: SmallMatrix(rows: 0, cols: 0), count: depth)
        var upstream = g   // A_l^T G, walking down from the top layer
        for l in stride(from: depth - 1, through: 0, by: -1) {
            var grad = upstream * prefix[l].transposed
            for i in 0..<grad.values.count { grad.values[i] += 2 * beta * layers[l].values[i] }
            grads[l] = grad
            if l > 0 { upstream = layers[l].transposed * upstream }
        }
        return (loss, grads)
    }

    /// One plain SGD step: W -= lr * grad.
    public mutating func step(_ gradients: [SmallMatrix], lr: Double) {
        for l in 0..<layers.count {
            for i in 0..<layers[l].values.count { layers[l].values[i] -= lr * gradients[l].values[i] }
        }
    }
}

extension SeededRandom {
    /// A standard normal draw (Box-Muller; one of the pair is used, so the stream is simple).
    public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

import Foundation
