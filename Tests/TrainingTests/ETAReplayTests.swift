import XCTest
import Foundation
import Training
import RunFiles

/// The ETA estimator replayed over the timing.csv of real runs on this project's shared
/// 2-core machine (Tests/TrainingTests/Fixtures, README "ETA"): at 1%, 10% and 50% of the
/// steps its estimate is compared with the time the run really took from there.
final class ETAReplayTests: XCTestCase {
    /// One timing.csv row. `overlap`, `wait`, `analysis` and `pending` are nil in runs recorded
    /// before those columns existed.
    struct Row {
        let step: Int; let wall: Double; let train: Double; let evaluation: Double
        var wait: Double?, analysis: Double?, overlap: Double?, pending: Int?
    }

    /// timing.csv: step, wall_s (cumulative), train_s (cumulative), eval_s, diagnostics_s (this
    /// evaluation's main-thread cost is eval_s + diagnostics_s), then optionally wait_s,
    /// analysis_s (cumulative), overlap_s, pending.
    func load(_ name: String) throws -> [Row] {
        let url = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(name)")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        let header = try XCTUnwrap(lines.first).split(separator: ",").map(String.init)
        XCTAssertTrue([TimingFile.legacyColumns, TimingFile.columns].contains(header), "\(name): \(header)")
        return try lines.dropFirst().map { line in
            let c = line.split(separator: ",").map { Double($0) }
            guard c.count == header.count, c.allSatisfy({ $0 != nil }) else { throw CocoaError(.fileReadCorruptFile) }
            var row = Row(step: Int(c[0]!), wall: c[1]!, train: c[2]!, evaluation: c[3]! + c[4]!)
            if c.count == 9 { row.wait = c[5]!; row.analysis = c[6]!; row.overlap = c[7]!; row.pending = Int(c[8]!) }
            return row
        }
    }

    struct Point {
        let step: Int
        let error: Double
        let naiveError: Double
        /// The run's real mean step cost from here on over the step cost the estimator had
        /// measured: 1 when the machine kept its speed.
        let speedChange: Double
        let isGuess: Bool
        /// The error left when the step cost is the run's real one from here on: what the
        /// model of the evaluations (how many remain, what each costs) gets wrong by itself.
        let evaluationPartError: Double
    }

    /// Feeds the estimator what the progress reporter sees live (each stretch of steps with the
    /// background work that overlapped it, then each evaluation with the state of the
    /// analysis queue) and, after every evaluation from 1% of the run on (the last excepted),
    /// compares its estimate with the wall time the run still took. `naiveError` is that of
    /// the whole-run rate (remaining steps x time so far / steps so far).
    func replay(_ rows: [Row], snapshots: Int = 200) throws -> [Point] {
        let total = try XCTUnwrap(rows.last).step
        let schedule = EvaluationSchedule.log.steps(total: total, snapshots: snapshots)
        XCTAssertEqual(rows.map(\.step), schedule, "the fixture's evaluations are the log schedule's")
        var e = ETAEstimator(totalSteps: total, evaluationSteps: schedule)
        var waited = 0.0
        func background(_ i: Int) -> BackgroundWork? {
            guard let pending = rows[i].pending, let analysis = rows[i].analysis else { return nil }
            waited += rows[i].wait ?? 0
            return BackgroundWork(pending: pending, completed: i + 1 - pending, completedSeconds: analysis,
                                  waitSeconds: waited, capacity: Self.analysisQueueCapacity)
        }
        e.recordEvaluation(step: rows[0].step, seconds: rows[0].evaluation, background: background(0))
        var points: [Point] = []
        for i in 1..<(rows.count - 1) {
            let seconds = rows[i].train - rows[i - 1].train
            e.recordSteps(count: rows[i].step - rows[i - 1].step, seconds: seconds, overlap: rows[i].overlap ?? 0)
            e.recordEvaluation(step: rows[i].step, seconds: rows[i].evaluation, background: background(i))
            guard Double(rows[i].step) >= 0.01 * Double(total) else { continue }
            let estimate = try XCTUnwrap(e.estimate(atStep: rows[i].step))
            let truth = rows.last!.wall - rows[i].wall
            let naive = Double(total - rows[i].step) * rows[i].wall / Double(rows[i].step)
            let futureTrain = rows.last!.train - rows[i].train
            let stepsLeft = Double(total - rows[i].step)
            // The steps' own part of what is left: the time in steps less what the model puts
            // down to the analyses overlapping them.
            let predictedSpill = estimate.evaluationSeconds - Double(estimate.remainingEvaluations) * estimate.secondsPerEvaluation
            let futureStepCost = max(futureTrain - max(predictedSpill, 0), 0) / stepsLeft
            let evaluationPart = Double(estimate.remainingEvaluations) * estimate.secondsPerEvaluation
            points.append(Point(step: rows[i].step, error: (estimate.seconds - truth) / truth,
                                naiveError: (naive - truth) / truth,
                                speedChange: futureStepCost / estimate.secondsPerStep, isGuess: estimate.isGuess,
                                evaluationPartError: (futureTrain + evaluationPart - truth) / truth))
        }
        return points
    }

