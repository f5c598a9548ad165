import Foundation
import TestSupport
import XCTest

/// What the README and docs say that a command makes: the flag reference is the tools' own
/// --help, and each experiment's tables are what its make-tables.sh makes from the committed data.
final class GeneratedDocsTests: XCTestCase {
    func testTheFlagReferenceIsTheToolsHelp() throws {
        let r = try runScript("scripts/flags-doc.sh")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("## grok-train\n") && r.stdout.contains("--clamp-norm"), r.stdout)
        XCTAssertTrue(r.stdout.contains("### grok-analyze relabel\n"), "subcommands are listed")
        XCTAssertEqual(try repositoryFile("docs/flags.md"), r.stdout,
                       "docs/flags.md is not the tools' --help: run scripts/flags-doc.sh > docs/flags.md")
    }

    func testEveryExperimentsTablesAreWhatItsScriptMakes() throws {
        let r = try runScript("Experiments/check-tables.sh")
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        for folder in ["wd-sweep", "norm-clamp", "htsr-seeds", "l2-hysteresis", "htsr-anti-grokking", "htsr-anti-grokking-wd0.01", "trap-ablation"] {
            XCTAssertTrue(r.stdout.contains("ok \(folder)\n"), "\(folder) was not checked: \(r.stdout)")
        }
    }
}
