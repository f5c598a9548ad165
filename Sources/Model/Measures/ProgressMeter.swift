import Foundation
import GrokCore

/// Options of the competing progress measures (sparsity, entropy, circuit complexity).
public struct MeasureOptions: Sendable, Equatable {
    /// Activation sparsity threshold: a first-hidden-layer activation < tau counts as off.
    /// Also the centre of the smooth variant, sigmoid(-(a - tau) / smoothWidth).
    public var tau: Double = 1.0
    public var smoothWidth: Double = 0.3
    /// Prakash & Martin's (arXiv 2506.04434) circuit complexity: fraction of each layer's weights zeroed.
    public var lccPaperFraction: Double = 0.1
    /// The authors' code's circuit complexity: dropout probability on every weight.
    public var lccCodeDropout: Double = 0.5
    /// The authors' code adds this to both distributions inside the KL.
    public var lccCodeEpsilon: Double = 1e-8

    public init() {}
}

/// One evaluation's progress measures.
public struct ProgressMeasures: Sendable, Equatable {
    /// Fraction of first-hidden-layer (post-ReLU) probe activations below tau.
    public let sparsity: Double
    /// mean(sigmoid(-(a - tau) / 0.3)) over the same activations.
    public let sparsitySmooth: Double
    /// -sum |w| ln(|w| + 1e-8) per layer's weight matrix (FC1 is the headline).
    public let entropy: [Double]
    /// Prakash & Martin's: sum over probe examples of KL(softmax(f_W(x)) || softmax(f_W'(x))), W' =
    /// W with 10% of each layer's weights zeroed.
    public let lccPaper: Double
    /// The authors' code's: dropout 0.5 on every weight (survivors x2), KL with +1e-8 inside
    /// both distributions, averaged over probe examples.
    public let lccCode: Double
    /// L2 norm of all parameters and of the weight matrices only.
    public let l2All: Double
    public let l2Weights: Double
}

/// Computes the progress measures of a network on a fixed probe batch. Holds its scratch
/// buffers (allocated once), so one meter serves one thread: the training thread.
///
/// Randomness: the masks of step s come from SeededRandom(seed:, stream: "lcc-paper-s") and
/// "lcc-code-s": the same for a resumed run as for an uninterrupted one, and independent of
/// the order or number of earlier calls.
public final class ProgressMeter {
    public let shape: MLPShape
    public let options: MeasureOptions
    public let seed: UInt64
    let probe: [Double]
    let count: Int
    var clean: ProbeForward
    var perturbed: ProbeForward
    var scratch: [Double]

    /// `probeInputs` is `count x widths[0]` row-major, count = probeInputs.count / widths[0].
    public init(shape: MLPShape, probeInputs: [Double], seed: UInt64, options: MeasureOptions = MeasureOptions()) throws {
        guard shape.layerCount >= 1, shape.widths[0] > 0, probeInputs.count % shape.widths[0] == 0 else {
            throw GrokError("probe batch of \(probeInputs.count) values is not a whole number of \(shape.widths.first ?? 0)-pixel examples")
        }
        self.shape = shape; self.options = options; self.seed = seed
        probe = probeInputs
        count = probeInputs.count / shape.widths[0]
        clean = ProbeForward(shape: shape, count: count)
        perturbed = ProbeForward(shape: shape, count: count)
        scratch = [Double](repeating: 0, count: shape.parameterCount)
    }

    /// All measures for the weights `parameters` (the shape's flat layout) at `step`.
    public func measure(parameters: [Double], step: Int) throws -> ProgressMeasures {
        guard parameters.count == shape.parameterCount else {
            throw GrokError("progress measures: \(parameters.count) parameters, the shape \(shape.widths) has \(shape.parameterCount)")
        }
        let hidden = shape.layerCount >= 2
        return parameters.withUnsafeBufferPointer { params in
            probe.withUnsafeBufferPointer { inputs in
                clean.run(parameters: params, inputs: inputs)
                var off = 0, smooth = 0.0
                let acts = clean.output(0)
                if hidden {
                    for a in acts {
                        if a < options.tau { off += 1 }
                        smooth += 1 / (1 + exp((a - options.tau) / options.smoothWidth))
                    }
                }
                let n = Double(acts.count)
                let norms = WeightMeasures.l2Norms(parameters: params, shape: shape)
                return ProgressMeasures(
                    sparsity: hidden && n > 0 ? Double(off) / n : .nan,
                    sparsitySmooth: hidden && n > 0 ? smooth / n : .nan,
                    entropy: WeightMeasures.absoluteEntropies(parameters: params, shape: shape),
                    lccPaper: circuitComplexity(params, inputs, .zeroFraction(options.lccPaperFraction), stream: "lcc-paper-\(step)"),
                    lccCode: circuitComplexity(params, inputs, .dropout(options.lccCodeDropout), stream: "lcc-code-\(step)"),
                    l2All: norms.all, l2Weights: norms.weights)
            }
        }
    }

    /// KL between the clean logits (from the last `clean.run`) and those of a perturbed copy.
    func circuitComplexity(_ params: UnsafeBufferPointer<Double>, _ inputs: UnsafeBufferPointer<Double>,
                           _ perturbation: CircuitPerturbation, stream: String) -> Double {
        var rng = SeededRandom(seed: seed, stream: stream)
        let classes = shape.widths[shape.layerCount]
        return scratch.withUnsafeMutableBufferPointer { copy in
            _ = copy.update(fromContentsOf: params)
            perturbation.apply(to: copy, shape: shape, rng: &rng)
            perturbed.run(parameters: UnsafeBufferPointer(copy), inputs: inputs)
            return clean.logits.withUnsafeBufferPointer { p in
                perturbed.logits.withUnsafeBufferPointer { q in
                    switch perturbation {
                    case .zeroFraction:
                        return Divergence.klSum(p, q, count: count, classes: classes)
                    case .dropout:
                        return Divergence.klMeanSmoothed(p, q, count: count, classes: classes, epsilon: options.lccCodeEpsilon)
                    }
                }
            }
        }
    }
}
