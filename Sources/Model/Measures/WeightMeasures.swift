import Foundation

/// Measures read off the weights alone (no data).
public enum WeightMeasures {
    /// Absolute weight entropy of one matrix, -sum |w| ln(|w| + 1e-8) (Golechha; the 1e-8 is
    /// the authors' code's guard, so that w = 0 contributes 0 instead of NaN).
    public static func absoluteEntropy(_ w: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for x in w { let a = abs(x); s -= a * log(a + 1e-8) }
        return s
    }

    /// Entropy of every layer's weight matrix (biases excluded), in layer order.
    public static func absoluteEntropies(parameters: UnsafeBufferPointer<Double>, shape: MLPShape) -> [Double] {
        (0..<shape.layerCount).map { l in
            absoluteEntropy(UnsafeBufferPointer(rebasing: parameters[shape.weightRange(l)]))
        }
    }

    /// L2 norms: of all parameters (biases too: the authors' code's "total norm") and of the
    /// weight matrices only (Prakash & Martin's sqrt(sum_l ||W_l||_F^2)).
    public static func l2Norms(parameters: UnsafeBufferPointer<Double>, shape: MLPShape) -> (all: Double, weights: Double) {
        var weights = 0.0, biases = 0.0
        for l in 0..<shape.layerCount {
            for i in shape.weightRange(l) { weights += parameters[i] * parameters[i] }
            for i in shape.biasRange(l) { biases += parameters[i] * parameters[i] }
        }
        return ((weights + biases).squareRoot(), weights.squareRoot())
    }
}
