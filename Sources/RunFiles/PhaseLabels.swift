import Foundation

/// The phases of a grokking run, named as in the run directory's files.
///
/// Accuracy-based labels use all five; HTSR-based labels use pre-grokking, grokking,
/// anti-grokking and `unknown` (a failed fit, or no rule fired before any label was given).
public enum Phase: String, Codable, Sendable, CaseIterable {
    /// Train accuracy has not yet reached the fit threshold.
    case memorizing
    /// Train fitted, test accuracy on its low plateau.
    case preGrokking = "pre-grokking"
    /// Test accuracy rising from the plateau towards its peak.
    case grokking
    /// Test accuracy near its peak.
    case grokked
    /// Test accuracy fallen well below its running peak (sustained) while train stays fitted.
    case antiGrokking = "anti-grokking"
    /// No label: the HTSR fit failed, or no data.
    case unknown

    /// The coarse phase used to compare the two labelings. HTSR sees only the weights, so it
    /// cannot tell memorizing from pre-grokking (both before generalization) nor grokking from
    /// grokked (both generalizing): memorizing/pre-grokking -> pre-grokking,
    /// grokking/grokked -> grokking, anti-grokking and unknown stay as they are.
    public var coarse: Phase {
        switch self {
        case .memorizing, .preGrokking: return .preGrokking
        case .grokking, .grokked: return .grokking
        case .antiGrokking, .unknown: return self
        }
    }
}

/// A maximal run of evaluated steps with the same label; both ends inclusive (they are the
/// first and last evaluated steps carrying `phase`).
public struct PhaseSegment: Codable, Sendable, Equatable {
    public let phase: Phase
    public let startStep: Int
    public let endStep: Int

    public init(phase: Phase, startStep: Int, endStep: Int) {
        self.phase = phase; self.startStep = startStep; self.endStep = endStep
    }

    enum CodingKeys: String, CodingKey {
        case phase, startStep = "start_step", endStep = "end_step"
    }

    /// Merges consecutive equal labels into segments. `steps` and `labels` are parallel arrays
    /// in step order (extra entries of the longer one are ignored).
    public static func segments(steps: [Int], labels: [Phase]) -> [PhaseSegment] {
        var out: [PhaseSegment] = []
        let n = min(steps.count, labels.count)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && labels[j + 1] == labels[i] { j += 1 }
            out.append(PhaseSegment(phase: labels[i], startStep: steps[i], endStep: steps[j]))
            i = j + 1
        }
        return out
    }
}

/// A layer's last HTSR numbers (for the summary).
public struct FinalLayer: Codable, Sendable, Equatable {
    public let layer: String
    public let step: Int
    /// WeightWatcher's alpha at that step and its standard error (the fit's sigma).
    public let alpha: Double?
    public let alphaSigma: Double?
    /// The alpha the phase rule used (the steadier one); nil for layers outside the rule.
    public let ruleAlpha: Double?
    public let numTraps: Int?
    public let numTrapsCentered: Int?

    public init(layer: String, step: Int, alpha: Double?, numTraps: Int?, alphaSigma: Double? = nil,
                ruleAlpha: Double? = nil, numTrapsCentered: Int? = nil) {
        self.layer = layer; self.step = step; self.alpha = alpha; self.numTraps = numTraps
        self.alphaSigma = alphaSigma; self.ruleAlpha = ruleAlpha; self.numTrapsCentered = numTrapsCentered
    }

    enum CodingKeys: String, CodingKey {
        case layer, step, alpha, alphaSigma = "alpha_sigma", ruleAlpha = "rule_alpha"
        case numTraps = "num_traps", numTrapsCentered = "num_traps_centered"
    }

    public func encode(to e: Encoder) throws {
        func f(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer); try c.encode(step, forKey: .step)
        try c.encode(f(alpha), forKey: .alpha); try c.encode(f(alphaSigma), forKey: .alphaSigma)
        try c.encode(f(ruleAlpha), forKey: .ruleAlpha)
        try c.encode(numTraps, forKey: .numTraps); try c.encode(numTrapsCentered, forKey: .numTrapsCentered)
    }

    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        layer = try c.decode(String.self, forKey: .layer)
        step = try c.decode(Int.self, forKey: .step)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        alphaSigma = try c.decodeIfPresent(Double.self, forKey: .alphaSigma)
        ruleAlpha = try c.decodeIfPresent(Double.self, forKey: .ruleAlpha)
        numTraps = try c.decodeIfPresent(Int.self, forKey: .numTraps)
        numTrapsCentered = try c.decodeIfPresent(Int.self, forKey: .numTrapsCentered)
    }
}

