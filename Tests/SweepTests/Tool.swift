import XCTest
import Foundation

/// Runs the real executables, built next to the test bundle (`swift build -c release` first).
/// Missing ones fail under CI=true and skip elsewhere.
enum Tool {
    /// As the other suites: any CI variable means "under CI" (CI=true on the usual services).
    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static func url(_ name: String) throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        if underCI { XCTFail("\(name) is not built next to the tests: CI must run swift build -c release first") }
        throw XCTSkip("\(name) is not built next to the tests (run swift build -c release first)")
    }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// Starts a tool; the caller waits (or kills) it.
    static func start(_ name: String, _ args: [String], cwd: URL? = nil, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try url(name)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var env = ProcessInfo.processInfo.environment
        env["GROKLAB_REEXEC"] = "1"   // no re-exec: the pid stays the one we signal
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    static func finish(_ s: (Process, Pipe, Pipe)) -> Result {
        let o = s.1.fileHandleForReading.readDataToEndOfFile(), e = s.2.fileHandleForReading.readDataToEndOfFile()
        s.0.waitUntilExit()
        return Result(status: s.0.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func run(_ name: String, _ args: [String], cwd: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        finish(try start(name, args, cwd: cwd, environment: environment))
    }
}
