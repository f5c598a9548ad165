import XCTest
import RunFiles

final class SnapshotNameTests: XCTestCase {
    func testFormatPadsToTenDigits() {
        XCTAssertEqual(SnapshotName.fileName(step: 0), "step-0000000000.safetensors")
        XCTAssertEqual(SnapshotName.fileName(step: 1234), "step-0000001234.safetensors")
        XCTAssertEqual(SnapshotName.stem(step: 4_325_377), "step-0004325377")
        XCTAssertEqual(SnapshotName.fileName(step: 12_345_678_901), "step-12345678901.safetensors")
    }

    func testParseReadsStepsAndRejectsOtherNames() {
        XCTAssertEqual(SnapshotName.step(of: "step-0000001234.safetensors"), 1234)
        XCTAssertEqual(SnapshotName.step(of: "step-5.safetensors"), 5, "a hand-made run may pad less")
        XCTAssertEqual(SnapshotName.step(of: "step-12345678901.safetensors"), 12_345_678_901)
        for name in ["step-.safetensors", "step-abc.safetensors", "step--1.safetensors", "step-+5.safetensors",
                     "step-0000000001.npy", "Step-0000000001.safetensors", ".step-0000000001.safetensors.tmp-1a2b",
                     "step-0000000001.safetensors.tmp-1", "step-１２.safetensors", "checkpoint.safetensors"] {
            XCTAssertNil(SnapshotName.step(of: name), name)
        }
    }

    func testFormatAndParseRoundTrip() {
        for step in [0, 1, 9, 10, 999_999_999, 1_000_000_000, 9_999_999_999, 10_000_000_000] {
            XCTAssertEqual(SnapshotName.step(of: SnapshotName.fileName(step: step)), step)
        }
    }

    func testListingIsByStepAndSkipsForeignFiles() throws {
        let dir = try temporaryDirectory()
        let run = RunDirectory(dir)
        try FileManager.default.createDirectory(at: run.snapshotsURL, withIntermediateDirectories: true)
        for name in ["step-0000000010.safetensors", "step-5.safetensors", "step-0000000100.safetensors",
                     "notes.txt", ".step-0000000200.safetensors.tmp-77", "step-x.safetensors"] {
            try Data().write(to: run.snapshotsURL.appendingPathComponent(name))
        }
        XCTAssertEqual(run.snapshotSteps(), [5, 10, 100])
        XCTAssertEqual(run.snapshots().map(\.url.lastPathComponent),
                       ["step-5.safetensors", "step-0000000010.safetensors", "step-0000000100.safetensors"])
        XCTAssertEqual(run.snapshotURL(step: 42).lastPathComponent, "step-0000000042.safetensors")
        XCTAssertEqual(RunDirectory(dir.appendingPathComponent("missing")).snapshots().count, 0)
    }

    func testTheRunOfASnapshot() throws {
        let dir = try temporaryDirectory()
        let run = RunDirectory(dir)
        try FileManager.default.createDirectory(at: run.snapshotsURL, withIntermediateDirectories: true)
        XCTAssertNil(RunDirectory.containing(snapshot: run.snapshotURL(step: 1)), "no config.json: not a run")
        try Data("{}".utf8).write(to: run.configURL)
        XCTAssertEqual(RunDirectory.containing(snapshot: run.snapshotURL(step: 1))?.url.standardizedFileURL.path, dir.standardizedFileURL.path)
        XCTAssertNil(RunDirectory.containing(snapshot: dir.appendingPathComponent("step-0000000001.safetensors")))
    }
}

extension XCTestCase {
    /// A fresh directory, removed when the test ends.
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

func text(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }
