import Foundation
import GrokCore
import RunFiles
import Tensors

/// Writes a snapshot in `precision` (nil = the training precision). f32 snapshots of an f64 run
/// halve the disk a run takes; the HTSR rows are computed from the weights in memory, in
/// float64, so they do not change.
func writeSnapshot<T: BLASScalar>(layout: ParameterLayout, parameters: UnsafeBufferPointer<T>, step: Int,
                                  to url: URL, precision: TrainingConfig.Precision?) throws {
    switch (precision, T.self == Double.self) {
    case (.f32?, true):
        let floats = parameters.map { Float($0) }
        try floats.withUnsafeBufferPointer { try SnapshotFile.write(layout: layout, parameters: $0, step: step, to: url) }
    case (.f64?, false):
        let doubles = parameters.map { Double($0) }
        try doubles.withUnsafeBufferPointer { try SnapshotFile.write(layout: layout, parameters: $0, step: step, to: url) }
    default:
        try SnapshotFile.write(layout: layout, parameters: parameters, step: step, to: url)
    }
}
