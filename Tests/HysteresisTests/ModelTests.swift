import XCTest
import GrokCore
import Hysteresis

final class ModelTests: XCTestCase {
    /// The loss written out sample by sample through every layer: the independent reference.
    private func explicitLoss(_ net: DeepLinearNetwork, _ data: Samples, beta: Double) -> Double {
        var total = 0.0
        for n in 0..<data.count {
            var h = Array(data.x[(n * data.inputs)..<((n + 1) * data.inputs)])
            for w in net.layers {
                h = (0..<w.rows).map { r in (0..<w.cols).reduce(0.0) { $0 + w[r, $1] * h[$1] } }
            }
            for o in 0..<data.outputs { let d = h[o] - data.y[n * data.outputs + o]; total += d * d }
        }
        let penalty = net.layers.reduce(0.0) { $0 + $1.values.reduce(0) { $0 + $1 * $1 } }
        return total / Double(data.count) + beta * penalty
    }

    func testGradientsMatchFiniteDifferences() throws {
        let task = try TeacherTask(teacher: GaussianTeacher(), trainCount: 40, testCount: 8, dataSeed: 3)
        for depth in [1, 2, 3, 4] {
            let shape = try LinearShape(width: 5, depth: depth)
            let net = DeepLinearNetwork(shape: shape, seed: 11)
            let beta = 0.3
            let batch = Array(0..<task.train.count).filter { $0 % 3 != 0 }   // a minibatch, not the full set
            var sub = Samples(inputs: 2, outputs: 2, x: [], y: [])
            for n in batch { sub.x += task.train.x[(2 * n)..<(2 * n + 2)]; sub.y += task.train.y[(2 * n)..<(2 * n + 2)] }
            let (loss, grads) = net.lossAndGradient(task.train.moments(batch), beta: beta)
            XCTAssertEqual(loss, explicitLoss(net, sub, beta: beta), accuracy: 1e-10)
            let h = 1e-6
            for l in 0..<depth {
                for i in 0..<net.layers[l].values.count {
                    var plus = net, minus = net
                    plus.layers[l].values[i] += h; minus.layers[l].values[i] -= h
                    let fd = (explicitLoss(plus, sub, beta: beta) - explicitLoss(minus, sub, beta: beta)) / (2 * h)
                    XCTAssertEqual(grads[l].values[i], fd, accuracy: 1e-6 * max(1, abs(fd)), "depth \(depth) layer \(l) entry \(i)")
                }
            }
        }
    }

