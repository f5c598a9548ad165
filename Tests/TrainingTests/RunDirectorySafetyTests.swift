import XCTest
import RunFiles
import Foundation
import GrokCore
import Training

/// `--force` replaces a run directory and nothing else: results are never lost to a mistyped --out.
final class RunDirectorySafetyTests: XCTestCase {
    let fm = FileManager.default

    func makeDirectory(_ name: String, files: [String: String]) throws -> URL {
        let dir = temporaryDirectory(name)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func testForceRefusesADirectoryThatIsNotARun() throws {
        let dir = try makeDirectory("notrun", files: ["thesis.tex": "precious"])
        defer { try? fm.removeItem(at: dir) }
        XCTAssertThrowsError(try RunDirectory(dir).create(force: true)) { XCTAssertTrue("\($0)".contains("config.json"), "\($0)") }
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("thesis.tex"), encoding: .utf8), "precious")
    }

    func testForceRefusesARunHoldingOtherFiles() throws {
        let dir = try makeDirectory("mixed", files: ["config.json": "{}", "metrics.csv": "step\n", "notes.txt": "mine",
                                                    "snapshots/step-0000000000.safetensors": "x"])
        defer { try? fm.removeItem(at: dir) }
        XCTAssertThrowsError(try RunDirectory(dir).create(force: true)) { XCTAssertTrue("\($0)".contains("notes.txt"), "\($0)") }
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("notes.txt").path))
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("metrics.csv").path))
        // Something foreign inside snapshots/ is refused as well.
        try fm.removeItem(at: dir.appendingPathComponent("notes.txt"))
        try "x".write(to: dir.appendingPathComponent("snapshots/keep.npy"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunDirectory(dir).create(force: true)) { XCTAssertTrue("\($0)".contains("keep.npy"), "\($0)") }
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("config.json").path))
    }

    func testForceReplacesARecognisableRun() throws {
        let dir = try makeDirectory("run", files: ["config.json": "{}", "metrics.csv": "step\n", "report.html": "<html>",
                                                  "figures/1-a.svg": "<svg/>", ".metrics.csv.tmp-1-2": "",
                                                  "snapshots/step-0000000000.safetensors": "x"])
        defer { try? fm.removeItem(at: dir) }
        let lock = try RunDirectory(dir).create(force: true)
        defer { lock.release() }
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir.path).sorted(), [".lock", "snapshots"])
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("snapshots").path), [])
    }

    func testForceRefusesTheCurrentDirectoryAndItsParents() throws {
        // A run directory that is also the working directory (what `--out . --force` or
        // `--out "" --force` name) is never emptied, even when it looks like a run.
        let dir = try makeDirectory("cwd", files: ["config.json": "{}", "metrics.csv": "step\n"])
        defer { try? fm.removeItem(at: dir) }
        let saved = fm.currentDirectoryPath
        defer { fm.changeCurrentDirectoryPath(saved) }
        let inner = dir.appendingPathComponent("snapshots")
        try fm.createDirectory(at: inner, withIntermediateDirectories: true)
        for (cwd, target) in [(dir.path, "."), (dir.path, ""), (inner.path, "..")] {
            XCTAssertTrue(fm.changeCurrentDirectoryPath(cwd))
            XCTAssertThrowsError(try RunDirectory(URL(fileURLWithPath: target)).create(force: true), "'\(target)'") {
                XCTAssertTrue("\($0)".contains("current directory"), "\($0)")
            }
        }
        fm.changeCurrentDirectoryPath(saved)
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("metrics.csv").path))
        XCTAssertThrowsError(try RunDirectory(URL(fileURLWithPath: "/")).create(force: true)) {
            XCTAssertTrue("\($0)".contains("root"), "\($0)")
        }
        XCTAssertThrowsError(try RunDirectory(fm.homeDirectoryForCurrentUser).create(force: true))
    }
}
