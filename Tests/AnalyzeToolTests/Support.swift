import XCTest
import Foundation
import GrokCore
import Tensors
import TestSupport

extension Tool {
    /// Runs the built `grok-analyze`.
    static func analyze(_ args: [String]) throws -> Result { try run("grok-analyze", args) }
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
