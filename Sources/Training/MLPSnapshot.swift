import GrokCore
import Model
import RunFiles
import Tensors

/// The MLP's tensors in a snapshot, by its shape: the names and sizes only the MLP knows, kept
/// with the model's training so the run-file layer needs no model (SnapshotFile reads and
/// writes any model through its ParameterLayout).
extension MLPShape {
    /// The tensor name of layer `l`'s weight or bias ("fc1.weight").
    public func snapshotTensorName(layer l: Int, bias: Bool = false) -> String {
        layerName(l) + (bias ? ".bias" : ".weight")
    }

    /// The parameters in file order (fc1.weight, fc1.bias, fc2.weight, ...) as float64 from a
    /// snapshot's tensors, with the tensors named in `replacing` swapped for the given values.
    /// Every tensor must be there with the element count this shape needs.
    public func parameters(fromSnapshot tensors: [Tensor], replacing: [String: [Double]] = [:]) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(parameterCount)
        for l in 0..<layerCount {
            for (bias, count) in [(false, widths[l + 1] * widths[l]), (true, widths[l + 1])] {
                let name = snapshotTensorName(layer: l, bias: bias)
                guard let t = tensors.first(where: { $0.name == name }) else {
                    throw GrokError("the snapshot has no tensor '\(name)': not a \(widths.map(String.init).joined(separator: "-")) GrokLab MLP")
                }
                let values = try replacing[name] ?? t.doubles()
                guard values.count == count else {
                    throw GrokError("tensor '\(name)' has \(values.count) values, the run's widths \(widths) need \(count)")
                }
                out.append(contentsOf: values)
            }
        }
        return out
    }
}
