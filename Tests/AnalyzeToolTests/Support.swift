import XCTest
import Foundation
import GrokCore
import Tensors

/// Runs the real `grok-analyze` executable (built next to the test bundle).
enum Tool {
    static func url(_ name: String) throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        // Locally a missing executable skips these tests; in CI (CI=true) it is a failure,
        // so a green CI run always ran them (.ci/run builds the executables first).
        let why = "\(name) is not built next to the tests (run `swift build -c release` first)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(why)
            throw GrokError(why)
        }
        throw XCTSkip(why)
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error: ") } }
    }

    static func analyze(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = try url("grok-analyze")
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["GROKLAB_REEXEC"] = "1"
        env["OPENBLAS_CORETYPE"] = nil   // a forced kernel adds a note line the one-line checks would count
        p.environment = env
        // Output to files, not pipes: nothing can block on a full pipe, whatever the order.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("analyze-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out; p.standardError = err
        try p.run()
        p.waitUntilExit()
        try out.close(); try err.close()
        return Result(status: p.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase, _ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("analyze-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Gaussian entries (Box-Muller on a seeded stream), scaled like PyTorch's default init.
func gaussian(rows: Int, cols: Int, seed: UInt64) -> [Double] {
    var rng = SeededRandom(seed: seed, stream: "analyze-tests")
    return (0..<(rows * cols)).map { _ in
        let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2) / Double(cols).squareRoot()
    }
}

/// A PyTorch-layout MLP checkpoint: fc1 [rows0, 784] + biases and so on.
func writeMLP(_ url: URL, widths: [Int] = [784, 60, 40, 10], seed: UInt64) throws {
    var tensors: [Tensor] = []
    for k in 1..<widths.count {
        tensors.append(Tensor(name: "fc\(k).weight", shape: [widths[k], widths[k - 1]],
                              doubles: gaussian(rows: widths[k], cols: widths[k - 1], seed: seed &+ UInt64(k))))
        tensors.append(Tensor(name: "fc\(k).bias", shape: [widths[k]], doubles: [Double](repeating: 0.01, count: widths[k])))
    }
    try SafeTensors.write(tensors, to: url)
}

/// A small RFC 4180 reader: the header's names to each row's cells.
func parseCSV(_ text: String) -> [[String: String]] {
    var records: [[String]] = [], record: [String] = [], cell = "", quoted = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" { if chars.first == "\"" { cell.append("\""); chars.removeFirst() } else { quoted = false } }
            else { cell.append(c) }
        } else if c == "\"" { quoted = true }
        else if c == "," { record.append(cell); cell = "" }
        else if c == "\n" { record.append(cell); records.append(record); record = []; cell = "" }
        else { cell.append(c) }
    }
    if !cell.isEmpty || !record.isEmpty { record.append(cell); records.append(record) }
    guard let header = records.first else { return [] }
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// The test bundle's copy of the HTSR fixtures (two matrices and WeightWatcher 0.7.7's output).
func fixture(_ name: String) throws -> URL {
    try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures").appendingPathComponent(name)
}
