import XCTest
import Foundation

/// Runs the real executables, built next to the test bundle (`swift build -c release` first).
/// Missing ones fail under CI and skip elsewhere.
enum Tool {
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

    static func run(_ executable: URL, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["GROKLAB_REEXEC"] = "1"
        env["OPENBLAS_CORETYPE"] = nil
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func run(_ name: String, _ args: [String]) throws -> Result { try run(try url(name), args) }
}
