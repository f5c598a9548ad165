import Foundation
import GrokCore
import Datasets
import Model
import Optim
import RunFiles
import Tensors

/// How a run ended, with what to tell the user.
public struct RunResult: Sendable {
    public let outcome: RunOutcome
    public let finalStep: Int
    /// Seconds inside training steps, and outside them (evaluation, snapshots, checkpoints,
    /// diagnostics), over the whole run including earlier resumed segments.
    public let trainSeconds: Double
    public let otherSeconds: Double
    public let summary: [String]
}

/// Runs training for a configuration: picks the precision, then hands over to `TrainingLoop`.
public enum Trainer {
    /// The image datasets' entry (the MLP).
    public static func run(config: TrainingConfig, data: DataSplit, directory: RunDirectory,
                           resume: Bool, observers: [TrainingObserver], progress: ProgressReporter,
                           checkpointInterval: Double = CheckpointPolicy.defaultInterval) throws -> RunResult {
        try run(config: config, data: .images(data), directory: directory, resume: resume, observers: observers,
                progress: progress, checkpointInterval: checkpointInterval)
    }

    /// `checkpointInterval`: seconds of wall time between checkpoints (see `CheckpointPolicy`).
    public static func run(config: TrainingConfig, data: TrainingData, directory: RunDirectory,
                           resume: Bool, observers: [TrainingObserver], progress: ProgressReporter,
                           checkpointInterval: Double = CheckpointPolicy.defaultInterval) throws -> RunResult {
        let policy = CheckpointPolicy(interval: checkpointInterval)
        switch config.dtype {
        case .f64:
            return try TrainingLoop<Double>(config: config, data: data, directory: directory,
                                            observers: observers, progress: progress, checkpoints: policy).run(resume: resume)
        case .f32:
            return try TrainingLoop<Float>(config: config, data: data, directory: directory,
                                           observers: observers, progress: progress, checkpoints: policy).run(resume: resume)
        }
    }
}

/// The training loop, in one precision. Reads top to bottom: set up, then for each step draw a
/// batch, forward + loss + backward, update, and at scheduled steps evaluate, snapshot and
/// checkpoint.
final class TrainingLoop<T: BLASScalar> {
    let config: TrainingConfig
    let directory: RunDirectory
    let observers: [TrainingObserver]
    let progress: ProgressReporter
    /// The network's tensors; `mlpShape` is nil for the token model (modular addition).
    let layout: ParameterLayout
    let mlpShape: MLPShape?
    let model: any TrainableNetwork<T>
    let optimizer: any Optimizer<T>
    /// Grokfast's filter between backward and the update; nil without --grokfast.
    let gradientFilter: GradientFilter<T>?
    var order: BatchOrder
    let batches: BatchFeeder<T>
    // The full sets as rows (pixels / 255, or token ids), row-major.
    let trainInputs: [T], trainLabels: [Int32]
    let testInputs: [T], testLabels: [Int32]
    // Their sparse structure, built once (the MLP's sparse kernels' evaluation input).
    let trainRows: SparseRows<T>?, testRows: SparseRows<T>?
    let probeInputs: [Double], probeLabels: [Int32]

    let checkpoints: CheckpointPolicy

