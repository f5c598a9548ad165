import XCTest
import Foundation
import GrokCore

/// DirectoryLock: one writer per directory; the refusal names the holder's pid; a holder
/// killed with SIGKILL leaves the directory free again.
final class DirectoryLockTests: XCTestCase {
    static let childVariable = "GROKCORE_TEST_LOCK_HOLDER"

    func testASecondLockInTheSameProcessIsRefusedAndReleaseFreesIt() throws {
        let dir = try scratchDirectory("lock"); defer { try? FileManager.default.removeItem(at: dir) }
        let first = try DirectoryLock(directory: dir, holder: "test")
        XCTAssertThrowsError(try DirectoryLock(directory: dir, holder: "grok-train")) {
            XCTAssertEqual(($0 as? GrokError)?.message,
                           "\(dir.path) is in use by another grok-train (pid \(getpid())); wait for it to end or stop it first")
        }
        first.release()
        XCTAssertNoThrow(try DirectoryLock(directory: dir, holder: "test").release())
        XCTAssertThrowsError(try DirectoryLock(directory: dir.appendingPathComponent("missing"), holder: "test"))
    }

    func testAnotherProcessIsRefusedWithItsPidUntilItIsKilled() throws {
        if let path = ProcessInfo.processInfo.environment[Self.childVariable] {
            // The child's part: hold the lock until killed.
            let lock = try DirectoryLock(directory: URL(fileURLWithPath: path), holder: "child")
            withExtendedLifetime(lock) { while true { pause() } }
        }
        let dir = try scratchDirectory("lock-child"); defer { try? FileManager.default.removeItem(at: dir) }
        let child = try ChildProcess.start(test: "GrokCoreTests.DirectoryLockTests/testAnotherProcessIsRefusedWithItsPidUntilItIsKilled",
                                           environment: [Self.childVariable: dir.path])
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() } }
        let lockFile = dir.appendingPathComponent(DirectoryLock.fileName)
        XCTAssertTrue(ChildProcess.wait {
            (try? String(contentsOf: lockFile, encoding: .utf8)) == "\(child.processIdentifier)\n"
        }, "the child never took the lock")
        XCTAssertThrowsError(try DirectoryLock(directory: dir, holder: "grok-train")) {
            XCTAssertTrue("\($0)".contains("(pid \(child.processIdentifier))"), "\($0)")
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let lock = try DirectoryLock(directory: dir, holder: "grok-train")
        XCTAssertEqual(try String(contentsOf: lockFile, encoding: .utf8), "\(getpid())\n")
        lock.release()
    }
}
