import HTSR
import GrokCore
import XCTest

/// Parity with WeightWatcher 0.7.7 on the eight fixture matrices (its JSON is the reference;
/// it was produced with the default fix_fingers, i.e. no clipping).
final class FixtureParityTests: XCTestCase {
    nonisolated(unsafe) static let doubleMetrics: [(String, KeyPath<LayerAnalysis, Double?>)] = [
        ("alpha", \.alpha), ("alpha_weighted", \.alphaWeighted), ("log_norm", \.logNorm),
        ("log_spectral_norm", \.logSpectralNorm), ("log_alpha_norm", \.logAlphaNorm),
        ("stable_rank", \.stableRank), ("entropy", \.entropy), ("xmin", \.xmin), ("xmax", \.xmax),
        ("D", \.D), ("sigma", \.sigma), ("sigma_mp", \.sigmaMP), ("mp_softrank", \.mpSoftrank),
        ("bulk_max", \.bulkMax), ("bulk_min", \.bulkMin), ("norm", \.norm),
        ("spectral_norm", \.spectralNorm), ("W_scale", \.wScale),
    ]
    nonisolated(unsafe) static let intMetrics: [(String, KeyPath<LayerAnalysis, Int?>)] = [
        ("num_pl_spikes", \.numPLSpikes), ("matrix_rank", \.matrixRank), ("num_spikes", \.numSpikes),
        ("num_evals", \.numEvals),
    ]

    func testEveryDeterministicMetricMatchesWeightWatcher() throws {
        let ref = try Fixtures.reference("weightwatcher-0.7.7.json")
        var worst: [String: Double] = [:]
        for name in Fixtures.names {
            let w = try Fixtures.matrix(name)
            let r = HTSRAnalyzer.analyze(LayerInput(name: name, matrix: w), options: HTSROptions())
            let row = try XCTUnwrap(ref[name], name)
            XCTAssertEqual(r.status, .ok, name)
            XCTAssertEqual(r.N, row["N"] as? Int, name)
            XCTAssertEqual(r.M, row["M"] as? Int, name)
            XCTAssertEqual(r.Q, try XCTUnwrap(row["Q"] as? Double), accuracy: 1e-12, name)
            XCTAssertEqual(r.warning, row["warning"] as? String, name)
            for (key, path) in Self.doubleMetrics {
                let want = try XCTUnwrap(row[key] as? Double, "\(name) \(key)")
                guard let got = r[keyPath: path] else { XCTFail("\(name): \(key) missing"); continue }
                let e = relativeError(got, want)
                worst[key] = max(worst[key] ?? 0, e)
                XCTAssertLessThanOrEqual(e, 1e-6, "\(name) \(key): \(got) vs WeightWatcher \(want)")
            }
            for (key, path) in Self.intMetrics {
                XCTAssertEqual(r[keyPath: path], row[key] as? Int, "\(name) \(key)")
            }
        }
        // The parity table for the report.
        print("max relative error vs WeightWatcher 0.7.7 over 8 fixtures:")
        for (k, e) in worst.sorted(by: { $0.key < $1.key }) { print("  \(k): \(e)") }
    }

    /// fix_fingers = clip_xmax against an independent NumPy implementation of the spec
    /// (Fixtures/clip_xmax_reference.py), to 1e-9.
    func testClipXmaxMatchesReference() throws {
        let ref = try Fixtures.reference("clip_xmax_reference.json")
        var options = HTSROptions()
        options.fixFingers = .clipXmax
        options.mpFit = false
        for name in Fixtures.names {
            let r = HTSRAnalyzer.analyze(LayerInput(name: name, matrix: try Fixtures.matrix(name)), options: options)
            let row = try XCTUnwrap(ref[name])
            if row["status"] as? String == "failed" {
                guard case .fitFailed = r.status else { XCTFail("\(name): \(r.status), reference failed"); continue }
                XCTAssertNil(r.alpha, name)
                continue
            }
            XCTAssertEqual(r.numFingers, row["num_fingers"] as? Int, name)
            XCTAssertEqual(r.numPLSpikes, row["num_pl_spikes"] as? Int, name)
            for (key, got) in [("alpha", r.alpha), ("raw_alpha", r.rawAlpha), ("xmin", r.xmin), ("xmax", r.xmax),
                               ("D", r.D), ("sigma", r.sigma), ("alpha_weighted", r.alphaWeighted)] {
                let want = try XCTUnwrap(row[key] as? Double)
                XCTAssertLessThanOrEqual(relativeError(try XCTUnwrap(got, "\(name) \(key)"), want), 1e-9,
                                         "\(name) \(key)")
            }
        }
        // The spec's example: Gaussian 784x200, 8.96 -> 4.85 with five fingers clipped.
        let a = HTSRAnalyzer.analyze(LayerInput(name: "a", matrix: try Fixtures.matrix("a_gauss_784x200")), options: options)
        XCTAssertEqual(try XCTUnwrap(a.alpha), 4.85, accuracy: 0.005)
        XCTAssertEqual(try XCTUnwrap(a.rawAlpha), 8.96, accuracy: 0.005)
    }

