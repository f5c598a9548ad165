import Foundation
import GrokCore
import Tensors

/// The ablated copy of a snapshot, written back beside it (grok-analyze traps --save).
public enum SnapshotFiles {
    /// Writes `tensors` with the replaced values (same names, shapes and dtypes) to a new file;
    /// an existing file is never overwritten.
    public static func writeAblated(_ tensors: [Tensor], replacing: [String: [Double]], to url: URL) throws {
        if FileManager.default.fileExists(atPath: url.path) {
            throw GrokError("\(url.path) already exists: not overwriting it (choose another --save path)")
        }
        let out = try tensors.map { t -> Tensor in
            guard let v = replacing[t.name] else { return t }
            switch t.dtype {
            case .f64: return Tensor(name: t.name, shape: t.shape, doubles: v)
            default: return Tensor(name: t.name, shape: t.shape, floats: v.map { Float($0) })
            }
        }
        try SafeTensors.write(out, metadata: ["ablation": "grok-analyze traps"], to: url)
    }
}
