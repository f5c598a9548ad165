import Foundation
import GrokCore
import RunFiles

/// config.json's hyperparameters: the typed side of `ConfigFile` (which owns the file) for a
/// training run.
extension TrainingConfig {
    /// Writes `run`'s config.json: the hyperparameters plus the facts of this run (`extra`).
    public func write(to run: RunDirectory, extra: [String: Any]) throws {
        try ConfigFile.write(self, extra: extra, to: run.configURL)
    }

    /// Reads the hyperparameters back from `run`'s config.json (for --resume).
    public static func read(from run: RunDirectory) throws -> TrainingConfig {
        guard FileManager.default.fileExists(atPath: run.configURL.path) else {
            throw GrokError("cannot resume: \(run.configURL.path) is missing (is \(run.url.path) a GrokLab run directory?)")
        }
        do { return try ConfigFile.decode(TrainingConfig.self, from: run.configURL)! }
        catch { throw GrokError("cannot resume: \(run.configURL.path) is not a valid GrokLab config (\(error))") }
    }
}
