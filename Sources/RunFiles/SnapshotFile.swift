import Foundation
import GrokCore
import Tensors

/// A snapshot file: the weights as a PyTorch state dict would save them, `fc1.weight`
/// [out, in], `fc1.bias` [out], ..., so torch, numpy and WeightWatcher load them directly.
/// The one writer and reader of that layout (training's snapshots, the warning checkpoint,
/// the relabel and backfill analyses, the trap ablation, the trained-density benchmark).
public enum SnapshotFile {
    /// Any model's named tensors (the token model: `embed.weight` [P, d] first) in its
    /// parameter layout's order and shapes, in the training precision.
    public static func tensors<T: BLASScalar>(layout: ParameterLayout, parameters: UnsafeBufferPointer<T>) -> [Tensor] {
        layout.tensors.map { t in
            let values = Array(parameters[t.range])
            if T.self == Double.self { return Tensor(name: t.name, shape: t.dims, doubles: reinterpreted(values, as: Double.self)) }
            return Tensor(name: t.name, shape: t.dims, floats: values.map { Float($0) })
        }
    }

    /// Any model's parameters in file order (float64) from a snapshot's tensors, each
    /// checked against `layout`'s shapes.
    public static func parameters(_ tensors: [Tensor], layout: ParameterLayout) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(layout.parameterCount)
        for t in layout.tensors {
            guard let f = tensors.first(where: { $0.name == t.name }) else { throw GrokError("the snapshot has no tensor '\(t.name)'") }
            guard f.shape == t.dims else { throw GrokError("\(t.name) has shape \(f.shape), expected \(t.dims)") }
            out += try f.doubles()
        }
        return out
    }

    /// Any model's weight matrices (named by layer: "fc1", "embed", ...; row-major float64),
    /// each checked against `layout`'s shapes.
    public static func weights(_ tensors: [Tensor], layout: ParameterLayout) throws -> [(name: String, rows: Int, cols: Int, values: [Double])] {
        try layout.weights.map { w in
            guard let f = tensors.first(where: { $0.name == w.name }) else { throw GrokError("the snapshot has no tensor '\(w.name)'") }
            guard f.shape == w.dims else { throw GrokError("\(w.name) has shape \(f.shape), expected \(w.dims)") }
            return (w.layer, w.dims[0], w.dims[1], try f.doubles())
        }
    }

    /// Writes any model's snapshot at `step` (the step and the producer go in the metadata,
    /// with `metadata` added).
    public static func write<T: BLASScalar>(layout: ParameterLayout, parameters: UnsafeBufferPointer<T>,
                                            step: Int, to url: URL, metadata: [String: String] = [:]) throws {
        var meta = ["step": String(step), "format": "pt", "producer": "GrokLab \(GrokLabVersion.string)"]
        for (k, v) in metadata { meta[k] = v }
        try SafeTensors.write(tensors(layout: layout, parameters: parameters), metadata: meta, to: url)
    }


    /// Reads a file's tensors, naming the file in any error.
    public static func read(_ url: URL) throws -> [Tensor] {
        try SafeTensors.read(url).tensors
    }
}