    init(config: TrainingConfig, data: TrainingData, directory: RunDirectory,
         observers: [TrainingObserver], progress: ProgressReporter, checkpoints: CheckpointPolicy) throws {
        self.checkpoints = checkpoints
        try config.validate()
        if case .images = data { try config.validate(features: data.features, classes: 10) }
        self.config = config
        self.directory = directory
        self.observers = observers
        self.progress = progress
        BLASRuntime.setThreads(config.threads)
        let sparse: Bool
        if let m = config.modularAdditionModel {
            let net = EmbeddingMLP<T>(vocab: m.modulus, dim: m.dim, hidden: m.hidden, classes: m.modulus)
            mlpShape = nil; layout = net.layout; model = net; sparse = false
        } else {
            let shape = try MLPShape(widths: config.widths)
            let net = MLP<T>(shape: shape, maxBatch: config.batchSize, kernels: config.kernelChoice)
            mlpShape = shape; layout = shape.layout; model = net; sparse = config.kernelChoice == .sparse
        }
        model.threads = config.threads
        // --threads covers our own loops too: the optimizer update is split into contiguous
        // chunks (element-wise, so the result is bit-identical for any thread count).
        switch config.optimizer {
        case .adamw:
            let adam = AdamW<T>(count: layout.parameterCount, lr: config.lr, weightDecay: config.wd,
                                beta1: config.beta1, beta2: config.beta2, eps: config.eps)
            adam.threads = config.threads
            // arXiv 2606.13753 decays E, W1, W2 only; the MLP recipes decay everything (torch's default).
            if mlpShape == nil { adam.decayRanges = layout.weightRanges }
            optimizer = adam
        case .sgd:
            let sgd = SGD<T>(count: layout.parameterCount, lr: config.lr, momentum: config.momentum,
                             weightDecay: config.wd)
            sgd.threads = config.threads
            optimizer = sgd
        }
        let filter = config.grokfast?.filter(count: layout.parameterCount, as: T.self)
        filter?.threads = config.threads
        gradientFilter = filter
        let f = data.features
        (trainInputs, trainLabels) = data.rows(train: true, as: T.self)
        (testInputs, testLabels) = data.rows(train: false, as: T.self)
        if sparse {
            let tr = SparseRows<T>(capacityRows: trainLabels.count, columns: f)
            tr.fill(dense: trainInputs, rows: trainLabels.count)
            let te = SparseRows<T>(capacityRows: testLabels.count, columns: f)
            te.fill(dense: testInputs, rows: testLabels.count)
            trainRows = tr; testRows = te
        } else {
            trainRows = nil; testRows = nil
        }
        order = BatchOrder(mode: config.batchOrderMode, trainCount: data.trainCount,
                           batchSize: config.batchSize, seed: config.seed)
        batches = BatchFeeder(order: order, inputs: trainInputs, labels: trainLabels, features: f, sparse: sparse)
        let probe = order.firstBatch
        let trainX = trainInputs, trainY = trainLabels
        probeInputs = probe.flatMap { i in (0..<f).map { Double(trainX[i * f + $0]) } }
        probeLabels = probe.map { trainY[$0] }
        // The weights of pixels that are zero in every training image never get a gradient:
        // AdamW leaves out their square roots and divisions (the same values).
        if let net = model as? MLP<T>, let adam = optimizer as? AdamW<T> {
            adam.silentRanges = net.silentParameterRanges(inputs: trainX)
        }
    }

