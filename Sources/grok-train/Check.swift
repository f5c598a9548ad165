import Foundation
import Datasets
import Diagnostics
import RunFiles
import Training

extension Train {
    /// --check: the settings a run would use, as JSON on stdout (sorted keys, so two runs with
    /// the same settings print the same bytes), and nothing written.
    func printCheck(config: TrainingConfig, diagnostics: DiagnosticsSettings, data: TrainingData) throws {
        let out = try ConfigFile.data(config, extra: [
            "diagnostics": diagnostics.jsonObject, "train_size": data.trainCount,
            "test_size": data.testCount, "data_source": data.sourceDescription,
        ])
        FileHandle.standardOutput.write(out)
    }
}
