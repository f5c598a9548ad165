import Foundation
import Datasets
import Diagnostics
import Training

extension Train {
    /// --check: the settings a run would use, as JSON on stdout (sorted keys, so two runs with
    /// the same settings print the same bytes), and nothing written.
    func printCheck(config: TrainingConfig, diagnostics: DiagnosticsSettings, data: TrainingData) throws {
        let enc = JSONEncoder()
        enc.keyEncodingStrategy = .convertToSnakeCase
        var dict = (try JSONSerialization.jsonObject(with: try enc.encode(config))) as? [String: Any] ?? [:]
        dict["diagnostics"] = diagnostics.jsonObject
        dict["train_size"] = data.trainCount
        dict["test_size"] = data.testCount
        dict["data_source"] = data.sourceDescription
        let out = try JSONSerialization.data(withJSONObject: dict, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(out + Data("\n".utf8))
    }
}