    func run(resume: Bool) throws -> RunResult {
        // 1. Starting point: fresh weights, or the checkpoint of a run being resumed. The fresh
        // weights are drawn either way: their norm is --constrain-norm's target.
        var startStep = 0
        var trainSeconds = 0.0, otherSeconds = 0.0
        var rng = SeededRandom(seed: config.seed, stream: "init")
        model.initialize(scale: config.initScale, rng: &rng)
        let normIntervention = config.normControl?.intervention(layout: layout, initialNorm: model.norms().total, as: T.self)
        var normFactor = 1.0   // the factor normIntervention applied after the latest step
        if resume {
            let ckpt = try Checkpoint<T>.read(from: directory.checkpointURL, parameterCount: layout.parameterCount)
            // The checkpoint holds parameters and optimizer state in file (PyTorch) layout.
            model.setFileParameters(ckpt.parameters)
            try optimizer.restore(stepCount: ckpt.optimizerStepCount,
                                  buffers: Dictionary(uniqueKeysWithValues: ckpt.optimizerBuffers.map { ($0.name, storageLayout($0.values)) }))
            if let gradientFilter {
                guard let filtered = ckpt.gradientFilterSteps else {
                    throw GrokError("cannot resume: \(directory.checkpointURL.path) holds no Grokfast state but config.json asks for --grokfast")
                }
                try gradientFilter.restore(filteredSteps: filtered,
                                           buffers: Dictionary(uniqueKeysWithValues: ckpt.gradientFilterBuffers.map { ($0.name, storageLayout($0.values)) }))
            }
            order = ckpt.batchOrder
            startStep = ckpt.step
            trainSeconds = ckpt.trainSeconds
            otherSeconds = ckpt.otherSeconds
            removeSnapshots(after: startStep)
            directory.removeStaleTemporaryFiles()
        }

        // 2. Output files and observers.
        let baseColumns = MetricsFile.baseColumns(layerNames: layout.layerNames)
        let extraColumns = observers.flatMap { $0.extraMetricColumns }
        let keep: Int? = resume ? startStep : nil
        let metrics = try MetricsLog(url: directory.metricsURL, columns: baseColumns + extraColumns, keepThroughStep: keep)
        let timingColumns = resume ? TimingFile.columns(continuing: directory.timingURL) : TimingFile.columns
        let timing = try CSVLog(url: directory.timingURL, header: timingColumns, keepThroughStep: keep)
        var background = BackgroundWork.idle   // the observers' background work at the last evaluation's end
        let backgroundWork = { [observers] in observers.reduce(BackgroundWork.idle) { $0 + $1.backgroundWork } }
        progress.backgroundBusySeconds = { backgroundWork().busySeconds }
        let normLog = try config.normControl.map { _ in
            try CSVLog(url: directory.clampURL, header: ClampFile.columns, keepThroughStep: keep)
        }
        let context = RunContext(directory: directory.url, layout: layout, shape: mlpShape, probeInputs: probeInputs,
                                 probeLabels: probeLabels, seed: config.seed,
                                 resumedFromStep: resume ? startStep : nil)
        for o in observers { try o.runStarted(context) }

        let evalSteps = config.schedule.steps(total: config.steps, snapshots: config.snapshots)
        var nextEval = evalSteps.firstIndex { $0 > startStep } ?? evalSteps.count
        var lastCheckpointStep = startStep
        var lastTestAccuracy = -Double.infinity
        let clock = ProgressReporter.now
        var segmentStart = clock()
        // A resumed run starts from a checkpoint; a fresh one writes its first at once.
        var lastCheckpointTime: Double? = resume ? segmentStart : nil

        /// Evaluate on the full sets, hand the weights to the observers, append the metrics row,
        /// save the snapshot and, when the policy says so, the checkpoint. Returns false when
        /// the model has diverged.
        func evaluate(step: Int) throws -> Bool {
            let t0 = clock()
            trainSeconds += t0 - segmentStart
            let overlap = max(0, backgroundWork().busySeconds - background.busySeconds)
            let tr = trainInputs.withUnsafeBufferPointer { x in trainLabels.withUnsafeBufferPointer { y in
                model.evaluate(inputs: x.baseAddress!, labels: y.baseAddress!, count: trainLabels.count, loss: config.loss,
                               rows: trainRows?.view) } }
            let te = testInputs.withUnsafeBufferPointer { x in testLabels.withUnsafeBufferPointer { y in
                model.evaluate(inputs: x.baseAddress!, labels: y.baseAddress!, count: testLabels.count, loss: config.loss,
                               rows: testRows?.view) } }
            let norms = model.norms()
            guard tr.loss.isFinite, te.loss.isFinite, norms.total.isFinite else { return false }
            let m = EvaluationMetrics(step: step, trainLoss: tr.loss, trainAccuracy: tr.accuracy,
                                      testLoss: te.loss, testAccuracy: te.accuracy, normAll: norms.total,
                                      normWeights: norms.weights, normPerLayer: norms.perLayer,
                                      wallSeconds: trainSeconds + otherSeconds + (t0 - segmentStart))
            let t1 = clock()
            var row = [String(step), csvNumber(tr.loss), csvNumber(tr.accuracy), csvNumber(te.loss),
                       csvNumber(te.accuracy), csvNumber(norms.total), csvNumber(norms.weights)]
                + norms.perLayer.map(csvNumber)
            let fileParameters = model.fileParameters()
            if !observers.isEmpty {
                let snapshot = WeightSnapshot(step: step, layout: layout, shape: mlpShape, parameters: fileParameters.map { Double($0) })
                for o in observers { row += try o.observe(snapshot, metrics: m).map(csvNumber) }
            }
            let t2 = clock()
            try metrics.append(row)
            try normLog?.append([String(step), csvNumber(normFactor)])
            try fileParameters.withUnsafeBufferPointer {
                try writeSnapshot(layout: layout, parameters: $0, step: step, to: directory.snapshotURL(step: step),
                                  precision: config.snapshotDtype)
            }
            let t3 = clock()
            otherSeconds += t3 - t0
            if checkpoints.writes(now: t3, last: lastCheckpointTime) {
                try writeCheckpoint(step: step, trainSeconds: trainSeconds, otherSeconds: otherSeconds)
                lastCheckpointStep = step
                lastCheckpointTime = t3
            }
            let t4 = clock()
            otherSeconds += t4 - t3
            let before = background
            background = backgroundWork()
            let timingRow = [String(step), csvNumber(trainSeconds + otherSeconds), csvNumber(trainSeconds),
                             csvNumber((t1 - t0) + (t4 - t2)), csvNumber(t2 - t1), csvNumber(background.waitSeconds - before.waitSeconds),
                             csvNumber(background.completedSeconds), csvNumber(overlap), String(background.pending)]
            try timing.append(Array(timingRow.prefix(timingColumns.count)))
            progress.evaluated(step: step, trainAccuracy: tr.accuracy, testAccuracy: te.accuracy,
                               trainLoss: tr.loss, testLoss: te.loss, background: background)
            lastTestAccuracy = te.accuracy
            segmentStart = clock()
            return true
        }

        func finish(_ outcome: RunOutcome, step: Int) throws -> RunResult {
            trainSeconds += clock() - segmentStart
            if outcome == .completed, lastCheckpointStep != step {
                // A finished run ends on a checkpoint, so more steps can follow it.
                let t = clock()
                try writeCheckpoint(step: step, trainSeconds: trainSeconds, otherSeconds: otherSeconds)
                lastCheckpointStep = step
                otherSeconds += clock() - t
            }
            progress.finish()
            var summary: [String] = []
            for o in observers { summary += try o.runEnded(outcome) }
            // A completed run's metrics.csv ends with each row's accuracy phase, from the labels
            // the diagnostics left in phases.json (none without diagnostics).
            if outcome == .completed { try metrics.addPhaseColumn(phasesFile: directory.phasesURL) }
            let total = trainSeconds + otherSeconds
            summary.append(String(format: "time: %@ in all, %.1f%% in training steps, %.1f%% in evaluation, snapshots, checkpoints and diagnostics",
                                  ProgressReporter.duration(total), 100 * trainSeconds / max(total, 1e-9),
                                  100 * otherSeconds / max(total, 1e-9)))
            return RunResult(outcome: outcome, finalStep: step, trainSeconds: trainSeconds,
                             otherSeconds: otherSeconds, summary: summary)
        }

        // 3. Step 0 is evaluated before any update.
        if !resume, evalSteps.first == 0 {
            guard try evaluate(step: 0) else {
                return try finish(.diverged(step: 0), step: 0)
            }
            nextEval = 1
        }

        // 4. The loop.
        let lossKind = config.loss
        var step = startStep
        while step < config.steps {
            step += 1
            let batch = batches.batch(step: step, order: &order)
            let loss = TrainingStep.run(network: model, optimizer, filter: gradientFilter, batch: batch, loss: lossKind)
            if let normIntervention { normFactor = normIntervention.apply(afterStep: step, to: model.parameters) }
            guard loss.isFinite else {   // the caller says it (once), with what is kept
                return try finish(.diverged(step: step), step: step - 1)
            }
            progress.tick(step: step)
            if nextEval < evalSteps.count, evalSteps[nextEval] == step {
                nextEval += 1
                guard try evaluate(step: step) else {
                    return try finish(.diverged(step: step), step: step)
                }
                if let target = config.stopAtTestAccuracy, lastTestAccuracy >= target {
                    progress.message("test accuracy \(lastTestAccuracy) >= --stop-at-test-acc \(target) at step \(step): stopping (T_grok reached)")
                    return try finish(.completed, step: step)
                }
            }
            if StopSignal.isRequested {
                if lastCheckpointStep != step {
                    trainSeconds += clock() - segmentStart
                    segmentStart = clock()
                    try writeCheckpoint(step: step, trainSeconds: trainSeconds, otherSeconds: otherSeconds)
                }
                progress.message("stopped at step \(step); checkpoint written. Continue with: grok-train --resume --out \(directory.url.path)")
                return try finish(.interrupted(step: step), step: step)
            }
        }
        return try finish(.completed, step: step)
    }

