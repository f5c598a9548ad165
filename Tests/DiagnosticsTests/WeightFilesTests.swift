import XCTest
import HTSR
import Foundation
import Tensors
import Diagnostics

/// A fresh temporary directory, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase, _ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("weightfiles-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Values i + 0.5 * j... distinct and exactly representable, so decoding can be checked.
func ramp(_ count: Int, offset: Double = 0) -> [Double] { (0..<count).map { Double($0) * 0.25 + offset } }

final class WeightFilesTests: XCTestCase {
    /// A PyTorch-like Linear + Conv2d file with the odd tensors a real checkpoint carries.
    func writeModel(_ url: URL) throws {
        try SafeTensors.write([
            Tensor(name: "fc1.weight", shape: [3, 4], doubles: ramp(12)),
            Tensor(name: "fc1.bias", shape: [3], doubles: ramp(3)),
            Tensor(name: "conv.weight", shape: [2, 3, 2, 2], floats: ramp(24).map(Float.init)),
            Tensor(name: "scale", shape: [], doubles: [2]),
            Tensor(name: "attn.qkv", shape: [2, 2, 2], doubles: ramp(8)),
            try Tensor(name: "steps_seen", dtype: .i64, shape: [2, 2], bytes: [UInt8](repeating: 0, count: 32)),
        ], to: url)
    }

    func testDenseAndConvAreKeptOthersSkippedWithReasons() throws {
        let dir = try makeTemporaryDirectory(self, "model")
        let url = dir.appendingPathComponent("model.safetensors")
        try writeModel(url)
        let file = try WeightFiles.load(WeightFiles.resolve(url.path)[0])
        XCTAssertEqual(file.layers.map(\.name), ["fc1.weight", "conv.weight"])
        XCTAssertEqual(file.layers[0].shape, .dense(rows: 3, cols: 4))
        XCTAssertEqual(file.layers[0].values, ramp(12))
        XCTAssertEqual(file.layers[1].shape, .conv2d(out: 2, in: 3, kh: 2, kw: 2))
        XCTAssertEqual(file.layers[1].values, ramp(24), "F32 decodes exactly")
        let skipped = Dictionary(uniqueKeysWithValues: file.skipped.map { ($0.name, $0.description) })
        XCTAssertEqual(skipped["fc1.bias"], "fc1.bias: 1-D, skipped")
        XCTAssertEqual(skipped["scale"], "scale: 0-D, skipped")
        XCTAssertTrue(skipped["attn.qkv"]?.hasPrefix("attn.qkv: 3-D") ?? false, "\(skipped)")
        XCTAssertTrue(skipped["steps_seen"]?.contains("I64") ?? false, "\(skipped)")
        XCTAssertEqual(file.skipped.count, 4)
        XCTAssertEqual(file.layerErrors, [])
    }

    func testHalfPrecisionLayersDecode() throws {
        let dir = try makeTemporaryDirectory(self, "half")
        let url = dir.appendingPathComponent("half.safetensors")
        let values: [Float] = [1, -2, 0.5, 3.75, 0, -0.125]  // exact in F16 and BF16
        let f16 = values.flatMap { v -> [UInt8] in let b = HalfFloat.halfBits(from: v); return [UInt8(b & 0xFF), UInt8(b >> 8)] }
        let bf16 = values.flatMap { v -> [UInt8] in let b = HalfFloat.bfloat16Bits(from: v); return [UInt8(b & 0xFF), UInt8(b >> 8)] }
        try SafeTensors.write([try Tensor(name: "h", dtype: .f16, shape: [2, 3], bytes: f16),
                               try Tensor(name: "b", dtype: .bf16, shape: [3, 2], bytes: bf16)], to: url)
        let file = try WeightFiles.load(WeightSource(url: url))
        XCTAssertEqual(file.layers.count, 2)
        for layer in file.layers { XCTAssertEqual(layer.values, values.map(Double.init), layer.name) }
    }

