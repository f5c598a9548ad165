import XCTest
import Foundation
import Report

/// Writes a sample report for a human to look at when GROKLAB_REPORT_SAMPLE names a folder.
final class LookTests: XCTestCase {
    func testWriteSampleWhenAsked() throws {
        guard let out = ProcessInfo.processInfo.environment["GROKLAB_REPORT_SAMPLE"] else {
            throw XCTSkip("set GROKLAB_REPORT_SAMPLE=DIR to write a sample report for a person to look at")
        }
        let dir = try SyntheticRun.make(name: "synthetic-anti-grokking", in: URL(fileURLWithPath: out))
        try SyntheticSnapshots.write(into: dir)
        let r = try RunReport.build(runDirectory: dir)
        print(r.files.map(\.path).joined(separator: "\n"))
        print(r.warnings.joined(separator: "\n"))
    }
}

extension LookTests {
    func testWriteSpectralSamplesWhenAsked() throws {
        guard let out = ProcessInfo.processInfo.environment["GROKLAB_REPORT_SAMPLE"] else {
            throw XCTSkip("set GROKLAB_REPORT_SAMPLE=DIR to write a sample report for a person to look at")
        }
        let o = URL(fileURLWithPath: out)
        let spectra = [SyntheticSpectra.spectrum(step: 100_000, phase: "pre-grokking", traps: []),
                       SyntheticSpectra.spectrum(step: 10_000_000, phase: "anti-grokking", traps: [4.5, 6, 9])]
        try SpectralFigures.esdFigure(spectra, title: "ESD").writeSVG(to: o.appendingPathComponent("4.svg"))
        try SpectralFigures.randomizedFigure(spectra, title: "Randomized ESD").writeSVG(to: o.appendingPathComponent("5.svg"))
        let imgs = ["pre-grokking", "grokking", "grokked", "anti-grokking"].enumerated().map { k, p in
            SingularVectorImage(step: 10 * Int(pow(10, Double(k))), phase: p,
                                vector: (0..<784).map { i in sin(Double(i % 28) / (3 + Double(k))) * cos(Double(i / 28) / 4) }, singularValue: 10 + Double(k))
        }
        try SpectralFigures.singularVectorFigure(imgs, title: "Top right singular vector of FC1").writeSVG(to: o.appendingPathComponent("9.svg"))
    }
}
