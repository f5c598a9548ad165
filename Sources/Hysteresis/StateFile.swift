import Foundation
import GrokCore

/// The one owner of the state file format: a network's shape and weights (row-major out x in,
/// PyTorch's layout) plus the stage that produced it, as JSON. A later stage warm-starts from
/// it (fresh optimizer: plain SGD has no state anyway).
public struct NetworkState: Codable, Equatable, Sendable {
    public static let formatName = "grok-hysteresis-state"
    public var format: String
    public var version: Int
    public var shape: LinearShape
    /// The beta, lr, batch and epochs of the stage that wrote it (for the reader's information).
    public var beta: Double
    public var lr: Double
    public var batch: Int
    public var epochs: Int
    public var layers: [[Double]]

    public init(network: DeepLinearNetwork, beta: Double, lr: Double, batch: Int, epochs: Int) {
        format = Self.formatName; version = 1; shape = network.shape
        self.beta = beta; self.lr = lr; self.batch = batch; self.epochs = epochs
        layers = network.layers.map(\.values)
    }

    public func write(to url: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(enc.encode(self), to: url)
    }

    public static func read(from url: URL) throws -> NetworkState {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GrokError("--init-from: no state file at \(url.path)")
        }
        guard let s = try? JSONDecoder().decode(NetworkState.self, from: data), s.format == formatName else {
            throw GrokError("--init-from: \(url.path) is not a \(formatName) file")
        }
        guard s.version == 1 else { throw GrokError("--init-from: \(url.path) has state version \(s.version); this build reads 1") }
        return s
    }

    /// The network, checked against the shape the caller asked for.
    public func network(expecting shape: LinearShape, source: String) throws -> DeepLinearNetwork {
        guard self.shape == shape else {
            throw GrokError("--init-from: \(source) holds a \(self.shape) network, not the requested \(shape)")
        }
        let sizes = shape.sizes
        guard layers.count == shape.depth else { throw GrokError("--init-from: \(source) has \(layers.count) layers for depth \(shape.depth)") }
        let mats = try (0..<shape.depth).map { l -> SmallMatrix in
            guard layers[l].count == sizes[l + 1] * sizes[l], layers[l].allSatisfy(\.isFinite) else {
                throw GrokError("--init-from: \(source) layer \(l + 1) has \(layers[l].count) values (or non-finite ones), expected \(sizes[l + 1] * sizes[l])")
            }
            return SmallMatrix(rows: sizes[l + 1], cols: sizes[l], values: layers[l])
        }
        return try DeepLinearNetwork(shape: shape, layers: mats)
    }
}