    func testNpyFileIsOneLayerNamedAfterTheFile() throws {
        let dir = try makeTemporaryDirectory(self, "npy")
        let url = dir.appendingPathComponent("w_out.npy")
        try NPY.write(Tensor(name: "ignored", shape: [5, 2], doubles: ramp(10)), to: url)
        let file = try WeightFiles.load(WeightFiles.resolve(url.path)[0])
        XCTAssertEqual(file.layers, [LayerInput(name: "w_out", shape: .dense(rows: 5, cols: 2), values: ramp(10))])
    }

    func testNaNAndInfAreLayerErrorsNamingTheIndex() throws {
        let dir = try makeTemporaryDirectory(self, "nan")
        var w = ramp(4 * 20)
        w[3 * 20 + 17] = .nan
        var c = ramp(2 * 3 * 2 * 2)
        c[1 * 12 + 2 * 4 + 1 * 2 + 0] = -.infinity   // [1, 2, 1, 0]
        let url = dir.appendingPathComponent("bad.safetensors")
        try SafeTensors.write([Tensor(name: "fc1.weight", shape: [4, 20], doubles: w),
                               Tensor(name: "conv.weight", shape: [2, 3, 2, 2], doubles: c),
                               Tensor(name: "fc2.weight", shape: [2, 2], doubles: ramp(4))], to: url)
        let file = try WeightFiles.load(WeightSource(url: url))
        XCTAssertEqual(file.layerErrors.map(\.message), ["fc1.weight[3, 17] is NaN", "conv.weight[1, 2, 1, 0] is -Inf"])
        XCTAssertEqual(file.layers.map(\.name), ["fc2.weight"], "the finite layer is still returned")
    }

    func testLayerSelectionAndUnknownNames() throws {
        let dir = try makeTemporaryDirectory(self, "select")
        let url = dir.appendingPathComponent("model.safetensors")
        try writeModel(url)
        let file = try WeightFiles.load(WeightSource(url: url), layers: ["conv.weight", "fc1.bias"])
        XCTAssertEqual(file.layers.map(\.name), ["conv.weight"])
        XCTAssertEqual(file.skipped.map(\.name), ["fc1.bias"], "unselected tensors are not mentioned")
        XCTAssertThrowsError(try WeightFiles.load(WeightSource(url: url), layers: ["fc1.weight", "fc9.weight"])) { error in
            let f = error as? FileFailure
            XCTAssertEqual(f?.path, url.path)
            XCTAssertTrue(f?.problem.contains("'fc9.weight'") ?? false, "\(error)")
            for name in ["fc1.weight", "fc1.bias", "conv.weight", "steps_seen"] {
                XCTAssertTrue(f?.problem.contains(name) ?? false, "available names listed: \(error)")
            }
            XCTAssertFalse(f?.problem.contains("\n") ?? true)
        }
    }