    func writeCheckpoint(step: Int, trainSeconds: Double, otherSeconds: Double) throws {
        let ckpt = Checkpoint<T>(step: step, parameters: model.fileParameters(),
                                 optimizerStepCount: optimizer.stepCount,
                                 optimizerBuffers: optimizer.stateBuffers().map { ($0.name, fileLayout($0.values)) },
                                 gradientFilterSteps: gradientFilter?.filteredSteps,
                                 gradientFilterBuffers: gradientFilter?.stateBuffers().map { ($0.name, fileLayout($0.values)) } ?? [],
                                 batchOrder: order,
                                 trainSeconds: trainSeconds, otherSeconds: otherSeconds)
        try ckpt.write(to: directory.checkpointURL)
    }

    /// Per-parameter optimizer state between the model's storage layout and the file layout.
    func fileLayout(_ values: [T]) -> [T] {
        values.count == layout.parameterCount ? model.fileLayout(values) : values
    }
    func storageLayout(_ values: [T]) -> [T] {
        values.count == layout.parameterCount ? model.storageLayout(values) : values
    }

    /// Snapshots a killed run wrote after its last checkpoint are rewritten identically when the
    /// resumed run reaches them; removing them first keeps the folder truthful meanwhile.
    func removeSnapshots(after step: Int) {
        for s in directory.snapshots() where s.step > step { try? FileManager.default.removeItem(at: s.url) }
    }
}

