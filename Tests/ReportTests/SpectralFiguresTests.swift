import XCTest
import Foundation
import GrokCore
import Charts
import Report

/// Synthetic spectra with known parameters for the ESD figures.
enum SyntheticSpectra {
    /// n eigenvalues: a Pareto tail (exponent alpha, from xmin) over a uniform bulk below it.
    static func heavyTailed(n: Int = 200, alpha: Double = 3, xmin: Double = 2, seed: UInt64 = 1) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { i in
            let u = rng.nextUnit()
            return i < n / 2 ? 0.05 + u * (xmin - 0.05) : xmin * pow(1 - u, -1 / (alpha - 1))
        }.sorted()
    }

    /// Unit-mean MP samples (sigma 1, ratio Q) by rejection, plus `traps` values far out.
    static func marchenkoPastur(n: Int = 200, Q: Double = 3.92, traps: [Double] = [], seed: UInt64 = 2) -> [Double] {
        var rng = SeededRandom(seed: seed)
        let lp = pow(1 + 1 / Q.squareRoot(), 2), lm = pow(1 - 1 / Q.squareRoot(), 2)
        func rho(_ x: Double) -> Double { Q / (2 * .pi * x) * max((lp - x) * (x - lm), 0).squareRoot() }
        var out: [Double] = []
        while out.count < n - traps.count {
            let x = lm + (lp - lm) * rng.nextUnit()
            if rng.nextUnit() * 1.5 < rho(x) { out.append(x) }
        }
        return (out + traps).sorted()
    }

    static func spectrum(step: Int, phase: String, traps: [Double]) -> LayerSpectrum {
        let ev = heavyTailed()
        var s = LayerSpectrum(layer: "fc1", step: step, phase: phase, eigenvalues: ev, Q: 3.92)
        s.alpha = 3; s.xmin = 2; s.D = 0.04
        let candidates = Array(ev.dropLast())
        s.xminCandidates = candidates
        s.dCurve = candidates.map { min(0.999, 0.04 + 0.3 * abs(log10($0 / 2))) }
        s.randEigenvalues = marchenkoPastur(traps: traps)
        s.randSigmaMP = 1
        s.randWScale = 1
        // l+ = (1 + 1/sqrt(Q))^2 plus a Tracy-Widom margin
        s.randSpikeThreshold = pow(1 + 1 / 3.92.squareRoot(), 2) + 0.15
        s.numTraps = traps.count
        return s
    }
}

final class SpectralFiguresTests: XCTestCase {
    func testESDFigureDrawsHistogramFitAndXmin() {
        let s = SyntheticSpectra.spectrum(step: 1000, phase: "grokking", traps: [])
        let svg = SpectralFigures.esdFigure([s], title: "ESD").svg()
        let doc = parseSVG(svg)
        XCTAssertGreaterThan(doc.elements.filter { $0.attributes["class"] == "bar" }.count, 5)
        XCTAssertEqual(doc.elements.filter { $0.attributes["class"] == "series s1" }.count, 1, "the power-law line")
        XCTAssertEqual(doc.elements.filter { $0.attributes["class"] == "refline-label" }.map(\.text), ["xmin", "min D = 0.040"])
        XCTAssertTrue(doc.elements.contains { $0.attributes["class"] == "legend-entry" && $0.text == "power law, α = 3.00" })
    }

    func testRandomizedFigureMarksTrapsBeyondTheThreshold() {
        let s = SyntheticSpectra.spectrum(step: 10_000_000, phase: "anti-grokking", traps: [4.5, 6, 9])
        let doc = parseSVG(SpectralFigures.randomizedFigure([s], title: "rand").svg())
        XCTAssertEqual(doc.elements.filter { $0.attributes["class"] == "scatter s2" }.count, 3)
        XCTAssertTrue(doc.elements.contains { $0.attributes["class"] == "legend-entry" && $0.text == "traps (3)" })
        XCTAssertTrue(doc.elements.contains { $0.attributes["class"] == "refline-label" && $0.text == "spike threshold" })
        XCTAssertTrue(doc.elements.contains { $0.attributes["class"] == "panel-title" && $0.text.hasSuffix("3 traps") })
    }

    func testMPDensityCurveIsInsideTheBulkEdges() {
        // The MP curve must start at l- and end at l+ of sigma = 1, Q = 3.92 on the x axis:
        // check via the points of the curve's polyline against the axis mapping of the frame.
        let s = SyntheticSpectra.spectrum(step: 1, phase: "p", traps: [])
        let doc = parseSVG(SpectralFigures.randomizedFigure([s], title: "r").svg())
        let curve = doc.elements.first { $0.attributes["class"] == "series s1" }!
        let xs = curve.attributes["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[0])! }
        XCTAssertEqual(xs.count, 201)
        XCTAssertLessThan(xs.first!, xs.last!)
    }

    func testSingularVectorSignsAreMadeConsistent() {
        let v = (0..<784).map { Double($0 % 28) - 10 }
        let images = [SingularVectorImage(step: 10, phase: "a", vector: v.map { -$0 }, singularValue: 3),
                      SingularVectorImage(step: 100, phase: "b", vector: v, singularValue: 4)]
        let doc = parseSVG(SpectralFigures.singularVectorFigure(images, title: "v").svg())
        // Both panels show the same picture once signs are aligned: compare their cell colours.
        let cells = doc.elements.filter { $0.attributes["class"] == "px" }.map { $0.attributes["fill"]! }
        XCTAssertEqual(cells.count, 2 * 784)
        XCTAssertTrue(cells[0..<784] == cells[784...], "both images have the same colours")
        // and the orientation rule: the largest-magnitude entry (17 at column 27) is positive (vermillion)
        XCTAssertEqual(cells[27], Palette.vermillion.hex)
        XCTAssertEqual(doc.elements.filter { $0.attributes["class"] == "panel-title" }.map(\.text), ["a", "b"])
    }

    func parseSVG(_ s: String) -> XMLDoc {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("svg-\(UUID().uuidString).svg")
        try! s.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try! XMLDoc.parse(url)
    }
}