    func testShapeAndInit() throws {
        let shape = try LinearShape()
        XCTAssertEqual(shape.sizes, [2, 10, 10, 2])
        XCTAssertEqual(shape.parameterCount, 140)   // 20 + 100 + 20: no biases
        let a = DeepLinearNetwork(shape: shape, seed: 5), b = DeepLinearNetwork(shape: shape, seed: 5)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, DeepLinearNetwork(shape: shape, seed: 6))
        let all = a.layers.flatMap(\.values)
        let variance = all.reduce(0) { $0 + $1 * $1 } / Double(all.count)
        XCTAssertEqual(variance, 0.1, accuracy: 0.03)   // std 1/sqrt(10)
        XCTAssertThrowsError(try LinearShape(depth: 0))
        XCTAssertThrowsError(try LinearShape(width: 0))
        XCTAssertEqual(try LinearShape(depth: 1).sizes, [2, 2])
    }

    func testCriticalBetaAgainstHandValues() {
        // L = 3: k = 2/3, beta_c = 3 (eta/4)^(4/3). eta = 0.9: 0.225^(4/3) = exp(4/3 ln 0.225)
        // = exp(-1.988873) = 0.136850, times 3 = 0.410549; eta = 0.8: 3 * 0.2^(4/3) = 0.350882.
        XCTAssertEqual(BalancedTheory.criticalBeta(eta: 0.9, depth: 3), 0.410549, accuracy: 1e-6)
        XCTAssertEqual(BalancedTheory.criticalBeta(eta: 0.8, depth: 3), 0.350882, accuracy: 1e-6)
    }

    /// Independently of the closed form: scanning the mode loss, a nonzero local minimum exists
    /// just below beta_c and none just above it.
    func testCriticalBetaIsWhereTheNonzeroMinimumVanishes() {
        for (eta, depth) in [(0.9, 3), (0.8, 3), (0.8, 4)] {
            let bc = BalancedTheory.criticalBeta(eta: eta, depth: depth)
            func hasNonzeroMinimum(_ beta: Double) -> Bool {
                let f = (1...4000).map { BalancedTheory.modeLoss(lambda: Double($0) * 3e-4, eta: eta, beta: beta, depth: depth) }
                return (1..<(f.count - 1)).contains { f[$0] < f[$0 - 1] && f[$0] <= f[$0 + 1] }
            }
            XCTAssertTrue(hasNonzeroMinimum(bc * 0.99), "eta \(eta) L \(depth)")
            XCTAssertFalse(hasNonzeroMinimum(bc * 1.01), "eta \(eta) L \(depth)")
        }
    }

    func testSampleCovarianceIsCloseToTarget() throws {
        let teacher = try GaussianTeacher(crossSingularValues: [0.9, 0.8])
        let data = try teacher.sample(count: 40000, seed: 1, stream: "check")
        let target = teacher.jointCovariance
        for i in 0..<4 {
            for j in 0..<4 {
                var c = 0.0
                for n in 0..<data.count {
                    let zi = i < 2 ? data.x[2 * n + i] : data.y[2 * n + i - 2]
                    let zj = j < 2 ? data.x[2 * n + j] : data.y[2 * n + j - 2]
                    c += zi * zj
                }
                XCTAssertEqual(c / Double(data.count), target[i, j], accuracy: 0.025, "entry \(i),\(j)")
            }
        }
        // Cholesky reproduces the covariance exactly.
        let l = try cholesky(target)
        let back = l * l.transposed
        for i in 0..<16 { XCTAssertEqual(back.values[i], target.values[i], accuracy: 1e-12) }
        // The moment form of the squared error equals the sample-by-sample one.
        let p = SmallMatrix(rows: 2, cols: 2, values: [0.7, -0.1, 0.2, 0.5])
        XCTAssertEqual(data.allMoments.squaredError(p), data.squaredError(p), accuracy: 1e-9)
        // Train and test are different draws, each seeded.
        let task = try TeacherTask(teacher: teacher, dataSeed: 0)
        XCTAssertEqual(task.train.count, 512)
        XCTAssertNotEqual(task.train.x, task.test.x)
        XCTAssertEqual(try TeacherTask(teacher: teacher, dataSeed: 0).train.x, task.train.x)
        XCTAssertThrowsError(try GaussianTeacher(crossSingularValues: [1.2, 0.8]))
    }

    func testEffectiveRankAndSGDReducesObjective() throws {
        let r = EpochRecord(epoch: 0, trainMSE: 0, testMSE: 0, objective: 0, singularValues: [0.8, 0.8])
        XCTAssertEqual(r.effectiveRank, 2, accuracy: 1e-12)
        XCTAssertEqual(EpochRecord(epoch: 0, trainMSE: 0, testMSE: 0, objective: 0, singularValues: [0.8, 0]).effectiveRank, 1)
        XCTAssertEqual(r.rank(), 2)
        let task = try TeacherTask(teacher: GaussianTeacher())
        var net = DeepLinearNetwork(shape: try LinearShape(), seed: 0)
        let stage = try SGDStage(settings: SGDSettings(beta: 0.1, lr: 0.02, batch: 64), maxEpochs: 200, evalEvery: 50)
        let (records, _) = stage.run(&net, on: task)
        XCTAssertLessThan(records.last!.objective, records.first!.objective)
        // At small beta both modes survive: rank 2, singular values near the teacher's (shrunk).
        XCTAssertEqual(records.last!.rank(), 2)
        XCTAssertThrowsError(try SGDSettings(beta: -0.1, lr: 0.01, batch: 64))
        XCTAssertThrowsError(try SGDSettings(beta: 0.1, lr: -0.01, batch: 64))
        XCTAssertThrowsError(try SGDSettings(beta: 0.1, lr: 0.01, batch: 0))
    }
}
