import XCTest
import Phases
import RunFiles

/// htsr.csv against hand-written lines.
final class HTSRFileTests: XCTestCase {
    /// The header docs/run-directory.md documents, spelled out independently of the code.
    let header = "step,layer,N,M,alpha,D,xmin,xmax,sigma,num_pl_spikes,alpha_weighted,log_norm,log_spectral_norm,stable_rank,mp_softrank,num_spikes,num_traps,ks_stat,ks_pvalue,max_trap_height,mean_std_ratio,mean_spike,num_traps_centered,detX_num,detX_val,ERG_gap,status"
    let line1 = "0,fc1,784,200,6.34624439458502,0.13738855320035687,30.542345996967395,47.78144169478204,0.7969710593746209,45,10.65698959884997,3.6286099795052595,1.6792592494457232,88.99195141043414,1.0139329623041164,0,0,0.014500040833652528,0.9999999999977841,,0.0005093014763227109,false,0,174,1.25,-3,ok"
    let line2 = "10,fc3,200,10,,,,,,,,2.5,1.25,3.5,,2,,,,,-0.125,true,1,,,,failed: only 10 eigenvalues; too few"

    func testColumnsAreTheDocumentedOnes() {
        XCTAssertEqual(HTSRRow.columns.joined(separator: ","), header)
    }

    func testHandWrittenLinesReadAndWriteBackIdentically() throws {
        let url = try temporaryDirectory().appendingPathComponent("htsr.csv")
        let file = [header, line1, line2].joined(separator: "\n") + "\n"
        try file.write(to: url, atomically: true, encoding: .utf8)
        let rows = try HTSRFile.read(url)
        XCTAssertEqual(rows.count, 2)
        let a = rows[0], b = rows[1]
        XCTAssertEqual(a.step, 0); XCTAssertEqual(a.layer, "fc1"); XCTAssertEqual(a.N, 784); XCTAssertEqual(a.M, 200)
        XCTAssertEqual(a.alpha, 6.34624439458502); XCTAssertEqual(a.numPLSpikes, 45); XCTAssertEqual(a.numTraps, 0)
        XCTAssertNil(a.maxTrapHeight); XCTAssertEqual(a.meanSpike, false); XCTAssertEqual(a.status, .ok)
        XCTAssertEqual(a.detXNum, 174); XCTAssertEqual(a.detXVal, 1.25); XCTAssertEqual(a.ergGap, -3); XCTAssertEqual(a.phasePoint.ergGap, -3)
        XCTAssertEqual(b.step, 10); XCTAssertNil(b.alpha); XCTAssertEqual(b.logNorm, 2.5); XCTAssertEqual(b.numSpikes, 2)
        XCTAssertEqual(b.meanStdRatio, -0.125); XCTAssertEqual(b.meanSpike, true); XCTAssertEqual(b.numTrapsCentered, 1)
        XCTAssertEqual(b.status, .fitFailed("only 10 eigenvalues; too few"))
        XCTAssertEqual(b.phasePoint.numTrapsCentered, 1); XCTAssertNil(b.phasePoint.alpha)
        XCTAssertEqual(a.phasePoint.alphaSigma, 0.7969710593746209)
        XCTAssertEqual(rows.map(\.csvLine), [line1, line2])
        let copy = url.deletingLastPathComponent().appendingPathComponent("copy.csv")
        try HTSRFile.write(rows, to: copy)
        XCTAssertEqual(try text(copy), file)
    }

    func testOlderFileWithoutTheNewerColumnsReads() throws {
        let url = try temporaryDirectory().appendingPathComponent("htsr.csv")
        try "step,layer,N,M,alpha,num_traps,status\n5,fc2,200,200,2.5,3,ok\n5,,200,200,1,1,ok\nx,fc1,784,200,1,1,ok\n"
            .write(to: url, atomically: true, encoding: .utf8)
        let rows = try HTSRFile.read(url)
        XCTAssertEqual(rows.count, 1, "rows without a layer or a step are skipped")
        XCTAssertEqual(rows[0].alpha, 2.5); XCTAssertEqual(rows[0].numTraps, 3)
        XCTAssertNil(rows[0].numTrapsCentered); XCTAssertNil(rows[0].meanSpike)
        XCTAssertEqual(rows[0].csvLine, "5,fc2,200,200,2.5,,,,,,,,,,,,3,,,,,,,,,,ok")
    }

    func testResumeKeepsRowsThroughTheStep() throws {
        let url = try temporaryDirectory().appendingPathComponent("htsr.csv")
        try ([header, line1, line2].joined(separator: "\n") + "\n" + "20,fc1,784").write(to: url, atomically: true, encoding: .utf8)
        let log = try HTSRLog(url: url, keepThroughStep: 5)
        XCTAssertEqual(log.rows.map(\.step), [0])
        try log.append([HTSRRow(step: 6, layer: "fc2", N: 200, M: 200)])
        XCTAssertEqual(try text(url), [header, line1, "6,fc2,200,200,,,,,,,,,,,,,,,,,,,,,,,ok"].joined(separator: "\n") + "\n")
    }
}
