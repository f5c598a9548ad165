import GrokCore
import Model
import RunFiles
import Tensors

/// The MLP's tensors in a snapshot, by its shape: the names and sizes only the MLP knows, kept
/// with the model's training so the run-file layer needs no model (SnapshotFile reads and
/// writes any model through its ParameterLayout).
extension SnapshotFile {
    /// The tensor name of layer `l`'s weight or bias ("fc1.weight").
    public static func tensorName(_ shape: MLPShape, layer l: Int, bias: Bool = false) -> String {
        shape.layerName(l) + (bias ? ".bias" : ".weight")
    }

    /// The parameters in file order (fc1.weight, fc1.bias, fc2.weight, ...) as float64, with
    /// the tensors named in `replacing` swapped for the given values. Every tensor must be
    /// there with the element count `shape` needs.
    public static func parameters(_ tensors: [Tensor], shape: MLPShape, replacing: [String: [Double]] = [:]) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(shape.parameterCount)
        for l in 0..<shape.layerCount {
            for (bias, count) in [(false, shape.widths[l + 1] * shape.widths[l]), (true, shape.widths[l + 1])] {
                let name = tensorName(shape, layer: l, bias: bias)
                guard let t = tensors.first(where: { $0.name == name }) else {
                    throw GrokError("the snapshot has no tensor '\(name)': not a \(shape.widths.map(String.init).joined(separator: "-")) GrokLab MLP")
                }
                let values = try replacing[name] ?? t.doubles()
                guard values.count == count else {
                    throw GrokError("tensor '\(name)' has \(values.count) values, the run's widths \(shape.widths) need \(count)")
                }
                out.append(contentsOf: values)
            }
        }
        return out
    }
}
