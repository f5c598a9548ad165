import Foundation
import GrokCore
import HTSR
import ToolSupport
import Diagnostics

enum OutputFormat: String, CaseIterable {
    case table, csv, json
}

/// Files in, metrics out. Files are read one after another into batches of layers; each
/// batch is analysed in parallel (layers at once; BLAS threads only for a lone large layer);
/// output is in input order whatever the threads. A file that cannot be
/// read prints one `error:` line as it is met and the rest go on.
struct Pipeline {
    var options: HTSROptions
    var selection: [String]?
    var format: OutputFormat
    var charts: ChartFiles?
    /// Threads in all (0 = every core).
    var threads: Int

    /// Layers per batch per thread, and a cap on the values a batch holds (memory).
    static let layersPerThread = 4
    static let maxBatchValues = 1 << 25   // 256 MB of Double
    /// From this M on, a lone layer gets the threads as BLAS threads.
    static let blasThreadsFromM = 1000

    private var rows: [Row] = []
    private var skippedNotes: [String] = []
    private var seenNotes = Set<String>()
    private var failed = false
    /// Snapshot errors already said for a run (the same --layers mistake hits every snapshot),
    /// with how many more snapshots had them.
    private var repeatedRunErrors: [(key: String, more: Int)] = []

    init(options: HTSROptions, selection: [String]?, format: OutputFormat, charts: ChartFiles?, threads: Int) {
        self.options = options; self.selection = selection; self.format = format; self.charts = charts; self.threads = threads
    }

    /// Runs everything; returns false when any file (or layer) failed.
    mutating func run(paths: [String]) throws -> Bool {
        let (sources, failures) = WeightFiles.resolve(paths)
        for f in failures { report(f.description) }
        let layout = Layout(sources: sources, randomized: options.randomize)
        if format == .csv { print(CSVOutput.header) }

        let workers = threads > 0 ? threads : MachineInfo.coreCount
        var batch: [(source: WeightSource, id: Int, layer: LayerInput)] = []
        var batchValues = 0
        for source in sources {
            let file: WeightFile
            do { file = try WeightFiles.load(source, layers: selection) } catch let f as FileFailure {
                report(f, from: source); continue
            }
            if file.tensorNames.isEmpty { report("\(source.path): holds no tensors"); continue }
            for e in file.layerErrors { report("\(source.path): \(oneLine(e.message))") }
            for s in file.skipped { skippedNote(source, s) }
            for layer in file.layers {
                batch.append((source, file.tensorNames.firstIndex(of: layer.name) ?? 0, layer))
                batchValues += layer.values.count
            }
            if batch.count >= workers * Self.layersPerThread || batchValues >= Self.maxBatchValues {
                try analyse(batch, workers: workers)
                batch = []; batchValues = 0
            }
        }
        if !batch.isEmpty { try analyse(batch, workers: workers) }

        for r in repeatedRunErrors where r.more > 0 {
            note("note: \(r.key) (and in \(r.more) more snapshot\(r.more == 1 ? "" : "s"))")
        }
        switch format {
        case .csv: break
        case .json: print(try JSONOutput.document(rows))
        case .table: print(TableOutput.render(rows, layout: layout, skipped: skippedNotes), terminator: "")
        }
        return !failed
    }

    /// One `error:` line on stderr, at once.
    private mutating func report(_ line: String) {
        failed = true
        note("error: \(line)")
    }

    /// A file that failed; a snapshot's problem already said for another snapshot of the same
    /// run is counted, not repeated.
    private mutating func report(_ f: FileFailure, from source: WeightSource) {
        guard source.run != nil else { return report(f.description) }
        let key = "\(runPath(source)): \(f.problem)"
        if let i = repeatedRunErrors.firstIndex(where: { $0.key == key }) {
            failed = true
            repeatedRunErrors[i].more += 1
        } else {
            repeatedRunErrors.append((key, 0))
            report(f.description)
        }
    }

    /// The run directory of a snapshot, spelled as the user gave it.
    private func runPath(_ source: WeightSource) -> String {
        ((source.path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    }

    /// A tensor that is not a weight matrix: said once per file (once per run for snapshots).
    private mutating func skippedNote(_ source: WeightSource, _ s: SkippedTensor) {
        let owner = source.run == nil ? source.path : runPath(source)
        let text = "\(owner): \(oneLine(s.description))"
        guard seenNotes.insert(text).inserted else { return }
        if format == .table { skippedNotes.append(text) } else { note("note: \(text)") }
    }

    private mutating func analyse(_ batch: [(source: WeightSource, id: Int, layer: LayerInput)], workers: Int) throws {
        let inputs = batch.map(\.layer)
        // Threads go to layers (one per thread, single-threaded BLAS) unless there are fewer
        // layers than threads and they are large. Measured on omni1 (600 layers of 784x200 and
        // smaller, 2 cores): BLAS threads on small layers doubled the wall time (thread syncs).
        var opts = options
        let largest = batch.map { min($0.layer.rows, $0.layer.cols) }.max() ?? 0
        if inputs.count < workers && largest >= Self.blasThreadsFromM {
            opts.threads = 1
            BLASRuntime.setThreads(workers)
        } else {
            opts.threads = workers
            BLASRuntime.setThreads(1)
        }
        let results = HTSRAnalyzer.analyze(layers: inputs, options: opts)
        for (item, analysis) in zip(batch, results) {
            var row = Row(source: item.source, layerID: item.id, analysis: analysis)
            try charts?.write(row)
            // Spectra were kept for the charts only; tables and json stay small.
            row.analysis.eigenvalues = nil; row.analysis.randEigenvalues = nil
            row.analysis.xminCandidates = nil; row.analysis.dCurve = nil
            if format == .csv { print(CSVOutput.line(row)) } else { rows.append(row) }
        }
    }
}
