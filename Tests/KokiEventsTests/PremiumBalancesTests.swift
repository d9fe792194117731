import KokiDomain
import KokiEvents
import KokiProjections
import KokiTestSupport
import Testing

@Suite struct PremiumBalancesTests {
    let person = EventSamples.person
    let fy = EventSamples.fy

    @Test func foldsAssessmentsPaymentsAndNotices() throws {
        var state = PremiumBalances()
        let key = PremiumBalances.Key(person: person, fiscalYear: fy)
        state.apply(.premiumAssessed(EventSamples.premiumAssessed))
        #expect(state.accounts == [key: PremiumBalances.Account(assessed: Yen(51_900), paid: .zero, dunningNotices: 0)])
        state.apply(.paymentReceived(EventSamples.paymentReceived))
        #expect(
            state.accounts == [key: PremiumBalances.Account(assessed: Yen(51_900), paid: Yen(5_750), dunningNotices: 0)]
        )
        state.apply(.dunningNoticeIssued(EventSamples.dunningNoticeIssued))
        #expect(
            state.accounts == [key: PremiumBalances.Account(assessed: Yen(51_900), paid: Yen(5_750), dunningNotices: 1)]
        )
        #expect(state.accounts[key]?.outstanding == Yen(46_150))

        // A reassessment (更正) replaces the year's figure; payments stay.
        var reassessed = EventSamples.premiumAssessed
        reassessed.annualPremium = Yen(40_000)
        state.apply(.premiumAssessed(reassessed))
        #expect(
            state.accounts == [key: PremiumBalances.Account(assessed: Yen(40_000), paid: Yen(5_750), dunningNotices: 1)]
        )
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func replayFromScratchEqualsIncrementalFolding(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let events = (0..<300).map { _ in EventSamples.random(using: &g) }
        var incremental = PremiumBalances()
        for (i, event) in events.enumerated() {
            incremental.apply(event)
            if i % 50 == 49 {
                #expect(incremental == PremiumBalances.replaying(events[...i]))
            }
        }
        #expect(incremental == PremiumBalances.replaying(events))
    }
}
