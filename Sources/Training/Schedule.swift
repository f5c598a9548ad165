import GrokCore

/// Step counts as researchers write them: `1e7`, `10000000`, `10_000_000`.
public enum StepCount {
    public static func parse(_ text: String) throws -> Int {
        let t = text.replacingOccurrences(of: "_", with: "").trimmingCharacters(in: .whitespaces)
        if let n = Int(t) {
            guard n > 0 else { throw GrokError("steps must be a positive integer, got '\(text)'") }
            return n
        }
        guard let d = Double(t), d.isFinite, d >= 1, d <= 1e15, d == d.rounded() else {
            throw GrokError("steps must be a positive whole number like 1e7, 10000000 or 10_000_000; got '\(text)'")
        }
        return Int(d)
    }
}

/// At which steps a run evaluates and snapshots.
public enum EvaluationSchedule: String, Codable, Sendable, CaseIterable {
    /// `snapshots` distinct integer steps spread evenly in log(step) from 1 to the last step,
    /// plus step 0 and the last step.
    case log
    /// The HTSR authors' notebook: every step below 30, every 10 up to 140, then every
    /// ceil(steps / 150), plus the last step.
    case authors

    /// The sorted, distinct evaluation steps of a run of `steps` steps (0 and `steps` included).
    public func steps(total: Int, snapshots: Int) -> [Int] {
        var set = Set<Int>([0, total])
        switch self {
        case .log:
            // Evenly spaced in log(step); where rounding would repeat a step (the early, dense
            // end), take the next free integer instead, so there are exactly min(n, total)
            // distinct steps and the last is `total`.
            let n = min(max(snapshots, 1), total)
            var previous = 0
            for i in 0..<n {
                let f = n == 1 ? 1.0 : Double(i) / Double(n - 1)
                let ideal = Int(Foundation_pow(Double(total), f).rounded())
                let s = min(max(ideal, previous + 1), total - (n - 1 - i))
                set.insert(s)
                previous = s
            }
        case .authors:
            var s = 0
            while s <= total && s < 30 { set.insert(s); s += 1 }
            s = 30
            while s <= min(140, total) { set.insert(s); s += 10 }
            let every = Int((Double(total) / 150).rounded(.up))
            if every > 0 {
                s = ((140 / every) + 1) * every
                while s <= total { set.insert(s); s += every }
            }
        }
        return set.sorted()
    }
}

#if canImport(Glibc)
import Glibc
#endif
@inline(__always) func Foundation_pow(_ a: Double, _ b: Double) -> Double { pow(a, b) }