    func testDirectoryIsSortedNonRecursiveAndIgnoresOtherFiles() throws {
        let dir = try makeTemporaryDirectory(self, "dir")
        try NPY.write(Tensor(name: "x", shape: [2, 2], doubles: ramp(4)), to: dir.appendingPathComponent("b.npy"))
        try writeModel(dir.appendingPathComponent("a.safetensors"))
        try NPY.write(Tensor(name: "x", shape: [2, 2], doubles: ramp(4)), to: dir.appendingPathComponent("C.NPY"))
        try "notes".write(to: dir.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        let sub = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try NPY.write(Tensor(name: "x", shape: [2, 2], doubles: ramp(4)), to: sub.appendingPathComponent("deep.npy"))
        let sources = try WeightFiles.resolve(dir.path)
        XCTAssertEqual(sources.map(\.url.lastPathComponent), ["C.NPY", "a.safetensors", "b.npy"])
        XCTAssertTrue(sources.allSatisfy { $0.step == nil && $0.run == nil })
    }

    func testRunDirectorySnapshotsInStepOrder() throws {
        let run = try makeTemporaryDirectory(self, "run")
        try "{}".write(to: run.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let snaps = run.appendingPathComponent("snapshots")
        try FileManager.default.createDirectory(at: snaps, withIntermediateDirectories: true)
        for step in [1000, 0, 99, 20_000_000] {
            let name = String(format: "step-%010d.safetensors", step)
            try SafeTensors.write([Tensor(name: "fc1.weight", shape: [2, 3], doubles: ramp(6, offset: Double(step)))],
                                  to: snaps.appendingPathComponent(name))
        }
        try SafeTensors.write([Tensor(name: "fc1.weight", shape: [2, 3], doubles: ramp(6))], to: snaps.appendingPathComponent("step-7.safetensors"))
        try SafeTensors.write([Tensor(name: "x", shape: [2, 3], doubles: ramp(6))], to: run.appendingPathComponent("checkpoint.safetensors"))
        try "x".write(to: snaps.appendingPathComponent("step-12.tmp"), atomically: true, encoding: .utf8)
        let sources = try WeightFiles.resolve(run.path)
        XCTAssertEqual(sources.map(\.step), [0, 7, 99, 1000, 20_000_000])
        XCTAssertEqual(Set(sources.map { $0.run?.standardizedFileURL.path }), [run.standardizedFileURL.path])
        let last = try WeightFiles.load(sources[4])
        XCTAssertEqual(last.layers[0].values, ramp(6, offset: 20_000_000))
    }

    func testEmptyRunAndNonWeightPathsFail() throws {
        let run = try makeTemporaryDirectory(self, "empty")
        try "{}".write(to: run.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: run.appendingPathComponent("snapshots"), withIntermediateDirectories: true)
        let text = run.appendingPathComponent("notes.txt")
        try "x".write(to: text, atomically: true, encoding: .utf8)
        let empty = try makeTemporaryDirectory(self, "nothing")
        let (sources, failures) = WeightFiles.resolve([run.path, text.path, empty.path, "/no/such/file.npy"])
        XCTAssertEqual(sources, [])
        XCTAssertEqual(failures.map(\.path), [run.path, text.path, empty.path, "/no/such/file.npy"])
        XCTAssertTrue(failures[0].problem.contains("snapshots"), failures[0].description)
        XCTAssertTrue(failures[1].problem.contains(".safetensors"), failures[1].description)
        XCTAssertTrue(failures[3].problem.contains("no such file"), failures[3].description)
    }

    /// One truncated file among good ones: the others load, the error names the bad file once.
    func testBadFileAmongGoodOnes() throws {
        let dir = try makeTemporaryDirectory(self, "mixed")
        try NPY.write(Tensor(name: "x", shape: [3, 2], doubles: ramp(6)), to: dir.appendingPathComponent("a.npy"))
        let good = try SafeTensors.encode([Tensor(name: "w", shape: [4, 4], doubles: ramp(16))])
        try good.write(to: dir.appendingPathComponent("c.safetensors"))
        try good.prefix(good.count - 10).write(to: dir.appendingPathComponent("b.safetensors"))
        var layers: [String] = [], failures: [FileFailure] = []
        for source in try WeightFiles.resolve(dir.path) {
            do { layers += try WeightFiles.load(source).layers.map { "\(source.url.lastPathComponent):\($0.name)" } }
            catch let f as FileFailure { failures.append(f) }
        }
        XCTAssertEqual(layers, ["a.npy:a", "c.safetensors:w"])
        XCTAssertEqual(failures.count, 1)
        XCTAssertEqual(failures.first?.path, dir.appendingPathComponent("b.safetensors").path)
        XCTAssertTrue(failures.first?.problem.contains("truncated") ?? false, "\(failures)")
        XCTAssertFalse(failures.first?.problem.hasPrefix(dir.path) ?? true, "the path is not repeated in the problem")
    }
}
