import XCTest
import RunFiles

final class CSVTableTests: XCTestCase {
    func testColumnsByNameEmptyCellsAndQuotes() throws {
        let t = try CSVTable.parse("step,layer,alpha,status\n10,fc1,2.5,ok\n10,fc2,,\"failed: a, b\"\n20,fc1,nan,ok\n")
        XCTAssertEqual(t.header, ["step", "layer", "alpha", "status"])
        XCTAssertEqual(t.rowCount, 3)
        XCTAssertEqual(t.strings("status"), ["ok", "failed: a, b", "ok"])
        let a = try XCTUnwrap(t.numbers("alpha"))
        XCTAssertEqual(a[0], 2.5)
        XCTAssertTrue(a[1].isNaN && a[2].isNaN)
        XCTAssertNil(t.numbers("num_traps"))
        XCTAssertFalse(t.hasNumbers("num_traps"))
        XCTAssertTrue(t.notes.isEmpty)
    }

    func testPartialLastLineIsDroppedAndNoted() throws {
        let t = try CSVTable.parse("step,train_acc,test_acc\n1,0.5,0.1\n2,0.6,0.2\n3,0.")
        XCTAssertEqual(t.rowCount, 2)
        XCTAssertEqual(t.numbers("step"), [1, 2])
        XCTAssertEqual(t.notes.count, 1)
        XCTAssertTrue(t.notes[0].contains("partially written"))
    }

    func testCompleteLastLineWithoutNewlineIsKept() throws {
        let t = try CSVTable.parse("a,b\r\n1,2\r\n3,4")
        XCTAssertEqual(t.numbers("b"), [2, 4])
        XCTAssertTrue(t.notes.isEmpty)
    }

    func testShortRowsArePaddedWithMissingCells() throws {
        let t = try CSVTable.parse("a,b,c\n1,2\n4,5,6\n")
        XCTAssertEqual(t.rowCount, 2)
        XCTAssertTrue(t.numbers("c")![0].isNaN)
        XCTAssertEqual(t.numbers("c")![1], 6)
        XCTAssertEqual(t.notes.count, 1)
    }

    func testHeaderOnlyAndEmpty() throws {
        XCTAssertEqual(try CSVTable.parse("step,alpha\n").rowCount, 0)
        XCTAssertThrowsError(try CSVTable.parse(""))
    }
}

/// A malformed line costs that line only.
final class CSVMalformedLineTests: XCTestCase {
    func testUnterminatedQuoteSkipsOnlyThatLineAndCountsIt() throws {
        let t = try CSVTable.parse("step,layer,alpha\n1,fc1,2.0\n2,\"fc1,2.1\n3,fc1,2.2\n4,fc1,2.3\n", source: "htsr.csv")
        XCTAssertEqual(t.numbers("step"), [1, 3, 4])
        XCTAssertEqual(t.notes, ["htsr.csv: skipped 1 malformed line(s) (line 3)"])
        XCTAssertFalse(t.notes.joined().contains("partially written"))
    }

    func testLineWithMoreCellsThanTheHeaderIsSkippedAndCounted() throws {
        let t = try CSVTable.parse("a,b\n1,2\n3,4,5,6\n7,8\n\"x\n", source: "metrics.csv")
        XCTAssertEqual(t.numbers("a"), [1, 7])
        XCTAssertEqual(t.notes, ["metrics.csv: skipped 2 malformed line(s) (line 3, 5)"])
    }
}
