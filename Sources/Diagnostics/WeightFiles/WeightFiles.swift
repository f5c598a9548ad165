import Foundation
import GrokCore
import HTSR
import RunFiles
import Tensors

/// Turns paths into named weight matrices: the input side of grok-analyze, with no knowledge
/// of the analysis. Every problem is tied to one file, and one bad file never stops the rest.
public enum WeightFiles {
    /// File kinds read, by extension.
    static let extensions: Set<String> = ["safetensors", "npy"]

    /// The files behind command-line paths, in the order given. Each path is: a .safetensors
    /// or .npy file; a GrokLab run directory (config.json + snapshots/: its snapshots in step
    /// order); or a directory of .safetensors/.npy files (sorted by name, not recursive).
    /// A path that is none of these becomes a failure; the others are still returned.
    public static func resolve(_ paths: [String]) -> (sources: [WeightSource], failures: [FileFailure]) {
        var sources: [WeightSource] = [], failures: [FileFailure] = []
        for path in paths {
            do { sources += try resolve(path) } catch let f as FileFailure { failures.append(f) } catch {
                failures.append(FileFailure(path: path, problem: "\(error)"))
            }
        }
        return (sources, failures)
    }

    /// The files behind one path (see `resolve(_:)` for the rules). Throws a FileFailure.
    public static func resolve(_ path: String) throws -> [WeightSource] {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FileFailure(path: path, problem: "no such file or directory")
        }
        if !isDirectory.boolValue {
            guard extensions.contains(url.pathExtension.lowercased()) else {
                throw FileFailure(path: path, problem: "not a .safetensors or .npy file")
            }
            return [WeightSource(url: url, path: path)]
        }
        if isRunDirectory(url) { return try snapshots(ofRun: url, path: path) }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: url.path) } catch {
            throw FileFailure(path: path, problem: "cannot list directory: \(error.localizedDescription)")
        }
        let files = names.filter { !$0.hasPrefix(".") && extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
            .sorted()
            .map { url.appendingPathComponent($0) }
            .filter { !isDirectoryURL($0) }
        guard !files.isEmpty else {
            throw FileFailure(path: path, problem: "directory holds no .safetensors or .npy files (and is not a run directory: no config.json + snapshots/)")
        }
        return files.map { WeightSource(url: $0, path: joined(path, $0.lastPathComponent)) }
    }

    /// A GrokLab run directory has config.json and a snapshots/ folder.
    public static func isRunDirectory(_ url: URL) -> Bool {
        let run = RunDirectory(url)
        return run.isRunDirectory && isDirectoryURL(run.snapshotsURL)
    }

    static func isDirectoryURL(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// `snapshots/step-<digits>.safetensors`, in step order (not name order: the padding is
    /// 10 digits, but a hand-made run may pad less).
    static func snapshots(ofRun run: URL, path: String) throws -> [WeightSource] {
        let files = RunDirectory(run)
        guard FileManager.default.isReadableFile(atPath: files.snapshotsURL.path) else {
            throw FileFailure(path: path, problem: "cannot list snapshots/: permission denied")
        }
        let snapshots = files.snapshots()
        guard !snapshots.isEmpty else {
            throw FileFailure(path: path, problem: "run directory has no snapshots/step-*.safetensors yet")
        }
        return snapshots.map {
            WeightSource(url: $0.url, path: joined(joined(path, RunFileName.snapshots), $0.url.lastPathComponent), step: $0.step, run: run)
        }
    }

    /// "dir" + "a.npy" = "dir/a.npy" (and "dir/" + "a.npy" too).
    static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Reads one file and keeps the weight matrices: 2-D tensors (dense) and 4-D ones
    /// (Conv2D), floating point, finite. `layers` (exact tensor names) selects some; a name
    /// the file does not have fails the file, listing the names it does have.
    public static func load(_ source: WeightSource, layers selection: [String]? = nil) throws -> WeightFile {
        let tensors = try self.tensors(of: source)
        let names = tensors.map(\.name)
        var chosen = tensors
        if let selection {
            let unknown = selection.filter { !names.contains($0) }
            guard unknown.isEmpty else {
                let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
                throw FileFailure(path: source.path, problem: "no tensor named \(list) (available: \(names.joined(separator: ", ")))")
            }
            chosen = tensors.filter { selection.contains($0.name) }
        }
        var file = WeightFile(source: source, layers: [], skipped: [], layerErrors: [], tensorNames: names)
        for tensor in chosen {
            switch layer(from: tensor) {
            case .layer(let l): file.layers.append(l)
            case .skipped(let s): file.skipped.append(s)
            case .error(let e): file.layerErrors.append(e)
            }
        }
        return file
    }

    /// Every tensor of one file, whatever its format (.npy: one tensor named after the file):
    /// the one reader behind every command that takes weight files. Throws a FileFailure.
    public static func tensors(of source: WeightSource) throws -> [Tensor] {
        do {
            switch source.url.pathExtension.lowercased() {
            case "npy": return [try NPY.read(source.url)]
            default: return try SafeTensors.read(source.url).tensors
            }
        } catch let e as GrokError {
            throw FileFailure(path: source.path, problem: e.message, alsoKnownAs: source.url.path)
        } catch {
            throw FileFailure(path: source.path, problem: "\(error)")
        }
    }

    enum Outcome { case layer(LayerInput), skipped(SkippedTensor), error(LayerError) }

    /// One tensor to a layer, or the reason it is not one.
    static func layer(from t: Tensor) -> Outcome {
        func skip(_ reason: String) -> Outcome { .skipped(SkippedTensor(name: t.name, reason: reason)) }
        let dims = t.shape.count
        guard dims == 2 || dims == 4 else {
            return skip(dims <= 1 ? "\(dims)-D" : "\(dims)-D (only 2-D matrices and 4-D Conv2D kernels are analysed)")
        }
        guard t.dtype.isFloatingPoint else {
            return skip("\(t.dtype.rawValue) (weights are floating point)")
        }
        if let bad = t.firstNonFinite() {
            let index = t.multiIndex(ofFlatIndex: bad.index).map(String.init).joined(separator: ", ")
            let what = bad.value.isNaN ? "NaN" : (bad.value > 0 ? "+Inf" : "-Inf")
            return .error(LayerError(name: t.name, message: "\(t.name)[\(index)] is \(what)"))
        }
        let values: [Double]
        do { values = try t.doubles() } catch {
            return .error(LayerError(name: t.name, message: "\(t.name): \(error)"))
        }
        let s = t.shape
        let shape: LayerInput.Shape = dims == 2 ? .dense(rows: s[0], cols: s[1]) : .conv2d(out: s[0], in: s[1], kh: s[2], kw: s[3])
        return .layer(LayerInput(name: t.name, shape: shape, values: values))
    }
}