    /// The diagnostics' analysis queue in the recorded runs (RunDiagnostics' default).
    static let analysisQueueCapacity = 16

    static let fixtures = ["timing-omnigrok-2e4-run1.csv", "timing-omnigrok-2e4-run2.csv", "timing-omnigrok-1e5-run3.csv",
                           "timing-omnigrok-1e5-main-2threads.csv", "timing-paper-1e6-1thread.csv"]

    /// Prints the error at 1%, 10% and 50% of each recorded run (README "Watching a long run")
    /// and checks what an estimate made from the past can promise on a machine whose speed
    /// changes (on this shared machine, up to 8x within a run as other jobs come and go):
    /// - wherever the machine kept its speed (the rest of the run's step cost within 10% of the
    ///   measured one), the ETA is within 25% of the truth;
    /// - wherever the estimate is settled, the evaluations' part of the model (how many remain,
    ///   at what cost) is right to within 10% of the remaining time, whatever the load did to
    ///   the steps.
    func testReplayOverRecordedRuns() throws {
        var held = 0, points = 0, worstHeld = 0.0, worstEvaluationPart = 0.0
        for name in Self.fixtures {
            let rows = try load(name)
            let total = rows.last!.step
            let replayed = try replay(rows)
            points += replayed.count
            for f in [0.01, 0.1, 0.5] {
                let p = try XCTUnwrap(replayed.first { Double($0.step) >= f * Double(total) })
                print(String(format: "ETA replay %@: at %2.0f%% (step %6d) error %+6.1f%%%@, whole-run rate %+7.1f%%, machine speed from here on x%.2f",
                             name, 100 * f, p.step, 100 * p.error, p.isGuess ? " (a guess)" : "",
                             100 * p.naiveError, 1 / p.speedChange))
            }
            for p in replayed where !p.isGuess {
                XCTAssertLessThanOrEqual(abs(p.evaluationPartError), 0.1, "\(name) at step \(p.step)")
                worstEvaluationPart = max(worstEvaluationPart, abs(p.evaluationPartError))
                guard abs(p.speedChange - 1) <= 0.1 else { continue }
                held += 1
                worstHeld = max(worstHeld, abs(p.error))
                XCTAssertLessThanOrEqual(abs(p.error), 0.25, "\(name) at step \(p.step)")
            }
        }
        print(String(format: "ETA replay: %d of %d points where the machine kept its speed within 10%%, error there at most %.1f%%; evaluations' part at most %.1f%% off",
                     held, points, 100 * worstHeld, 100 * worstEvaluationPart))
        XCTAssertGreaterThanOrEqual(held, 10, "the fixtures must have stretches where the machine kept its speed")
    }

    /// The README's main job with all cores (two training threads) on the loaded machine: its
    /// snapshot analyses (3.6 s each there) fill the queue until ~3% of the run, and the steps
    /// they overlap run several times slower. A steps-per-second rate then overestimates the
    /// run several times over; the model does not, and it says "a guess" while the analyses
    /// overlap nearly every step (the step's own cost cannot be measured then).
    func testMainJobWithTwoThreadsAndAFullAnalysisQueue() throws {
        let rows = try load("timing-omnigrok-1e5-main-2threads.csv")
        let replayed = try replay(rows)
        let total = Double(rows.last!.step)
        func at(_ f: Double) throws -> Point { try XCTUnwrap(replayed.first { Double($0.step) >= f * total }) }
        XCTAssertTrue(try at(0.01).isGuess, "the queue is full at 1%: the steps are never seen alone")
        for f in [0.1, 0.5] {
            let p = try at(f)
            XCTAssertFalse(p.isGuess)
            XCTAssertLessThanOrEqual(abs(p.error), 0.25, "at \(Int(100 * f))%: \(p.error)")
            XCTAssertGreaterThan(p.naiveError, p.error, "the whole-run rate, counting the early slowdown, overestimates more")
        }
        let settled = replayed.filter { !$0.isGuess }
        XCTAssertGreaterThanOrEqual(Double(settled.filter { abs($0.error) <= 0.25 }.count), 0.8 * Double(settled.count),
                                    "four settled estimates in five within 25%")
    }
}
