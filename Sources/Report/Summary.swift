import Foundation

/// The numbers at the top of a report, read from the run's files.
public struct RunSummary: Sendable {
    public var lastStep: Double?
    public var evaluations = 0
    public var wallSeconds: Double?
    public var peakTestAccuracy: Double?
    public var peakTestStep: Double?
    public var finalTrainAccuracy: Double?
    public var finalTestAccuracy: Double?
    public var finalL2Norm: Double?
    /// Per layer at the last step of htsr.csv: (layer, step, alpha, traps, status).
    public var finalHTSR: [(layer: String, step: Double, alpha: Double?, alphaSigma: Double?, traps: Double?, trapsCentered: Double?,
                            ksStat: Double?, ksPvalue: Double?, status: String)] = []

    init(_ run: RunData) {
        if let m = run.metrics, let s = m.numbers("step") {
            evaluations = s.count
            lastStep = s.last { $0.isFinite }
            wallSeconds = m.numbers("wall_s")?.last { $0.isFinite }
            if let t = m.numbers("test_acc") {
                var best = -Double.infinity
                for (i, v) in t.enumerated() where v.isFinite && v > best { best = v; peakTestStep = s[i] }
                if best.isFinite { peakTestAccuracy = best }
                finalTestAccuracy = t.last { $0.isFinite }
            }
            finalTrainAccuracy = m.numbers("train_acc")?.last { $0.isFinite }
            finalL2Norm = m.numbers("l2_norm")?.last { $0.isFinite }
        }
        if let h = run.htsr, let s = h.numbers("step"), let l = h.strings("layer") {
            let last = s.filter(\.isFinite).max()
            let alpha = h.numbers("alpha"), traps = h.numbers("num_traps"), status = h.strings("status")
            let ks = h.numbers("ks_stat"), kp = h.numbers("ks_pvalue")
            let sigma = h.numbers("sigma"), centered = h.numbers("num_traps_centered")
            for i in 0..<s.count where s[i] == last {
                func v(_ c: [Double]?) -> Double? { c.flatMap { $0[i].isFinite ? $0[i] : nil } }
                finalHTSR.append((l[i], s[i], v(alpha), v(sigma), v(traps), v(centered), v(ks), v(kp), status?[i] ?? ""))
            }
            finalHTSR.sort { $0.layer < $1.layer }
        }
    }
}

/// Number formats for the report's text.
enum Format {
    /// 1234567 -> "1,234,567"; non-integers keep 4 significant digits.
    static func step(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        if v == v.rounded() && abs(v) < 1e15 {
            let digits = String(Int64(abs(v)))
            var out = ""
            for (i, c) in digits.enumerated() {
                if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return (v < 0 ? "−" : "") + out
        }
        return String(format: "%.4g", v)
    }

    static func number(_ v: Double?, digits: Int = 3) -> String {
        guard let v, v.isFinite else { return "–" }
        if v != 0 && (abs(v) < 1e-3 || abs(v) >= 1e6) { return String(format: "%.\(digits - 1)e", v) }
        return String(format: "%.\(digits)g", v)
    }

    static func percent(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%.1f%%", v * 100)
    }

    static func duration(_ s: Double?) -> String {
        guard let s, s.isFinite else { return "–" }
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.1f min", s / 60) }
        return String(format: "%.1f h", s / 3600)
    }
}
