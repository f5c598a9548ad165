import XCTest
import Foundation

/// The real `tensorboard` package (PyPI) reading event files: its EventAccumulator for one
/// run's scalars and text summaries, its EventMultiplexer for the runs of a folder. Installed
/// with pip when missing; where that is impossible the test skips saying why, except under CI,
/// where it fails (CI must run it: .ci/install-deps installs the package).
enum TensorBoardReader {
    static let script = """
    import json, sys
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.backend.event_processing.plugin_event_multiplexer import EventMultiplexer
    mode, path = sys.argv[1], sys.argv[2]
    def text_tags(acc):
        try:
            return sorted(acc.PluginTagToContent("text").keys())
        except KeyError:
            return []
    if mode == "run":
        acc = EventAccumulator(path, size_guidance={"scalars": 0, "tensors": 0})
        acc.Reload()
        tags = acc.Tags()
        out = {"scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
               "texts": {t: [[e.step, e.tensor_proto.string_val[0].decode()] for e in acc.Tensors(t)] for t in tags["tensors"]},
               "text_plugin": text_tags(acc)}
    else:
        m = EventMultiplexer()
        m.AddRunsFromDirectory(path)
        m.Reload()
        out = {"runs": sorted(m.Runs().keys()),
               "test_accuracy_points": {r: len(m.GetAccumulator(r).Tensors("accuracy/test")) for r in m.Runs()}}
    print(json.dumps(out))
    """

    static func python() -> URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = URL(fileURLWithPath: String(dir)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: p.path) { return p }
        }
        return nil
    }

    static func unavailable(_ why: String) throws -> Never {
        let message = "the tensorboard package (PyPI) is not available: \(why)"
        if Tool.underCI { XCTFail(message); throw NSError(domain: "TensorBoardReader", code: 1) }
        throw XCTSkip(message)
    }

    /// python3 with tensorboard importable, installing it first when it is missing.
    static func ready() throws -> URL {
        guard let python = python() else { try unavailable("no python3 on PATH") }
        if try Tool.run(python, ["-c", "import tensorboard"]).status == 0 { return python }
        let install = try Tool.run(python, ["-m", "pip", "install", "--quiet", "tensorboard"])
        guard install.status == 0, try Tool.run(python, ["-c", "import tensorboard"]).status == 0 else {
            try unavailable("pip install tensorboard failed: " + install.stderr.split(separator: "\n").suffix(2).joined(separator: " "))
        }
        return python
    }

    static func read(_ mode: String, _ path: URL) throws -> [String: Any] {
        let python = try ready()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("groklab-tb-read-\(getpid()).py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Tool.run(python, [file.path, mode, path.path])
        guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw NSError(domain: "TensorBoardReader", code: 2, userInfo: [NSLocalizedDescriptionKey: "the reader failed: \(r.stderr)"])
        }
        return json
    }

    /// One run's scalars (tag -> [(step, value)]) and texts (tag -> [(step, text)]).
    static func run(_ directory: URL) throws -> (scalars: [String: [(Int, Double)]], texts: [String: [(Int, String)]], textPluginTags: [String]) {
        let json = try read("run", directory)
        let scalars = (json["scalars"] as? [String: [[Any]]] ?? [:]).mapValues { $0.map { ($0[0] as! Int, ($0[1] as! NSNumber).doubleValue) } }
        let texts = (json["texts"] as? [String: [[Any]]] ?? [:]).mapValues { $0.map { ($0[0] as! Int, $0[1] as! String) } }
        return (scalars, texts, json["text_plugin"] as? [String] ?? [])
    }
}
