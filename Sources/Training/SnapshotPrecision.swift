import Foundation
import Linalg
import Model
import RunFiles
import Tensors

extension SnapshotFile {
    /// Writes a snapshot in `dtype` (nil = the training precision). f32 snapshots of an f64 run
    /// halve the disk a run takes; the HTSR rows are computed from the weights in memory, in
    /// float64, so they do not change.
    public static func write<T: BLASScalar>(layout: ParameterLayout, parameters: UnsafeBufferPointer<T>, step: Int,
                                            to url: URL, dtype: TrainingConfig.Precision?) throws {
        switch (dtype, T.self == Double.self) {
        case (.f32?, true):
            let floats = parameters.map { Float($0) }
            try floats.withUnsafeBufferPointer { try write(layout: layout, parameters: $0, step: step, to: url) }
        case (.f64?, false):
            let doubles = parameters.map { Double($0) }
            try doubles.withUnsafeBufferPointer { try write(layout: layout, parameters: $0, step: step, to: url) }
        default:
            try write(layout: layout, parameters: parameters, step: step, to: url)
        }
    }
}
