import XCTest
import Foundation
import GrokCore

/// AtomicFile: a reader, or a SIGKILL at any moment, sees the old file or the new one, never
/// part of one.
final class AtomicFileTests: XCTestCase {
    static let childVariable = "GROKCORE_TEST_ATOMIC_WRITER"
    static let size = 1 << 20

    /// Generation g is `size` bytes of value g % 251.
    static func generation(_ g: Int) -> Data { Data(repeating: UInt8(g % 251), count: size) }

    func testReplacesContentAndLeavesNoTemporaryFile() throws {
        let dir = try scratchDirectory("atomic"); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.bin")
        try AtomicFile.write(Self.generation(1), to: url)
        try AtomicFile.write("text\n", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "text\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.bin"])
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir.appendingPathComponent("missing/b.txt"))) {
            XCTAssertTrue("\($0)".contains("missing/b.txt"), "\($0)")
        }
    }

    /// A child rewrites a 1 MB file in a loop and is SIGKILLed after it has been seen to
    /// complete 2, 5 and 12 writes: the file is a whole generation every time.
    func testSIGKILLDuringWritesLeavesAWholeFile() throws {
        if let path = ProcessInfo.processInfo.environment[Self.childVariable] {
            // The child's part: write forever, until killed.
            var g = 1
            while true { try AtomicFile.write(Self.generation(g), to: URL(fileURLWithPath: path)); g += 1 }
        }
        let dir = try scratchDirectory("atomic-kill"); defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("state.bin")
        try AtomicFile.write(Self.generation(0), to: url)
        for writes in [2, 5, 12] {
            let child = try ChildProcess.start(test: "GrokCoreTests.AtomicFileTests/testSIGKILLDuringWritesLeavesAWholeFile",
                                               environment: [Self.childVariable: url.path])
            var seen = Set<UInt8>(), last: UInt8? = nil
            let reached = ChildProcess.wait {
                if let h = try? FileHandle(forReadingFrom: url) {
                    defer { try? h.close() }
                    if let first = (try? h.read(upToCount: 1))??.first, first != last { last = first; seen.insert(first) }
                }
                return seen.count > writes
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            XCTAssertTrue(reached, "the child never completed \(writes) writes")
            XCTAssertEqual(child.terminationReason, .uncaughtSignal)
            let data = try Data(contentsOf: url)
            XCTAssertEqual(data.count, Self.size, "after \(writes) writes: a partial file")
            XCTAssertTrue(data.allSatisfy { $0 == data.first }, "after \(writes) writes: bytes of two generations")
        }
    }
}
