import RunFiles

extension PhaseConfusion {
    /// Counts the evaluations that have both labels.
    public init(accuracy: AccuracyPhases, htsr: HTSRPhases) {
        var htsrByStep: [Int: Phase] = [:]
        for (s, l) in zip(htsr.steps, htsr.labels) { htsrByStep[s] = l }
        var c = Array(repeating: Array(repeating: 0, count: Self.htsrPhases.count), count: Self.accuracyPhases.count)
        var n = 0
        for (s, l) in zip(accuracy.steps, accuracy.labels) {
            guard let h = htsrByStep[s], let i = Self.accuracyPhases.firstIndex(of: l) else { continue }
            let j = Self.htsrPhases.firstIndex(of: h) ?? Self.htsrPhases.firstIndex(of: .unknown)!
            c[i][j] += 1
            n += 1
        }
        self.init(counts: c, evaluations: n)
    }
}
