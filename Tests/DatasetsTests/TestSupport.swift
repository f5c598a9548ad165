import Datasets
import Foundation
import GrokCore
import XCTest

/// A fresh temporary directory, removed when the test ends.
func makeTempDir(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("grok-datasets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// Asserts that `body` throws a one-line GrokError whose message contains every fragment.
func assertGrokError<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a GrokError containing \(fragments)", file: file, line: line)
    } catch let error as GrokError {
        XCTAssertFalse(error.message.contains("\n"), "error is not one line: \(error.message)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(error.message.contains(f), "\"\(error.message)\" does not contain \"\(f)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a GrokError, got \(error)", file: file, line: line)
    }
}

/// Hand-made images: image i has pixel j = (i * 7 + j * 3) % 256 and label i % 10, so every
/// image differs and its content says where it came from.
func syntheticImages(count: Int, rows: Int, cols: Int, labelOffset: Int = 0) -> (pixels: [UInt8], labels: [UInt8]) {
    let f = rows * cols
    var pixels = [UInt8](repeating: 0, count: count * f)
    for i in 0..<count { for j in 0..<f { pixels[i * f + j] = UInt8((i * 7 + j * 3) % 256) } }
    let labels = (0..<count).map { UInt8(($0 + labelOffset) % 10) }
    return (pixels, labels)
}

/// Writes the four standard MNIST files (gzip or raw) for hand-made train/test sets.
@discardableResult
func writeStandardDirectory(_ dir: URL, trainCount: Int, testCount: Int, rows: Int = 4, cols: Int = 3,
                            gzip: Bool = true) throws -> (train: ImageSet, test: ImageSet) {
    let tr = syntheticImages(count: trainCount, rows: rows, cols: cols)
    let te = syntheticImages(count: testCount, rows: rows, cols: cols, labelOffset: 3)
    let files: [(String, Data)] = [
        ("train-images-idx3-ubyte", IDX.encodeImages(pixels: tr.pixels, count: trainCount, rows: rows, cols: cols)),
        ("train-labels-idx1-ubyte", IDX.encodeLabels(tr.labels)),
        ("t10k-images-idx3-ubyte", IDX.encodeImages(pixels: te.pixels, count: testCount, rows: rows, cols: cols)),
        ("t10k-labels-idx1-ubyte", IDX.encodeLabels(te.labels)),
    ]
    for (name, bytes) in files {
        if gzip {
            try Gzip.compress(bytes).write(to: dir.appendingPathComponent(name + ".gz"))
        } else {
            try bytes.write(to: dir.appendingPathComponent(name))
        }
    }
    return (try ImageSet(pixels: tr.pixels, labels: tr.labels, rows: rows, cols: cols),
            try ImageSet(pixels: te.pixels, labels: te.labels, rows: rows, cols: cols))
}

extension ImageSet {
    /// The pixels of image i.
    func image(_ i: Int) -> ArraySlice<UInt8> { pixels[(i * features)..<((i + 1) * features)] }

    /// FNV-1a of image i's pixels and label: a cheap identity for set comparisons (Set<Data>
    /// of 5,000 images is slow in debug builds).
    func fingerprint(_ i: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        pixels.withUnsafeBufferPointer { p in
            for j in (i * features)..<((i + 1) * features) { h = (h ^ UInt64(p[j])) &* 0x0000_0100_0000_01B3 }
        }
        return (h ^ UInt64(labels[i])) &* 0x0000_0100_0000_01B3
    }
}
