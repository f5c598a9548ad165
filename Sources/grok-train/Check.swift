import Foundation
import Datasets
import Diagnostics
import RunFiles
import Training

extension Train {
    /// --check: the settings a run would use, as JSON on stdout (sorted keys, so two runs with
    /// the same settings print the same bytes), and nothing written.
    func printCheck(config: TrainingConfig, diagnostics: DiagnosticsSettings, data: DataSplit) throws {
        let out = try ConfigFile.data(config, extra: [
            "diagnostics": diagnostics.jsonObject, "train_size": data.train.count,
            "test_size": data.test.count, "data_source": data.sourceDescription,
        ])
        FileHandle.standardOutput.write(out)
    }
}
