import Foundation
import TestSupport
import XCTest

/// The repository's root (this file is Tests/RepositoryTests/Repository.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func repositoryFile(_ path: String) throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
}

/// What stands between `<!-- BEGIN name -->` and `<!-- END name -->` in `text`.
func markedBlock(_ name: String, in text: String) throws -> String {
    let begin = "<!-- BEGIN \(name) -->\n", end = "<!-- END \(name) -->"
    let start = try XCTUnwrap(text.range(of: begin), "no \(begin)").upperBound
    let stop = try XCTUnwrap(text.range(of: end, range: start..<text.endIndex), "no \(end)").lowerBound
    return String(text[start..<stop])
}

/// Runs a script of the repository with the built executables' folder as B; skips (fails under
/// CI) when a program it needs is missing.
func runScript(_ path: String, _ arguments: [String] = []) throws -> Tool.Result {
    let products = try Tool.url("grok-train").deletingLastPathComponent()
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for program in ["bash", "python3", "git"] where !searchPath.contains(where: {
        FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
    }) {
        try Tool.missing("\(program) is not on PATH; \(path) needs it")
    }
    return try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", repositoryRoot.appendingPathComponent(path).path] + arguments,
                        cwd: repositoryRoot, environment: ["B": products.path])
}
