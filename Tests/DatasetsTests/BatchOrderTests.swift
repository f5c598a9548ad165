import Datasets
import Foundation
import XCTest

final class BatchOrderTests: XCTestCase {
    func epoch(_ order: inout BatchOrder) -> [[Int]] {
        (0..<order.batchesPerEpoch).map { _ in Array(order.next()) }
    }

    func assertPermutation(_ batches: [[Int]], of n: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<n), file: file, line: line)
    }

    func testCycleReplaysTheSameBatches() {
        var order = BatchOrder(mode: .cycle, trainCount: 100, batchSize: 20, seed: 3)
        XCTAssertEqual(order.batchesPerEpoch, 5)
        let first = epoch(&order)
        assertPermutation(first, of: 100)
        XCTAssertNotEqual(first.flatMap { $0 }, Array(0..<100), "the permutation is shuffled")
        XCTAssertEqual(order.firstBatch, first[0])
        for _ in 0..<4 { XCTAssertEqual(epoch(&order), first) }
        XCTAssertEqual(order.epoch, 4)
    }

    func testReshuffleDrawsANewPermutationEachEpoch() {
        var order = BatchOrder(mode: .reshuffle, trainCount: 100, batchSize: 20, seed: 3)
        var cycle = BatchOrder(mode: .cycle, trainCount: 100, batchSize: 20, seed: 3)
        let epochs = (0..<4).map { _ in epoch(&order) }
        for e in epochs { assertPermutation(e, of: 100) }
        XCTAssertEqual(epochs[0], epoch(&cycle), "both modes share the first epoch")
        XCTAssertEqual(order.firstBatch, epochs[0][0])
        for i in 1..<4 { XCTAssertNotEqual(epochs[i], epochs[i - 1]) }
        XCTAssertEqual(BatchOrder(mode: .reshuffle, trainCount: 100, batchSize: 20, seed: 3).firstBatch, order.firstBatch)
        XCTAssertNotEqual(BatchOrder(mode: .reshuffle, trainCount: 100, batchSize: 20, seed: 4).firstBatch, order.firstBatch)
    }

    func testPartialLastBatch() {
        for mode in BatchOrder.Mode.allCases {
            var order = BatchOrder(mode: mode, trainCount: 10, batchSize: 4, seed: 1)
            XCTAssertEqual(order.batchesPerEpoch, 3)
            for _ in 0..<3 {
                let sizes = epoch(&order).map(\.count)
                XCTAssertEqual(sizes, [4, 4, 2])
            }
            var whole = BatchOrder(mode: mode, trainCount: 10, batchSize: 64, seed: 1)
            XCTAssertEqual(whole.batchesPerEpoch, 1)
            XCTAssertEqual(whole.next().count, 10)
            XCTAssertEqual(whole.firstBatch.count, 10)
        }
    }

    /// Stop mid-epoch (and at an epoch boundary), save as JSON, resume: the stream continues
    /// exactly as if nothing had happened.
    func testResumeAfterJSONRoundTrip() throws {
        for mode in BatchOrder.Mode.allCases {
            for stopAfter in [7, 9, 10, 23] {  // 3 batches per epoch: mid-epoch and boundaries
                var uninterrupted = BatchOrder(mode: mode, trainCount: 50, batchSize: 20, seed: 0xDEAD_BEEF_CAFE_F00D)
                let expected = (0..<40).map { _ in Array(uninterrupted.next()) }

                var first = BatchOrder(mode: mode, trainCount: 50, batchSize: 20, seed: 0xDEAD_BEEF_CAFE_F00D)
                var got = (0..<stopAfter).map { _ in Array(first.next()) }
                let json = try JSONEncoder().encode(first)
                var resumed = try JSONDecoder().decode(BatchOrder.self, from: json)
                XCTAssertEqual(resumed, first)
                got += (stopAfter..<40).map { _ in Array(resumed.next()) }
                XCTAssertEqual(got, expected, "\(mode) stopped after \(stopAfter)")
            }
        }
    }

    func testCorruptSavedStateIsRejected() throws {
        let order = BatchOrder(mode: .cycle, trainCount: 5, batchSize: 2, seed: 0)
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(order)) as! [String: Any]
        object["permutation"] = [0, 1, 1, 3, 4]
        let bad = try JSONSerialization.data(withJSONObject: object)
        XCTAssertThrowsError(try JSONDecoder().decode(BatchOrder.self, from: bad))
        object["permutation"] = [0, 1, 2, 3, 4]
        object["position"] = 6
        XCTAssertThrowsError(try JSONDecoder().decode(BatchOrder.self, from: JSONSerialization.data(withJSONObject: object)))
        object["position"] = 5
        XCTAssertNoThrow(try JSONDecoder().decode(BatchOrder.self, from: JSONSerialization.data(withJSONObject: object)))
    }
}
