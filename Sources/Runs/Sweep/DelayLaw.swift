import Foundation
import GrokCore
import Report
import RunFiles
import Training

/// arXiv 2606.13753's delay law, measured: for clamped runs (grok-train --clamp-norm RHO), the
/// grokking time T_grok against rho and the least-squares fit log T_grok = a * rho + b.
/// (grok-sweep delay-law.)
public enum DelayLaw {
    /// One task: a name, its T_grok threshold, and the folders holding its clamped runs (run
    /// directories, sweep directories, or folders of either).
    public struct Task: Sendable {
        public var name: String
        public var threshold: Double
        public var folders: [URL]

        /// "NAME;THRESHOLD;DIR[,DIR...]", the command line's spelling.
        public init(parsing text: String) throws {
            let parts = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, !parts[0].isEmpty, let x = Double(parts[1]), x > 0, x <= 1, !parts[2].isEmpty else {
                throw GrokError("--task must be 'NAME;THRESHOLD;DIR[,DIR...]' with THRESHOLD in (0, 1], got '\(text)'")
            }
            name = parts[0]; threshold = x
            folders = parts[2].split(separator: ",").map { URL(fileURLWithPath: String($0)) }
        }
    }

    /// One clamped run: its rho, and T_grok or (censored) the last step it reached without it.
    public struct Run: Sendable {
        public var directory: URL
        public var seed: Int
        public var rho: Double
        public var referenceNorm: Double
        /// The free run W_C came from (config.json's reference_run), when recorded.
        public var referenceRun: String?
        public var tGrok: Int?
        public var lastStep: Int
        public var censored: Bool { tGrok == nil }
        /// (step, test accuracy, weight norm) per evaluation, for the curves.
        public var curve: [(step: Double, testAccuracy: Double, weightNorm: Double)]
    }

    /// log T = a * rho + b over the runs that grokked; `aError` is the slope's standard error
    /// (needs 3 or more points), `r2` the coefficient of determination.
    public struct Fit: Sendable {
        public var a: Double, aError: Double, b: Double, r2: Double, points: Int
    }

    /// Every clamped run under `task`'s folders, sorted by rho then seed.
    public static func runs(_ task: Task) throws -> [Run] {
        var dirs: [URL] = []
        for f in task.folders {
            let fm = FileManager.default
            guard fm.fileExists(atPath: f.path) else { throw GrokError("--task \(task.name): \(f.path) does not exist") }
            if fm.fileExists(atPath: f.appendingPathComponent("config.json").path) { dirs.append(f); continue }
            let base = fm.fileExists(atPath: f.appendingPathComponent("runs").path) ? f.appendingPathComponent("runs") : f
            let names = (try? fm.contentsOfDirectory(atPath: base.path)) ?? []
            dirs += names.sorted().map { base.appendingPathComponent($0) }
                .filter { fm.fileExists(atPath: RunDirectory($0).configURL.path) }
        }
        let runs = try dirs.compactMap { try run($0, threshold: task.threshold) }
        guard !runs.isEmpty else { throw GrokError("--task \(task.name): no clamped runs (config.json with norm_control.clamp) under \(task.folders.map(\.path).joined(separator: ", "))") }
        return runs.sorted { ($0.rho, $0.seed) < ($1.rho, $1.seed) }
    }

    /// A run directory's clamp and T_grok; nil when the run has no clamp (a free run).
    static func run(_ dir: URL, threshold: Double) throws -> Run? {
        let runDir = RunDirectory(dir)
        // Only the members the law needs (a hand-made or foreign config.json may lack the rest).
        let control: NormControl?
        let seed: UInt64
        do {
            control = try ConfigFile.decode(NormControl.self, from: runDir.configURL, key: "norm_control")
            seed = try ConfigFile.decode(UInt64.self, from: runDir.configURL, key: "seed") ?? 0
        } catch { throw GrokError("\(runDir.configURL.path): \(error)") }
        guard case let .clamp(rho, _, ref, referenceRun)? = control else { return nil }
        let table = try CSVTable.read(runDir.metricsURL)
        guard let steps = table.numbers("step"), let test = table.numbers("test_acc"), let norm = table.numbers("l2_weights") else {
            throw GrokError("\(runDir.metricsURL.path) lacks the step, test_acc or l2_weights column")
        }
        let tGrok = MetricsFile.firstRow(reaching: threshold, in: test, steps: steps).map { Int(steps[$0]) }
        let curve = steps.indices.filter { steps[$0].isFinite }.map { (step: steps[$0], testAccuracy: test[$0], weightNorm: norm[$0]) }
        return Run(directory: dir, seed: Int(seed), rho: rho, referenceNorm: ref,
                   referenceRun: referenceRun, tGrok: tGrok,
                   lastStep: Int(steps.last(where: \.isFinite) ?? 0), curve: curve)
    }

