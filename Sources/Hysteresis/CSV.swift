import Foundation
import GrokCore

/// The one writer of per-evaluation trace CSVs.
public enum TraceCSV {
    public static let header = "epoch,train_mse,test_mse,objective,sigma1,sigma2,rank,effective_rank"

    public static func row(_ r: EpochRecord) -> String {
        let s1 = r.singularValues.first ?? 0
        return "\(r.epoch),\(r.trainMSE),\(r.testMSE),\(r.objective),\(s1),\(r.sigma2),\(r.rank()),\(r.effectiveRank)"
    }

    public static func write(_ records: [EpochRecord], to url: URL) throws {
        try AtomicFile.write(([header] + records.map(row)).joined(separator: "\n") + "\n", to: url)
    }
}
