import Datasets
import Foundation
import XCTest

/// How MNIST.embeddedDirectory() finds Data/mnist-5k: $GROKLAB_DATA first, then the
/// executable's ancestors, then the source tree.
final class EmbeddedDirectoryTests: XCTestCase {
    override func tearDown() {
        unsetenv("GROKLAB_DATA")
        super.tearDown()
    }

    func testFoundWithoutEnvironment() throws {
        unsetenv("GROKLAB_DATA")
        let dir = try MNIST.embeddedDirectory()
        XCTAssertEqual(dir.lastPathComponent, "mnist-5k")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("SHA256SUMS").path))
    }

    func testEnvironmentVariableWins() throws {
        let real = try MNIST.embeddedDirectory()
        // A copy elsewhere: GROKLAB_DATA may name the Data directory or the mnist-5k folder.
        let copyRoot = try makeTempDir(self)
        let copy = copyRoot.appendingPathComponent("mnist-5k")
        try FileManager.default.copyItem(at: real, to: copy)
        setenv("GROKLAB_DATA", copyRoot.path, 1)
        XCTAssertEqual(try MNIST.embeddedDirectory().path, copy.path)
        setenv("GROKLAB_DATA", copy.path, 1)
        XCTAssertEqual(try MNIST.embeddedDirectory().path, copy.path)
        let split = try MNIST.load(.embedded, trainSize: 10, subset: .first, seed: 0)
        XCTAssertEqual(split.sourcePath, copy.path)

        // Set but wrong: an error that says what to do, not a silent fallback.
        let empty = try makeTempDir(self)
        setenv("GROKLAB_DATA", empty.path, 1)
        assertGrokError(try MNIST.embeddedDirectory(), contains: ["GROKLAB_DATA=\(empty.path)", "images-idx3-ubyte.gz", "point it at"])
        assertGrokError(try MNIST.load(.embedded, trainSize: 10, subset: .first, seed: 0), contains: ["GROKLAB_DATA"])
    }
}