    /// Ordinary least squares of ln T_grok on rho over the runs that grokked; nil with fewer
    /// than 2 distinct rho values.
    public static func fit(_ runs: [Run]) -> Fit? {
        var xs: [Double] = [], ys: [Double] = []
        for r in runs { if let t = r.tGrok { xs.append(r.rho); ys.append(log(Double(max(t, 1)))) } }
        guard Set(xs).count >= 2 else { return nil }
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for i in xs.indices {
            sxx += (xs[i] - mx) * (xs[i] - mx); sxy += (xs[i] - mx) * (ys[i] - my); syy += (ys[i] - my) * (ys[i] - my)
        }
        let a = sxy / sxx, b = my - a * mx
        var ssr = 0.0
        for i in xs.indices { let e = ys[i] - (a * xs[i] + b); ssr += e * e }
        let se = xs.count > 2 ? (ssr / (n - 2) / sxx).squareRoot() : .nan
        return Fit(a: a, aError: se, b: b, r2: syy > 0 ? 1 - ssr / syy : .nan, points: xs.count)
    }

    /// delay-law.csv: one row per run.
    public static func runsCSV(_ tasks: [(Task, [Run])]) -> String {
        var lines = ["task,seed,rho,w_c,clamp_target,t_grok,censored,last_step,run"]
        for (t, runs) in tasks {
            for r in runs {
                var fields: [String] = [csvField(t.name), String(r.seed), fmt(r.rho), fmt(r.referenceNorm)]
                fields.append(fmt(r.rho * r.referenceNorm))
                fields.append(r.tGrok.map(String.init) ?? "")
                fields += [r.censored ? "1" : "0", String(r.lastStep), csvField(relative(r.directory))]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// delay-law-fit.csv: one row per task.
    public static func fitCSV(_ tasks: [(Task, [Run], Fit?)]) -> String {
        var lines = ["task,threshold,runs,grokked,censored,a,a_stderr,b,r2"]
        for (t, runs, f) in tasks {
            let grokked = runs.filter { !$0.censored }.count
            var fields: [String] = [csvField(t.name), fmt(t.threshold), String(runs.count), String(grokked), String(runs.count - grokked)]
            fields += [f.map { fmt($0.a) } ?? "", f.map { fmt($0.aError) } ?? "", f.map { fmt($0.b) } ?? "", f.map { fmt($0.r2) } ?? ""]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per task for the terminal and the README.
    public static func summaryLine(_ t: Task, _ runs: [Run], _ f: Fit?) -> String {
        let censored = runs.filter(\.censored)
        var line = "\(t.name): \(runs.count) clamped runs, \(runs.count - censored.count) grokked (test acc >= \(t.threshold))"
        if !censored.isEmpty {
            line += ", \(censored.count) censored (" + censored.map { String(format: "rho %.2f seed %d at %d", $0.rho, $0.seed, $0.lastStep) }.joined(separator: "; ") + ")"
        }
        guard let f else { return line + "; no fit (fewer than two rho values grokked)" }
        return line + String(format: "; log T_grok = a rho + b: a = %.2f ± %.2f (s.e.), b = %.2f, R^2 = %.3f over %d runs", f.a, f.aError, f.b, f.r2, f.points)
    }

    /// A path relative to the working directory when it lies below it (tables stay portable).
    static func relative(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/", path = url.standardizedFileURL.path
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    static func fmt(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "" }
    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
