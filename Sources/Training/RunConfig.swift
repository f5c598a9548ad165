import Foundation
import GrokCore
import RunFiles

/// config.json's hyperparameters: the typed side of `ConfigFile` for a training run.
extension RunDirectory {
    /// Writes config.json: the hyperparameters plus the facts of this run.
    public func writeConfig(_ config: TrainingConfig, extra: [String: Any]) throws {
        try ConfigFile.write(config, extra: extra, to: configURL)
    }

    /// Reads the hyperparameters back from config.json (for --resume).
    public func readConfig() throws -> TrainingConfig {
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw GrokError("cannot resume: \(configURL.path) is missing (is \(url.path) a GrokLab run directory?)")
        }
        do { return try ConfigFile.decode(TrainingConfig.self, from: configURL)! }
        catch { throw GrokError("cannot resume: \(configURL.path) is not a valid GrokLab config (\(error))") }
    }
}