/// How well the HTSR labels recover the accuracy labels, evaluation by evaluation.
///
/// Rows are the accuracy phases (the ground truth), columns the HTSR labels, counted over
/// the evaluations that have both (evaluations are evenly spread in log(step), so every
/// decade weighs the same). HTSR sees only the weights and has no "memorizing" or "grokked"
/// label; what each accuracy phase counts as recalled is explicit in `expected`:
/// memorizing and pre-grokking both expect HTSR's pre-grokking (before generalization; the two
/// stay separate rows), grokking and grokked both expect grokking (generalizing), anti-grokking
/// expects anti-grokking. An HTSR "unknown" is a miss. Recall of a phase = evaluations
/// labelled as expected / evaluations in that phase. A single agreement percentage over all
/// evaluations would mostly measure how many evaluations fall in the early phases, where
/// "not yet" is easy; the per-phase recall does not.
public struct PhaseConfusion: Codable, Sendable, Equatable {
    public static let accuracyPhases: [Phase] = [.memorizing, .preGrokking, .grokking, .grokked, .antiGrokking]
    public static let htsrPhases: [Phase] = [.preGrokking, .grokking, .antiGrokking, .unknown]

    /// The HTSR label that counts as recalling an accuracy phase.
    public static func expected(_ accuracy: Phase) -> Phase {
        switch accuracy {
        case .memorizing, .preGrokking: return .preGrokking
        case .grokking, .grokked: return .grokking
        case .antiGrokking: return .antiGrokking
        case .unknown: return .unknown
        }
    }

    /// counts[i][j]: evaluations with accuracy phase accuracyPhases[i] and HTSR label htsrPhases[j].
    public var counts: [[Int]]
    public var evaluations: Int

    public init(counts: [[Int]], evaluations: Int) {
        self.counts = counts; self.evaluations = evaluations
    }

    /// Evaluations in an accuracy phase (with an HTSR label of any kind).
    public func total(_ phase: Phase) -> Int {
        Self.accuracyPhases.firstIndex(of: phase).map { counts[$0].reduce(0, +) } ?? 0
    }

    /// Recall of an accuracy phase; nil when the run has no evaluation in it.
    public func recall(_ phase: Phase) -> Double? {
        guard let i = Self.accuracyPhases.firstIndex(of: phase),
              let j = Self.htsrPhases.firstIndex(of: Self.expected(phase)) else { return nil }
        let t = counts[i].reduce(0, +)
        return t > 0 ? Double(counts[i][j]) / Double(t) : nil
    }

    /// The mean recall over the phases the run has (balanced accuracy): each phase weighs the
    /// same whatever its number of evaluations.
    public var balancedRecall: Double? {
        let r = Self.accuracyPhases.compactMap { recall($0) }
        return r.isEmpty ? nil : r.reduce(0, +) / Double(r.count)
    }

    /// One line per accuracy phase present: "grokking (12): pre-grokking 3, grokking 9 -> recall 75.0%".
    public var lines: [String] {
        Self.accuracyPhases.enumerated().compactMap { i, phase in
            let t = counts[i].reduce(0, +)
            guard t > 0 else { return nil }
            let cells = Self.htsrPhases.enumerated().filter { counts[i][$0.offset] > 0 }
                .map { "\($0.element.rawValue) \(counts[i][$0.offset])" }.joined(separator: ", ")
            let r = recall(phase).map { String(format: "%.1f%%", 100 * $0) } ?? "n/a"
            return "\(phase.rawValue) (\(t)): \(cells) -> recall \(r) (expects \(Self.expected(phase).rawValue))"
        }
    }

    enum CodingKeys: String, CodingKey {
        case accuracyPhases = "accuracy_phases", htsrPhases = "htsr_phases", counts, evaluations
        case expected, recall, balancedRecall = "balanced_recall"
    }

    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(Self.accuracyPhases, forKey: .accuracyPhases)
        try c.encode(Self.htsrPhases, forKey: .htsrPhases)
        try c.encode(counts, forKey: .counts)
        try c.encode(evaluations, forKey: .evaluations)
        var exp: [String: String] = [:], rec: [String: Double?] = [:]
        for p in Self.accuracyPhases {
            exp[p.rawValue] = Self.expected(p).rawValue
            rec[p.rawValue] = recall(p)
        }
        try c.encode(exp, forKey: .expected)
        try c.encode(rec, forKey: .recall)
        try c.encode(balancedRecall, forKey: .balancedRecall)
    }

    /// Reads the counts back (rows and columns matched by name, so a file with other phase
    /// lists still reads); recall is always recomputed from the counts.
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        let rows = try c.decode([Phase].self, forKey: .accuracyPhases)
        let cols = try c.decode([Phase].self, forKey: .htsrPhases)
        let raw = try c.decode([[Int]].self, forKey: .counts)
        var m = Array(repeating: Array(repeating: 0, count: Self.htsrPhases.count), count: Self.accuracyPhases.count)
        for (i, r) in rows.enumerated() {
            guard let ii = Self.accuracyPhases.firstIndex(of: r), i < raw.count else { continue }
            for (j, col) in cols.enumerated() where j < raw[i].count {
                if let jj = Self.htsrPhases.firstIndex(of: col) { m[ii][jj] += raw[i][j] }
            }
        }
        counts = m
        evaluations = try c.decodeIfPresent(Int.self, forKey: .evaluations) ?? m.joined().reduce(0, +)
    }
}
