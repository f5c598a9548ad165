import Foundation
import Charts

/// Figures that need the weights: ESDs (4, 5) and singular vectors (9).
/// TODO: waits for the Tensors and HTSR modules to land on main.
struct SnapshotFigures {
    let run: RunData
    let options: ReportOptions

    func build() -> ([ReportFigure], [String]) {
        ([], ["figures 4, 5 and 9 (ESD, randomized ESD, singular vectors) are not built yet"])
    }
}
