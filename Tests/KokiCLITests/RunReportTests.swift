@testable import KokiCLI
import KokiDomain
import Testing

/// What a dunning or reminder run prints of the dead it passed by.
@Suite struct RunReportTests {
    @Test func aRunNamesTheFirstTwentyDeadAndCountsTheRest() throws {
        #expect(deceasedLine([], "督促") == nil)
        let three = try ["300000001", "300000002", "300000003"].map { try PersonID($0) }
        #expect(deceasedLine(three, "督促") == "  死亡者への督促なし（3人、相続人は窓口へ）：300000001、300000002、300000003")
        let many = try (1...2_323).map { try PersonID(String(300_000_000 + $0)) }
        let line = try #require(deceasedLine(many, "催告"))
        #expect(line.hasPrefix("  死亡者への催告なし（2,323人、相続人は窓口へ）：300000001、300000002、"))
        #expect(line.hasSuffix("、300000020 ほか2,303人"))
        #expect(!line.contains("300000021"))
    }

    /// What a rebuild that began again says, and that one which began once says nothing of it.
    @Test func aRebuildSaysHowManyTimesItBeganAgain() {
        #expect(RebuildCommand.begunAgain(1) == nil)
        #expect(
            RebuildCommand.begunAgain(2) == "begun again once: another process caught the model up while it was compared")
        #expect(RebuildCommand.begunAgain(3)?.hasPrefix("begun again 2 times: ") == true)
    }
}
