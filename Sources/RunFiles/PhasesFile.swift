import Foundation
import GrokCore
import Phases

/// phases.json: a run's phase labels, the `PhasesReport` schema. Rewritten by the diagnostics
/// after every analysed snapshot (atomically: a live reader never sees half a file) and by a
/// relabel; read by the report, the sweep summary and the tests.
extension PhasesReport {
    /// Writes the file atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(try jsonData(), to: url)
    }

    /// Reads the file; optional fields missing in older or hand-written files are nil.
    public static func read(from url: URL) throws -> PhasesReport {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GrokError("cannot read \(url.path): \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(PhasesReport.self, from: data) } catch {
            throw GrokError("\(url.path): not a valid phases.json (\(decodingSummary(error)))")
        }
    }
}

/// One line describing a decoding error (JSONDecoder's own descriptions span several lines).
func decodingSummary(_ error: Error) -> String {
    switch error {
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
         DecodingError.keyNotFound(_, let c), DecodingError.dataCorrupted(let c):
        let path = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return (path.isEmpty ? "" : "at \(path): ") + c.debugDescription.split(separator: "\n").joined(separator: " ")
    default:
        return String(describing: error).split(separator: "\n").joined(separator: " ")
    }
}
