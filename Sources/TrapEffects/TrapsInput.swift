import Foundation
import GrokCore
import RunFiles
import Tensors
import Diagnostics

/// What `grok-analyze traps` reads, through the analyzer's own reader (WeightFiles), so it
/// takes every path `grok-analyze` takes: a .safetensors or .npy file; a folder of them (their
/// tensors together, as one model's layers: fc1.npy and fc2.npy); a run directory (its last
/// snapshot, and the run for the ablation's effect).
enum TrapsInput {
    /// The tensors behind `url`, and the run they belong to (nil when none).
    static func read(_ url: URL) throws -> (tensors: [Tensor], run: URL?) {
        do {
            let sources = try WeightFiles.resolve(url.path)
            if let last = sources.last, let run = last.run {
                return (try WeightFiles.tensors(of: last), run)
            }
            var tensors: [Tensor] = []
            for source in sources {
                for t in try WeightFiles.tensors(of: source) {
                    guard !tensors.contains(where: { $0.name == t.name }) else {
                        throw GrokError("\(url.path): more than one file holds a tensor named \(t.name); name one file")
                    }
                    tensors.append(t)
                }
            }
            let run = sources.count == 1 ? RunDirectory.containing(snapshot: sources[0].url)?.url : nil
            return (tensors, run)
        } catch let failure as FileFailure {
            throw GrokError(failure.description)
        }
    }
}
