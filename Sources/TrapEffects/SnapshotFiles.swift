import Foundation
import GrokCore
import Tensors
import Training

/// The tensors of a snapshot as an MLP's parameters, and the ablated copy written back.
public enum SnapshotFiles {
    /// The parameters in PyTorch file order (fc1.weight, fc1.bias, fc2.weight, ...), with the
    /// tensors named in `replacing` swapped for the given values.
    public static func parameters(_ tensors: [Tensor], widths: [Int], replacing: [String: [Double]] = [:]) throws -> [Double] {
        var out: [Double] = []
        for l in 0..<(widths.count - 1) {
            for (part, count) in [("weight", widths[l + 1] * widths[l]), ("bias", widths[l + 1])] {
                let name = "fc\(l + 1).\(part)"
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

    /// The run directory a snapshot lives in (RUN/snapshots/step-N.safetensors with
    /// RUN/config.json), if any.
    public static func runDirectory(of file: URL) -> URL? {
        let run = file.deletingLastPathComponent().deletingLastPathComponent()
        guard file.deletingLastPathComponent().lastPathComponent == "snapshots",
              FileManager.default.fileExists(atPath: run.appendingPathComponent("config.json").path) else { return nil }
        return run
    }

    public static func config(ofRun run: URL) throws -> TrainingConfig {
        try RunDirectory(run).readConfig()
    }
}
