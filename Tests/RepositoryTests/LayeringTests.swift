import Foundation
import XCTest

/// The target graph: the README's Layout table is Package.swift's graph (read here by a parser
/// of its own, not scripts/target-graph.py's), and the targets keep to the layering by concern
/// that the README describes.
final class LayeringTests: XCTestCase {
    struct Target { let name: String; let kind: String; let dependencies: [String] }

    /// Every non-test target of Package.swift, in file order, with its target dependencies
    /// (products of other packages left out).
    static func targets(_ package: String) throws -> [Target] {
        let text = Array(package.unicodeScalars)
        var out: [Target] = []
        var i = 0
        while i < text.count {
            var matched: String?
            for kind in ["target", "executableTarget", "systemLibrary"] {
                let opening = Array(".\(kind)(".unicodeScalars)
                if i + opening.count <= text.count, Array(text[i..<(i + opening.count)]) == opening { matched = kind; i += opening.count; break }
            }
            guard let kind = matched else { i += 1; continue }
            var depth = 1, j = i
            while depth > 0, j < text.count {
                if text[j] == "(" { depth += 1 } else if text[j] == ")" { depth -= 1 }
                j += 1
            }
            let call = String(String.UnicodeScalarView(text[i..<(j - 1)]))
            i = j
            let name = try XCTUnwrap(call.firstMatch(of: /name:\s*"([^"]+)"/)?.1).description
            var dependencies: [String] = []
            if let list = call.firstMatch(of: /dependencies:\s*\[([^\]]*)\]/)?.1 {
                let withoutProducts = String(list).replacing(/\.product\([^)]*\)/, with: "")
                dependencies = withoutProducts.matches(of: /"([^"]+)"/).map { String($0.1) }
            }
            out.append(Target(name: name, kind: kind, dependencies: dependencies))
        }
        return out
    }

    func testTheReadmeGraphIsPackageSwifts() throws {
        let all = try Self.targets(try repositoryFile("Package.swift")).filter { $0.name != "TestSupport" }
        XCTAssertGreaterThan(all.count, 20)
        let dependencies = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.dependencies) })
        var level: [String: Int] = [:]
        func depth(_ n: String) -> Int {
            if let l = level[n] { return l }
            let l = (dependencies[n] ?? []).map(depth).max().map { $0 + 1 } ?? 0
            level[n] = l
            return l
        }
        all.forEach { _ = depth($0.name) }
        var lines = ["| layer | target | imports |", "|---|---|---|"]
        for l in 0...(level.values.max() ?? 0) {
            for t in all where level[t.name] == l {
                let label = t.name + (t.kind == "executableTarget" ? " (tool)" : t.kind == "systemLibrary" ? " (C library)" : "")
                let imports = t.dependencies.sorted { (-(level[$0] ?? 0), $0) < (-(level[$1] ?? 0), $1) }.joined(separator: ", ")
                lines.append("| \(l) | \(label) | \(imports.isEmpty ? "-" : imports) |")
            }
        }
        XCTAssertEqual(try markedBlock("targets", in: try repositoryFile("README.md")), lines.joined(separator: "\n") + "\n",
                       "README.md's target graph is not Package.swift's: run scripts/target-graph.py")
    }

    /// Concerns from the bottom up; a target imports only from its own concern or lower ones.
    static let concerns: [[String]] = [
        ["COpenBLAS", "CZlib", "GrokCore"],                                        // base
        ["Tensors", "Datasets", "TensorBoard", "RunFiles"],                         // files and formats
        ["Model", "Optim", "Training"],                                             // model and training
        ["HTSR", "Phases", "Diagnostics"],                                         // analysis
        ["Charts", "Report"],                                                       // presentation
        ["Runs", "TrapEffects", "Hysteresis", "ToolSupport"],                   // orchestration
        ["grok-train", "grok-analyze", "grok-report", "grok-sweep", "grok-hysteresis"], // tools
    ]

    func testEveryImportPointsDownTheConcerns() throws {
        let all = try Self.targets(try repositoryFile("Package.swift")).filter { $0.name != "TestSupport" }
        var rank: [String: Int] = [:]
        for (r, names) in Self.concerns.enumerated() { for n in names { rank[n] = r } }
        var upward = Set<String>()
        for t in all {
            let mine = try XCTUnwrap(rank[t.name], "\(t.name) belongs to no concern: add it to LayeringTests.concerns and the README")
            for d in t.dependencies where (rank[d] ?? 0) > mine { upward.insert("\(t.name) -> \(d)") }
        }
        XCTAssertEqual(upward, [], "imports that run up the layers")
    }
}
