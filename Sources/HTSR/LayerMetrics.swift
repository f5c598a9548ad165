/// One scalar of a `LayerAnalysis` as it goes into a table cell.
public enum MetricValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case text(String)
}

/// One column of a layer-metrics table: its name (WeightWatcher's, the JSON key of
/// `LayerAnalysis`), its type, and how it is read from and written into a `LayerAnalysis`.
/// `LayerAnalysis.metrics` is the one list of these; every table of layer metrics (grok-analyze's
/// csv and table, a run's htsr.csv) is a selection from it, so no table restates the record.
public struct LayerMetric: Sendable {
    public enum Kind: Sendable { case int, double, bool, text }

    public let name: String
    public let kind: Kind
    let get: @Sendable (LayerAnalysis) -> MetricValue?
    let put: @Sendable (inout LayerAnalysis, MetricValue?) -> Void

    /// The value in `analysis`; nil when it does not exist.
    public func value(_ analysis: LayerAnalysis) -> MetricValue? { get(analysis) }

    /// Sets the value in `analysis` (nil clears an optional metric; a value of another kind
    /// is ignored, as is nil for the ones that always exist: N, M, kind, status).
    public func set(_ value: MetricValue?, in analysis: inout LayerAnalysis) { put(&analysis, value) }

    typealias Key = LayerAnalysis.CodingKeys

    static func int(_ key: Key, _ path: WritableKeyPath<LayerAnalysis, Int?> & Sendable) -> LayerMetric {
        LayerMetric(name: key.stringValue, kind: .int, get: { $0[keyPath: path].map(MetricValue.int) }) { a, v in
            if case .int(let x)? = v { a[keyPath: path] = x } else if v == nil { a[keyPath: path] = nil }
        }
    }

    static func double(_ key: Key, _ path: WritableKeyPath<LayerAnalysis, Double?> & Sendable) -> LayerMetric {
        LayerMetric(name: key.stringValue, kind: .double, get: { $0[keyPath: path].map(MetricValue.double) }) { a, v in
            switch v {
            case .double(let x)?: a[keyPath: path] = x
            case .int(let x)?: a[keyPath: path] = Double(x)
            case nil: a[keyPath: path] = nil
            default: break
            }
        }
    }

    /// N and M: always there.
    static func count(_ key: Key, _ path: WritableKeyPath<LayerAnalysis, Int> & Sendable) -> LayerMetric {
        LayerMetric(name: key.stringValue, kind: .int, get: { .int($0[keyPath: path]) }) { a, v in
            if case .int(let x)? = v { a[keyPath: path] = x; a.Q = a.M > 0 ? Double(a.N) / Double(a.M) : 0 }
        }
    }
}

extension LayerAnalysis {
    /// Every scalar metric, in the order grok-analyze's csv writes them (WeightWatcher's
    /// DataFrame order, then what goes beyond it). Eigenvalue lists and trap details are not
    /// scalars and are left out.
    public static let metrics: [LayerMetric] = [
        LayerMetric(name: CodingKeys.kind.stringValue, kind: .text, get: { .text($0.kind) }) { a, v in
            if case .text(let s)? = v { a.kind = s }
        },
        .count(.N, \.N),
        .count(.M, \.M),
        LayerMetric(name: CodingKeys.Q.stringValue, kind: .double, get: { .double($0.Q) }) { a, v in
            if case .double(let x)? = v { a.Q = x }
        },
        .int(.numEvals, \.numEvals),
        .double(.alpha, \.alpha),
        .double(.alphaWeighted, \.alphaWeighted),
        .double(.D, \.D),
        .double(.xmin, \.xmin),
        .double(.xmax, \.xmax),
        .double(.sigma, \.sigma),
        .int(.numPLSpikes, \.numPLSpikes),
        LayerMetric(name: CodingKeys.warning.stringValue, kind: .text, get: { $0.warning.map(MetricValue.text) }) { a, v in
            if case .text(let s)? = v { a.warning = s } else if v == nil { a.warning = nil }
        },
        .int(.numFingers, \.numFingers),
        .double(.rawAlpha, \.rawAlpha),
        .double(.norm, \.norm),
        .double(.logNorm, \.logNorm),
        .double(.spectralNorm, \.spectralNorm),
        .double(.logSpectralNorm, \.logSpectralNorm),
        .double(.logAlphaNorm, \.logAlphaNorm),
        .double(.stableRank, \.stableRank),
        .int(.matrixRank, \.matrixRank),
        .double(.entropy, \.entropy),
        .int(.detXNum, \.detXNum),
        .double(.detXVal, \.detXVal),
        .double(.detXValUnrescaled, \.detXValUnrescaled),
        .int(.ergGap, \.ergGap),
        .double(.mpSoftrank, \.mpSoftrank),
        .int(.numSpikes, \.numSpikes),
        .double(.sigmaMP, \.sigmaMP),
        .double(.bulkMax, \.bulkMax),
        .double(.bulkMin, \.bulkMin),
        .double(.wScale, \.wScale),
        .double(.spikeThreshold, \.spikeThreshold),
        .int(.numTraps, \.numTraps),
        .int(.randNumSpikes, \.randNumSpikes),
        .double(.randSigmaMP, \.randSigmaMP),
        .double(.randMPSoftrank, \.randMPSoftrank),
        .double(.randBulkMax, \.randBulkMax),
        .double(.randBulkMin, \.randBulkMin),
        .double(.randWScale, \.randWScale),
        .double(.randSpikeThreshold, \.randSpikeThreshold),
        .double(.maxRandEval, \.maxRandEval),
        .double(.randDistance, \.randDistance),
        .double(.ksStat, \.ksStat),
        .double(.ksPvalue, \.ksPvalue),
        .double(.wwSoftrank, \.wwSoftrank),
        .double(.wwMaxdist, \.wwMaxdist),
        .double(.maxTrapHeight, \.maxTrapHeight),
        .double(.meanStdRatio, \.meanStdRatio),
        LayerMetric(name: CodingKeys.meanSpike.stringValue, kind: .bool, get: { $0.meanSpike.map(MetricValue.bool) }) { a, v in
            if case .bool(let b)? = v { a.meanSpike = b } else if v == nil { a.meanSpike = nil }
        },
        .int(.numTrapsCentered, \.numTrapsCentered),
        .double(.randSigmaMPCentered, \.randSigmaMPCentered),
        LayerMetric(name: CodingKeys.status.stringValue, kind: .text, get: { .text($0.status.description) }) { a, v in
            if case .text(let s)? = v { a.status = LayerStatus(text: s) }
        },
    ]

    /// The metric called `name` (WeightWatcher's column name); nil when there is none.
    public static func metric(named name: String) -> LayerMetric? {
        metricsByName[name]
    }

    static let metricsByName = Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0) })
}

extension LayerStatus {
    /// Reads `description` back: "ok", "skipped: <reason>", "failed: <reason>"; any other
    /// text is a failure with that text as its reason.
    public init(text: String) {
        if text == "ok" || text.isEmpty { self = .ok }
        else if text.hasPrefix("skipped: ") { self = .skipped(String(text.dropFirst(9))) }
        else if text.hasPrefix("failed: ") { self = .fitFailed(String(text.dropFirst(8))) }
        else { self = .fitFailed(text) }
    }
}
