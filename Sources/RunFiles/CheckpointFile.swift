import Foundation
import GrokCore
import Tensors
import Datasets

/// checkpoint.safetensors: everything needed to continue a run bit for bit: parameters,
/// optimizer state, Grokfast's filter state, the batch order (with its generator), the step.
/// Stored as safetensors (the tensors in the training precision) with the rest as JSON in the
/// metadata, written atomically.
public struct Checkpoint<T: BLASScalar> {
    public var step: Int
    public var parameters: [T]
    public var optimizerStepCount: Int
    public var optimizerBuffers: [(name: String, values: [T])]
    /// Grokfast's filter: the gradients it has seen and its per-parameter buffers (nil and empty
    /// without a filter).
    public var gradientFilterSteps: Int?
    public var gradientFilterBuffers: [(name: String, values: [T])]
    public var batchOrder: BatchOrder
    /// Training wall time before this checkpoint (so a resumed run's time accounting continues).
    public var trainSeconds: Double
    public var otherSeconds: Double

    static var metadataKey: String { "groklab_checkpoint" }

    struct Meta: Codable {
        var step: Int
        var optimizerStepCount: Int
        var gradientFilterSteps: Int?
        var batchOrder: BatchOrder
        var dtype: String
        var trainSeconds: Double
        var otherSeconds: Double
        var version: String
    }

    public init(step: Int, parameters: [T], optimizerStepCount: Int,
                optimizerBuffers: [(name: String, values: [T])],
                gradientFilterSteps: Int? = nil, gradientFilterBuffers: [(name: String, values: [T])] = [],
                batchOrder: BatchOrder, trainSeconds: Double, otherSeconds: Double) {
        self.step = step; self.parameters = parameters; self.optimizerStepCount = optimizerStepCount
        self.optimizerBuffers = optimizerBuffers; self.batchOrder = batchOrder
        self.gradientFilterSteps = gradientFilterSteps; self.gradientFilterBuffers = gradientFilterBuffers
        self.trainSeconds = trainSeconds; self.otherSeconds = otherSeconds
    }

    static func tensor(_ name: String, _ values: [T]) -> Tensor {
        if T.self == Double.self { return Tensor(name: name, shape: [values.count], doubles: reinterpreted(values, as: Double.self)) }
        return Tensor(name: name, shape: [values.count], floats: values.map { Float($0) })
    }

    static func values(_ t: Tensor) throws -> [T] {
        if T.self == Double.self { return reinterpreted(try t.doubles(), as: T.self) }
        return try t.floats().map { T($0) }
    }

    public func write(to url: URL) throws {
        var tensors = [Checkpoint.tensor("parameters", parameters)]
        for b in optimizerBuffers { tensors.append(Checkpoint.tensor("optimizer." + b.name, b.values)) }
        for b in gradientFilterBuffers { tensors.append(Checkpoint.tensor("grokfast." + b.name, b.values)) }
        let meta = Meta(step: step, optimizerStepCount: optimizerStepCount, gradientFilterSteps: gradientFilterSteps,
                        batchOrder: batchOrder,
                        dtype: T.dtypeName, trainSeconds: trainSeconds, otherSeconds: otherSeconds,
                        version: GrokLabVersion.string)
        let json = String(decoding: try JSONEncoder().encode(meta), as: UTF8.self)
        try SafeTensors.write(tensors, metadata: [Checkpoint.metadataKey: json], to: url)
    }

    public static func read(from url: URL, parameterCount: Int) throws -> Checkpoint<T> {
        let file = try SafeTensors.read(url)
        guard let json = file.metadata[metadataKey],
              let meta = try? JSONDecoder().decode(Meta.self, from: Data(json.utf8)) else {
            throw GrokError("\(url.path) is not a GrokLab checkpoint (no readable \(metadataKey) metadata)")
        }
        guard meta.dtype == T.dtypeName else {
            throw GrokError("\(url.path) holds \(meta.dtype) state but the run is \(T.dtypeName)")
        }
        guard let p = file["parameters"] else { throw GrokError("\(url.path) has no 'parameters' tensor") }
        let params = try values(p)
        guard params.count == parameterCount else {
            throw GrokError("\(url.path) has \(params.count) parameters, the model has \(parameterCount)")
        }
        var buffers: [(name: String, values: [T])] = [], filterBuffers: [(name: String, values: [T])] = []
        for t in file.tensors where t.name.hasPrefix("optimizer.") {
            buffers.append((String(t.name.dropFirst("optimizer.".count)), try values(t)))
        }
        for t in file.tensors where t.name.hasPrefix("grokfast.") {
            filterBuffers.append((String(t.name.dropFirst("grokfast.".count)), try values(t)))
        }
        return Checkpoint(step: meta.step, parameters: params, optimizerStepCount: meta.optimizerStepCount,
                          optimizerBuffers: buffers, gradientFilterSteps: meta.gradientFilterSteps,
                          gradientFilterBuffers: filterBuffers, batchOrder: meta.batchOrder,
                          trainSeconds: meta.trainSeconds, otherSeconds: meta.otherSeconds)
    }
}

/// What a checkpoint says about itself without loading its tensors into a model.
public enum CheckpointInfo {
    /// The step a checkpoint was written at.
    public static func step(in url: URL) throws -> Int {
        let file = try SafeTensors.read(url)
        guard let json = file.metadata[Checkpoint<Double>.metadataKey],
              let meta = try? JSONDecoder().decode(Checkpoint<Double>.Meta.self, from: Data(json.utf8)) else {
            throw GrokError("\(url.path) is not a GrokLab checkpoint (no readable \(Checkpoint<Double>.metadataKey) metadata)")
        }
        return meta.step
    }
}
