import Foundation
import XCTest

/// Runs GrokLab's real executables (and other programs) from the tests: the one place that
/// finds the built tools and decides what "under CI" means, so every suite skips or fails for
/// the same reason.
public enum Tool {
    /// Under CI when the CI variable is set to anything but "", "0" or "false" (CI services
    /// set CI=true; .ci/run sets it too).
    public static var underCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !["", "0", "false"].contains(value.lowercased())
    }

    /// What a test does when something it needs is not on this machine: under CI that is a
    /// failure (a green CI run always ran the test), elsewhere a skip.
    public static func missing(_ why: String, file: StaticString = #filePath, line: UInt = #line) throws -> Never {
        if underCI { XCTFail(why, file: file, line: line) }
        throw XCTSkip(why)
    }

    /// The built executable `name`: the test bundle lives in the products folder, next to them.
    public static func url(_ name: String) throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        try missing("\(name) is not built next to the tests (run `swift build -c release` first)")
    }

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status; self.stdout = stdout; self.stderr = stderr
        }
        /// The stderr lines that are errors ("error: ...").
        public var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error: ") } }
    }

    /// A started program; `finish` waits for it. Its output goes to files, not pipes, so
    /// nothing blocks on a full pipe whatever the program writes.
    public struct Started {
        public let process: Process
        let folder: URL, out: FileHandle, err: FileHandle
    }

    /// Starts `executable` with `arguments`. The tools do not re-exec themselves (the pid stays
    /// the one a test signals) and no forced BLAS kernel adds a note line; `environment`
    /// entries are set last.
    public static func start(_ executable: URL, _ arguments: [String], cwd: URL? = nil,
                             environment: [String: String] = [:]) throws -> Started {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = cwd }
        var env = ProcessInfo.processInfo.environment
        env["GROKLAB_REEXEC"] = "1"
        env["OPENBLAS_CORETYPE"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tool-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["stdout", "stderr"] { _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: nil) }
        let out = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
        let err = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return Started(process: p, folder: folder, out: out, err: err)
    }

    public static func start(_ name: String, _ arguments: [String], cwd: URL? = nil,
                             environment: [String: String] = [:]) throws -> Started {
        try start(try url(name), arguments, cwd: cwd, environment: environment)
    }

    /// Waits for a started program and returns its status and output.
    public static func finish(_ s: Started) -> Result {
        s.process.waitUntilExit()
        try? s.out.close(); try? s.err.close()
        defer { try? FileManager.default.removeItem(at: s.folder) }
        let read = { (name: String) in
            String(decoding: (try? Data(contentsOf: s.folder.appendingPathComponent(name))) ?? Data(), as: UTF8.self)
        }
        return Result(status: s.process.terminationStatus, stdout: read("stdout"), stderr: read("stderr"))
    }

    public static func run(_ executable: URL, _ arguments: [String], cwd: URL? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        finish(try start(executable, arguments, cwd: cwd, environment: environment))
    }

    public static func run(_ name: String, _ arguments: [String], cwd: URL? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        finish(try start(name, arguments, cwd: cwd, environment: environment))
    }
}
