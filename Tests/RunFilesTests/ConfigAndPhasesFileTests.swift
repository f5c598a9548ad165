import XCTest
import Phases
import RunFiles
import Tensors

/// config.json and phases.json against hand-written files.
final class ConfigAndPhasesFileTests: XCTestCase {
    struct Diagnostics: Codable, Equatable { var htsr: String; var trainFit: Double }
    struct Settings: Codable, Equatable { var steps: Int; var lr: Double; var widths: [Int] }

    let config = """
        {
          "widths" : [784, 200, 10],
          "steps" : 100000,
          "lr" : 0.001,
          "data_checksum" : "crc32:1234abcd",
          "diagnostics" : {"htsr" : "paper", "train_fit" : 0.99},
          "seed" : 18446744073709551615,
          "wd" : 1e-05
        }
        """

    func testReadKeepsFileOrderAndShowsValues() throws {
        let url = try temporaryDirectory().appendingPathComponent("config.json")
        try config.write(to: url, atomically: true, encoding: .utf8)
        let value = try ConfigFile.read(url)
        XCTAssertEqual(value.members?.map(\.key), ["widths", "steps", "lr", "data_checksum", "diagnostics", "seed", "wd"])
        XCTAssertEqual(value["steps"]?.number, 100000)
        XCTAssertEqual(value["diagnostics"]?["htsr"]?.string, "paper")
        XCTAssertEqual(value.members?.map(\.value.display),
                       ["[784, 200, 10]", "100000", "0.001", "crc32:1234abcd", "{htsr: paper, train_fit: 0.99}",
                        "1.8446744073709552e+19", "1e-05"])
    }

    func testTypedDecodeOfTheFileAndOfAMember() throws {
        let url = try temporaryDirectory().appendingPathComponent("config.json")
        try config.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ConfigFile.decode(Settings.self, from: url), Settings(steps: 100000, lr: 0.001, widths: [784, 200, 10]))
        XCTAssertEqual(try ConfigFile.decode(Diagnostics.self, from: url, key: "diagnostics"), Diagnostics(htsr: "paper", trainFit: 0.99))
        XCTAssertNil(try ConfigFile.decode(Diagnostics.self, from: url, key: "absent"))
    }

    func testWriteRoundTripsWithExtraFacts() throws {
        let url = try temporaryDirectory().appendingPathComponent("config.json")
        let settings = Settings(steps: 5, lr: 0.5, widths: [4, 3])
        try ConfigFile.write(settings, extra: ["data_checksum": "crc32:00", "diagnostics": ConfigFile.jsonObject(Diagnostics(htsr: "off", trainFit: 0.9))], to: url)
        XCTAssertEqual(try ConfigFile.decode(Settings.self, from: url), settings)
        XCTAssertEqual(try ConfigFile.decode(Diagnostics.self, from: url, key: "diagnostics"), Diagnostics(htsr: "off", trainFit: 0.9))
        XCTAssertEqual(try ConfigFile.read(url).members?.map(\.key), ["data_checksum", "diagnostics", "lr", "steps", "widths"], "sorted keys")
        XCTAssertTrue(try text(url).hasSuffix("}\n"))
    }

    func testBadConfigIsAOneLineError() throws {
        let dir = try temporaryDirectory()
        for (name, body) in [("truncated", #"{"steps": 10"#), ("array", "[1, 2]"), ("duplicate", #"{"a": 1, "a": 2}"#)] {
            let url = dir.appendingPathComponent(name + ".json")
            try body.write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ConfigFile.read(url)) { XCTAssertFalse("\($0)".contains("\n"), name) }
        }
        XCTAssertThrowsError(try ConfigFile.read(dir.appendingPathComponent("missing.json")))
    }

    func testPhasesHandWrittenAndRoundTrip() throws {
        let url = try temporaryDirectory().appendingPathComponent("phases.json")
        try """
            {"accuracy": [{"phase": "memorizing", "start_step": 0, "end_step": 562},
                          {"phase": "anti-grokking", "start_step": 750, "end_step": 1000}],
             "collapse_step": 750, "warning_step": null, "unknown_key": 3}
            """.write(to: url, atomically: true, encoding: .utf8)
        let r = try PhasesReport.read(from: url)
        XCTAssertEqual(r.accuracy, [PhaseSegment(phase: .memorizing, startStep: 0, endStep: 562),
                                    PhaseSegment(phase: .antiGrokking, startStep: 750, endStep: 1000)])
        XCTAssertEqual(r.collapseStep, 750)
        XCTAssertNil(r.warningStep)
        XCTAssertEqual(r.htsr, [])
        try r.write(to: url)
        XCTAssertEqual(try PhasesReport.read(from: url), r)
    }
}
