/// The model-level summary: the plain mean over analysed layers (status ok) of the metrics
/// WeightWatcher averages. Unlike the reference, layers that were skipped or whose fit failed
/// are excluded from every mean and listed with the reason.
public struct ModelSummary: Sendable, Codable, Equatable {
    public var alpha: Double?
    public var alphaWeighted: Double?
    public var logNorm: Double?
    public var logAlphaNorm: Double?
    public var logSpectralNorm: Double?
    public var stableRank: Double?
    public var mpSoftrank: Double?
    public var analysedLayers: [String]
    public var excludedLayers: [Excluded]

    public struct Excluded: Sendable, Codable, Equatable {
        public var name: String
        public var reason: String
    }

    public init(_ layers: [LayerAnalysis]) {
        let ok = layers.filter { $0.status == .ok }
        analysedLayers = ok.map(\.name)
        excludedLayers = layers.filter { $0.status != .ok }.map { Excluded(name: $0.name, reason: $0.status.description) }
        func mean(_ f: (LayerAnalysis) -> Double?) -> Double? {
            let v = ok.compactMap(f)
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        alpha = mean(\.alpha); alphaWeighted = mean(\.alphaWeighted); logNorm = mean(\.logNorm)
        logAlphaNorm = mean(\.logAlphaNorm); logSpectralNorm = mean(\.logSpectralNorm)
        stableRank = mean(\.stableRank); mpSoftrank = mean(\.mpSoftrank)
    }

    enum CodingKeys: String, CodingKey {
        case alpha
        case alphaWeighted = "alpha_weighted"
        case logNorm = "log_norm"
        case logAlphaNorm = "log_alpha_norm"
        case logSpectralNorm = "log_spectral_norm"
        case stableRank = "stable_rank"
        case mpSoftrank = "mp_softrank"
        case analysedLayers = "analysed_layers"
        case excludedLayers = "excluded_layers"
    }
}