    /// fix_fingers = clip_xmax against WeightWatcher 0.7.7's own output on all eight fixtures
    /// (weightwatcher-0.7.7.clip_xmax.json). Its failed fit (status "failed", alpha -1, every
    /// fit column -1) is our fitFailed with no alpha, and the reason is kept in the status.
    func testClipXmaxMatchesWeightWatcher() throws {
        let ref = try Fixtures.reference("weightwatcher-0.7.7.clip_xmax.json")
        XCTAssertEqual(ref.count, 8)
        var options = HTSROptions()
        options.fixFingers = .clipXmax
        var failed: [String] = []
        for name in Fixtures.names {
            let r = HTSRAnalyzer.analyze(LayerInput(name: name, matrix: try Fixtures.matrix(name)), options: options)
            let row = try XCTUnwrap(ref[name], name)
            if row["status"] as? String == "failed" {
                failed.append(name)
                XCTAssertEqual(row["alpha"] as? Int, -1)
                guard case .fitFailed(let reason) = r.status else { XCTFail("\(name): \(r.status), WeightWatcher failed"); continue }
                XCTAssertTrue(reason.contains("clip_xmax"), reason)
                XCTAssertTrue(reason.contains("3 largest"), reason)
                XCTAssertNil(r.alpha, name); XCTAssertNil(r.rawAlpha, name); XCTAssertNil(r.xmin, name)
                XCTAssertNil(r.alphaWeighted, name); XCTAssertNil(r.numPLSpikes, name)
                // The rest of the layer is still measured, as WeightWatcher does.
                for key in ["log_norm", "stable_rank", "sigma_mp", "bulk_max"] {
                    let path = try XCTUnwrap(Self.doubleMetrics.first { $0.0 == key }).1
                    XCTAssertLessThanOrEqual(relativeError(try XCTUnwrap(r[keyPath: path]), try XCTUnwrap(row[key] as? Double)), 1e-6,
                                             "\(name) \(key)")
                }
                continue
            }
            XCTAssertEqual(r.status, .ok, name)
            XCTAssertEqual(row["status"] as? String, "success", name)
            XCTAssertEqual(r.numFingers, row["num_fingers"] as? Int, name)
            XCTAssertEqual(r.warning, row["warning"] as? String, name)
            for (key, path) in Self.doubleMetrics {
                let want = try XCTUnwrap(row[key] as? Double, "\(name) \(key)")
                let got = try XCTUnwrap(r[keyPath: path], "\(name) \(key)")
                XCTAssertLessThanOrEqual(relativeError(got, want), 1e-6, "\(name) \(key): \(got) vs WeightWatcher \(want)")
            }
            let raw = try XCTUnwrap(row["raw_alpha"] as? Double)
            XCTAssertLessThanOrEqual(relativeError(try XCTUnwrap(r.rawAlpha), raw), 1e-6, "\(name) raw_alpha")
            for (key, path) in Self.intMetrics {
                XCTAssertEqual(r[keyPath: path], row[key] as? Int, "\(name) \(key)")
            }
        }
        XCTAssertEqual(failed, ["c2_gauss_200x10"])
    }

    func testOrientationDoesNotMatter() throws {
        let a = HTSRAnalyzer.analyze(LayerInput(name: "x", matrix: try Fixtures.matrix("a_gauss_784x200")), options: HTSROptions())
        let e = HTSRAnalyzer.analyze(LayerInput(name: "x", matrix: try Fixtures.matrix("e_gauss_200x784_transposed")), options: HTSROptions())
        XCTAssertEqual([a.N, a.M], [e.N, e.M])
        XCTAssertLessThan(relativeError(try XCTUnwrap(a.alpha), try XCTUnwrap(e.alpha)), 1e-9)
        XCTAssertLessThan(relativeError(try XCTUnwrap(a.sigmaMP), try XCTUnwrap(e.sigmaMP)), 1e-9)
        XCTAssertEqual(a.numPLSpikes, e.numPLSpikes)
    }

    /// The D curve for charts: its first minimum is the chosen xmin and equals D.
    func testDCurveIsExposedAndConsistent() throws {
        var o = HTSROptions()
        o.keepDCurve = true; o.keepEigenvalues = true
        let r = HTSRAnalyzer.analyze(LayerInput(name: "b2", matrix: try Fixtures.matrix("b2_student_t2.5_784x200")), options: o)
        let curve = try XCTUnwrap(r.dCurve), xs = try XCTUnwrap(r.xminCandidates)
        XCTAssertEqual(curve.count, xs.count)
        XCTAssertEqual(curve.count, 199)
        let i = try XCTUnwrap(curve.firstIndex(of: curve.min()!))
        XCTAssertEqual(xs[i], r.xmin)
        XCTAssertEqual(curve[i], r.D)
        XCTAssertEqual(r.eigenvalues?.count, 200)
        XCTAssertEqual(r.eigenvalues?.last, r.xmax)
        // Same fit with and without the curve (the pruned scan must not change the answer).
        let plain = HTSRAnalyzer.analyze(LayerInput(name: "b2", matrix: try Fixtures.matrix("b2_student_t2.5_784x200")), options: HTSROptions())
        XCTAssertEqual(plain.alpha, r.alpha)
        XCTAssertEqual(plain.D, r.D)
    }
}
