import Dispatch
import Foundation
import GrokCore

/// The HTSR analyzer: matrices in, WeightWatcher's metrics (and more) out. It knows nothing
/// about training.
public enum HTSRAnalyzer {
    /// Smallest M analysed (WeightWatcher's default).
    public static let minM = 8
    /// Below this M the randomized ESD pools several shuffles (too few eigenvalues otherwise).
    public static let poolBelowM = 100
    public static let pooledShuffles = 5

    /// Analyses several layers at once (`options.threads` at a time, 0 = one per core). The
    /// results are in input order and do not depend on the thread count: each layer's
    /// shuffles come from its own stream SeededRandom(seed, name).
    public static func analyze(layers: [LayerInput], options: HTSROptions) -> [LayerAnalysis] {
        let workers = min(layers.count, options.threads > 0 ? options.threads : MachineInfo.coreCount)
        if workers <= 1 { return layers.map { analyze($0, options: options) } }
        let results = ResultSlots(count: layers.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: layers.count) {
                results.set(i, analyze(layers[i], options: options))
            }
        }
        return results.values
    }

    /// Analyses one layer. Never traps: problems end up in `status`.
    public static func analyze(_ layer: LayerInput, options: HTSROptions) -> LayerAnalysis {
        let (N, M) = ESDBuilder.shape(layer.kind)
        let kindName: String
        if case .conv2d = layer.kind { kindName = "conv2d" } else { kindName = "dense" }
        var out = LayerAnalysis(name: layer.name, kind: kindName, N: N, M: M)

        if M < minM { out.status = .skipped("M = \(M) < \(minM): too few eigenvalues"); return out }
        if M > options.maxM { out.status = .skipped("M = \(M) > \(options.maxM) (raise maxM to analyse)"); return out }
        if N > options.maxN { out.status = .skipped("N = \(N) > \(options.maxN) (raise maxN to analyse)"); return out }
        let entries = layer.entries
        if let bad = entries.firstIndex(where: { !$0.isFinite }) {
            out.status = .fitFailed("entry \(bad) is \(entries[bad]): matrix has NaN or infinite entries")
            return out
        }
        if let reason = magnitudeProblem(entries, N: N, M: M) { out.status = .fitFailed(reason); return out }
        let moments = EntryMoments(entries)
        out.meanStdRatio = moments.sd > 0 ? finite(moments.mean / moments.sd) : nil
        let esd: ESD
        do { esd = try ESDBuilder.esd(layer.kind) } catch {
            out.status = .fitFailed("eigenvalues: \(error)"); return out
        }
        let ev = esd.eigenvalues
        out.numEvals = ev.count
        if options.keepEigenvalues { out.eigenvalues = ev }
        func fail(_ reason: String) { if out.status == .ok { out.status = .fitFailed(reason) } }

        // Norm metrics.
        let total = ev.reduce(0, +)
        let lmax = ev.last ?? 0
        out.norm = total
        out.spectralNorm = lmax
        guard lmax > 0 else { fail("all eigenvalues are zero (W = 0)"); return out }
        out.logNorm = log10(total)
        out.logSpectralNorm = log10(lmax)
        out.stableRank = total / lmax
        // WeightWatcher counts singular values above s_max * N * eps (from an SVD). Gram
        // eigenvalues carry absolute noise ~eps * lambda_max, so the same cut is applied to the
        // eigenvalues, lambda > lambda_max * N * eps: identical for full-rank and exactly
        // rank-deficient matrices; only singular values between ~1e-14 and ~1e-7 of the
        // largest (numerically near-singular matrices) can be counted differently.
        let tol = lmax * Double(N) * Double.ulpOfOne
        let rank = ev.reduce(0) { $0 + ($1 > tol ? 1 : 0) }
        out.matrixRank = rank
        var h = 0.0
        for l in ev { let p = l / total + 1e-10; h -= p * log(p) }
        out.entropy = finite(h / log(Double(rank) + 1e-10))
        if let detX = DetXCondition.of(ascending: ev) {
            out.detXNum = detX.count; out.detXVal = detX.value; out.detXValUnrescaled = detX.rescaledValue
        }

        // Power-law fit. All eigenvalues equal (an orthogonal matrix, a multiple of one) leave
        // no tail to fit: the fit would report a meaningless alpha of ~1e15.
        let nonzero = ev.filter { $0 > tol }
        do throws(GrokError) {
            if nonzero.count >= 2, let lo = nonzero.first, let hi = nonzero.last, hi <= lo * (1 + 1e-6) {
                throw GrokError("degenerate ESD: all \(nonzero.count) nonzero eigenvalues are equal to within 1e-6 (an orthogonal matrix, or a multiple of one): no power law to fit")
            }
            let fit: PowerLawFit
            if options.fixFingers == .clipXmax {
                let r = try PowerLaw.fitClippingFingers(ascending: ev, keepDCurve: options.keepDCurve)
                fit = r.fit; out.numFingers = r.numFingers; out.rawAlpha = r.raw.alpha
            } else {
                fit = try PowerLaw.fit(ascending: ev, keepDCurve: options.keepDCurve)
            }
            out.alpha = fit.alpha; out.D = fit.D; out.xmin = fit.xmin; out.xmax = fit.xmax
            out.sigma = fit.sigma
            out.xminCandidates = fit.xminCandidates; out.dCurve = fit.dCurve
            out.numPLSpikes = ev.reduce(0) { $0 + ($1 >= fit.xmin ? 1 : 0) }
            out.ergGap = out.detXNum.map { $0 - out.numPLSpikes! }
            out.warning = PowerLaw.label(alpha: fit.alpha)
            out.alphaWeighted = fit.alpha * log10(lmax)
            out.logAlphaNorm = finite(log10(ev.reduce(0) { $0 + pow($1, fit.alpha) }))
        } catch {
            fail(error.message)
        }

        // Marchenko-Pastur fit.
        if options.mpFit {
            if let mp = MarchenkoPastur.fit(ascending: ev, Q: esd.Q, M: M) {
                out.sigmaMP = mp.sigma; out.numSpikes = mp.numSpikes; out.mpSoftrank = mp.softrank
                out.bulkMax = mp.bulkMax; out.bulkMin = mp.bulkMin; out.wScale = mp.wScale
                out.spikeThreshold = mp.spikeThresholdOriginal
            } else {
                fail("MP fit: no density above the KDE threshold")
            }
        }

        if options.randomize {
            randomize(layer, esd: esd, entries: entries, moments: moments, options: options, into: &out)
        }
        return out
    }

    /// Entries whose squares leave double precision: the Gram matrix W^T W would overflow
    /// (LAPACK then "fails to converge") or underflow to zero (W would look like 0). Said plainly.
    static func magnitudeProblem(_ entries: [Double], N: Int, M: Int) -> String? {
        let largest = entries.reduce(0) { max($0, abs($1)) }
        guard largest > 0 else { return nil }   // W = 0 is said by the eigenvalue check
        if largest > 1e140 / Double(max(N, 1)).squareRoot() {
            return "entries as large as \(largest): the eigenvalues of W^T W (squares, summed) overflow double precision; scale the matrix down"
        }
        if largest < 1e-140 {
            return "the largest entry is \(largest): the eigenvalues of W^T W (squares) underflow double precision, so W would look like 0; scale the matrix up"
        }
        return nil
    }

    /// Correlation traps: the ESD of shuffled copies of W, its MP fit, and what stands out.
    static func randomize(_ layer: LayerInput, esd: ESD, entries: [Double], moments: EntryMoments,
                          options: HTSROptions, into out: inout LayerAnalysis) {
        var rng = SeededRandom(seed: options.seed, stream: layer.name)
        var rand: [Double] = []
        var centered: [Double]? = options.centeredTraps ? [] : nil
        let extra: [Double]
        do {
            for _ in 0..<(esd.M < poolBelowM ? pooledShuffles : 1) {
                let r = try ESDBuilder.shuffledEigenvalues(layer.kind, rng: &rng,
                                                           centeringBy: options.centeredTraps ? moments.mean : nil)
                rand.append(contentsOf: r.raw)
                if let c = r.centered { centered?.append(contentsOf: c) }
            }
            rand.sort()
            centered?.sort()
            extra = try ESDBuilder.shuffledEigenvalues(layer.kind, rng: &rng)
        } catch {
            if out.status == .ok { out.status = .fitFailed("randomized eigenvalues: \(error)") }
            return
        }
        if options.keepEigenvalues { out.randEigenvalues = rand }
        out.maxRandEval = rand.last
        let lmax = esd.eigenvalues.last ?? 0
        if let rmax = extra.last, lmax > 0 {
            out.randDistance = finite(Randomization.jensenShannon(esd.eigenvalues, extra))
            out.wwSoftrank = rmax / lmax
            out.wwMaxdist = lmax - rmax
        }
        guard let mp = MarchenkoPastur.fit(ascending: rand, Q: esd.Q, M: esd.M) else {
            if out.status == .ok { out.status = .fitFailed("randomized MP fit: no density above the KDE threshold") }
            return
        }
        out.randNumSpikes = mp.numSpikes; out.numTraps = mp.numSpikes
        out.randSigmaMP = mp.sigma; out.randMPSoftrank = mp.softrank
        out.randBulkMax = mp.bulkMax; out.randBulkMin = mp.bulkMin; out.randWScale = mp.wScale
        out.randSpikeThreshold = mp.spikeThresholdOriginal

        // KS test of the rescaled randomized ESD against the fitted MP law (the MP law with the
        // layer's Q, also when Q == 1, where it is the quarter circle's law of eigenvalues).
        let s2 = mp.wScale * mp.wScale
        let x = rand.map { $0 * s2 }
        let F = MarchenkoPastur.cdf(sortedPoints: x, sigma: mp.sigma, Q: esd.Q)
        let d = Kolmogorov.statistic(cdfAtSortedData: F)
        out.ksStat = d
        out.ksPvalue = Kolmogorov.pValue(statistic: d, count: x.count)

        // Per-trap detail, largest trap first.
        let trapValues = rand.filter { $0 * s2 > mp.spikeThreshold }.reversed()
        let k = max(0, options.trapEntries)
        let columns: Int
        switch layer.kind {
        case .dense(let w): columns = w.cols
        case .conv2d(_, _, let i, let kh, let kw): columns = i * kh * kw
        }
        let ranked = Randomization.largestEntries(entries, columns: columns, count: k > 0 ? trapValues.count + k - 1 : 0,
                                                          N: esd.N, M: esd.M)
        out.traps = trapValues.enumerated().map { j, l in
            TrapDetail(eigenvalue: l, height: (l - mp.bulkMax) / mp.bulkMax,
                       entries: Array(ranked.dropFirst(j).prefix(k)))
        }
        out.maxTrapHeight = out.traps?.first?.height

        if let centered {
            centeredTraps(rand: rand, centered: centered, esd: esd, moments: moments,
                          threshold: mp.spikeThresholdOriginal, into: &out)
        }
    }

    /// The traps left once the weight mean is removed (see `LayerAnalysis.numTrapsCentered`),
    /// and whether the mean alone made one (`meanSpike`). `threshold` is the raw randomized
    /// fit's trap threshold (original scale): the flag compares both ESDs against the same
    /// line, so it does not depend on how the refit moves the edge.
    static func centeredTraps(rand: [Double], centered: [Double], esd: ESD, moments: EntryMoments,
                              threshold: Double, into out: inout LayerAnalysis) {
        guard let mp = MarchenkoPastur.fit(ascending: centered, Q: esd.Q, M: esd.M) else {
            if out.status == .ok { out.status = .fitFailed("centered randomized MP fit: no density above the KDE threshold") }
            return
        }
        out.numTrapsCentered = mp.numSpikes
        out.randSigmaMPCentered = mp.sigma
        let above = rand.reduce(0) { $0 + ($1 > threshold ? 1 : 0) }
        let aboveCentered = centered.reduce(0) { $0 + ($1 > threshold ? 1 : 0) }
        // BBP: a rank-one component of strength theta = |mu| sqrt(N M) on noise of entry std s
        // leaves the bulk only when theta > s (N M)^(1/4).
        let bbp = pow(Double(esd.N) * Double(esd.M), -0.25)
        let strong = moments.sd > 0 && abs(moments.mean) / moments.sd > bbp
        out.meanSpike = strong && aboveCentered < above
    }
}

/// Mean and (population) standard deviation of a layer's entries.
struct EntryMoments {
    let mean: Double
    let sd: Double

    init(_ values: [Double]) {
        let n = Double(max(values.count, 1))
        let m = values.reduce(0, +) / n
        mean = m
        sd = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
    }
}

@inline(__always) func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

/// Output slots written by concurrent workers, each index by exactly one worker.
/// @unchecked Sendable: every write is under the lock; reads happen after all workers ended.
final class ResultSlots: @unchecked Sendable {
    private var slots: [LayerAnalysis?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: LayerAnalysis) { lock.lock(); slots[i] = v; lock.unlock() }
    var values: [LayerAnalysis] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}

/// A shared work counter. @unchecked Sendable: the count is only touched under the lock.
final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard n < limit else { return nil }
        n += 1
        return n - 1
    }
}
