import XCTest
import TestSupport
import Foundation
import Tensors

/// `grok-analyze traps` reads what the analyzer reads, through the same reader: the same
/// matrices as an .npy file, or as a folder of .npy files, give the rows a .safetensors file
/// holding them gives.
final class TrapsInputTests: XCTestCase {
    func traps(_ path: URL) throws -> String {
        let r = try Tool.analyze(["traps", path.path, "--format", "csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    func testNPYFileAndFolderReadAsSafetensors() throws {
        let dir = try temporaryDirectory(self, "traps-input")
        var w1 = gaussian(rows: 60, cols: 784, seed: 3)
        for k in [5, 900, 20_000] { w1[k] = 40 }   // a few large entries: a correlation trap
        let fc1 = Tensor(name: "fc1", shape: [60, 784], doubles: w1)
        let fc2 = Tensor(name: "fc2", shape: [40, 60], doubles: gaussian(rows: 40, cols: 60, seed: 4))
        let one = dir.appendingPathComponent("one.safetensors"), both = dir.appendingPathComponent("both.safetensors")
        try SafeTensors.write([fc1], to: one)
        try SafeTensors.write([fc1, fc2], to: both)
        let folder = dir.appendingPathComponent("npy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try NPY.write(fc1, to: folder.appendingPathComponent("fc1.npy"))
        try NPY.write(fc2, to: folder.appendingPathComponent("fc2.npy"))

        let reference = try traps(one)
        XCTAssertTrue(reference.contains("\nfc1,"), reference)
        XCTAssertEqual(try traps(folder.appendingPathComponent("fc1.npy")), reference, "an .npy file reads as the same matrix")
        let together = try traps(both)
        XCTAssertTrue(together.contains("\nfc2,"), together)
        XCTAssertEqual(try traps(folder), together, "a folder's files read as one model's layers")
    }

    func testAFolderWithoutWeightFilesIsOneLineError() throws {
        let dir = try temporaryDirectory(self, "traps-empty")
        let r = try Tool.analyze(["traps", dir.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("no .safetensors or .npy files"), r.stderr)
    }
}
