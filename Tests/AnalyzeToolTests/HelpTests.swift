import XCTest
import TestSupport
import Foundation

/// What every tool's command line shows a new user: usage errors exit non-zero, help is
/// complete, and the examples read as one piece at 80 columns (help printed to a pipe is laid
/// out for 80 columns by ArgumentParser).
final class HelpTests: XCTestCase {
    /// ArgumentParser's exit code for usage errors (EX_USAGE).
    static let usageError: Int32 = 64

    func run(_ tool: String, _ args: [String]) throws -> Tool.Result { try Tool.run(tool, args) }

    func testMissingArgumentsAreUsageErrorsInEveryTool() throws {
        // grok-train without arguments trains Prakash & Martin's run, so its usage error is a flag
        // without its value.
        for (tool, args) in [("grok-analyze", []), ("grok-report", []), ("grok-train", ["--steps"]),
                             ("grok-report", ["--watch"]), ("grok-analyze", ["bench", "--large"])] {
            let r = try run(tool, args)
            XCTAssertEqual(r.status, Self.usageError, "\(tool) \(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.lowercased().contains("error"), "\(tool) \(args) says what is wrong: \(r.stderr)")
        }
    }

    /// The long options in a help text's OPTIONS section.
    func options(_ help: String) -> Set<String> {
        guard let section = help.components(separatedBy: "OPTIONS:").last else { return [] }
        var found = Set<String>()
        for line in section.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let first = words.first, first.hasPrefix("--") { found.insert(String(first.split(separator: ",").first!)) }
            // "-h, --help": the long form is the second word
            if words.count > 1, words[0].hasPrefix("-"), words[1].hasPrefix("--") { found.insert(String(words[1])) }
        }
        found.remove("--help")
        return found
    }

    func testRootHelpOfGrokAnalyzeShowsTheAnalyzeOptions() throws {
        let root = try run("grok-analyze", ["--help"])
        XCTAssertEqual(root.status, 0)
        let analyze = try run("grok-analyze", ["analyze", "--help"])
        let expected = options(analyze.stdout)
        XCTAssertTrue(expected.isSuperset(of: ["--format", "--randomize", "--seed", "--fix-fingers", "--layers", "--threads", "--charts"]),
                      "\(expected)")
        for option in expected {
            XCTAssertTrue(root.stdout.contains(option), "grok-analyze --help does not mention \(option)")
        }
        XCTAssertTrue(root.stdout.contains("grok-analyze analyze --help"))
    }

    func testExamplesReadAsOnePieceAt80Columns() throws {
        for tool in ["grok-train", "grok-analyze", "grok-report"] {
            let help = try run(tool, ["--help"])
            XCTAssertEqual(help.status, 0, tool)
            let lines = help.stdout.components(separatedBy: "\n")
            let start = try XCTUnwrap(lines.firstIndex(of: "Examples:"), "\(tool) --help has examples")
            let examples = lines[(start + 1)...].prefix { !$0.isEmpty }
            XCTAssertGreaterThanOrEqual(examples.count, 3, tool)
            for line in examples {
                // Each line is one example; one wrapped by the help formatter would leave its
                // tail on a line of its own, at column 0.
                XCTAssertTrue(line.hasPrefix("  \(tool) "), "\(tool): wrapped example line '\(line)'")
                XCTAssertLessThanOrEqual(line.count, 80, "\(tool): '\(line)'")
            }
        }
    }
}
