import Foundation
import KokiDomain
import KokiEvents
import LedgerStore

// Drivers of koki's own crash and concurrency tests, run through the core like any request.

/// `testing append`: batches of payments appended to one person's stream, one command each;
/// `committed` is told each command's positions as it lands (a crash test reads them as they come).
public struct AppendTestPayments: KokiRequest {
    public static let name = "testing append"
    public static let function: AccessFunction? = .ledgerMaintain

    public var person: PersonID
    public var batches: Int
    public var batchSize: Int
    /// The stream version the first command expects (default: any).
    public var expectedVersion: Int64?
    /// A file whose appearance starts the appending (a start barrier).
    public var waitFor: String?
    public var committed: (@Sendable (ClosedRange<Int64>?) -> Void)? = nil

    private enum CodingKeys: String, CodingKey { case person, batches, batchSize, expectedVersion, waitFor }

    public init(
        person: PersonID, batches: Int, batchSize: Int, expectedVersion: Int64?, waitFor: String?,
        committed: (@Sendable (ClosedRange<Int64>?) -> Void)?
    ) {
        self.person = person
        self.batches = batches
        self.batchSize = batchSize
        self.expectedVersion = expectedVersion
        self.waitFor = waitFor
        self.committed = committed
    }

    /// How many commands were appended.
    public func handle(_ scope: RequestScope) throws -> Int {
        if let waitFor {
            while !FileManager.default.fileExists(atPath: waitFor) { usleep(1_000) }
        }
        let fiscalYear = try FiscalYear(2025)
        for batch in 0..<batches {
            let events = try (0..<batchSize).map { i in
                let key = PeriodKey(fiscalYear, try PeriodNumber(i % 9 + 1))
                let paidOn = try CivilDate(year: 2025, month: 8, day: 1)
                return KokiEvent.paymentReceived(
                    PaymentReceived(
                        id: "t\(batch)-\(i)", person: person, channel: .counter, paidOn: paidOn, learnedOn: paidOn,
                        amount: Yen(Int64(1_000 + batch)), slip: key,
                        parts: [.init(key: key, amount: Yen(Int64(1_000 + batch)), accountingYear: fiscalYear)],
                        overpaid: .zero, reference: ""))
            }
            var expecting: [PersonID: ExpectedVersion] = [:]
            if batch == 0, let expectedVersion { expecting[person] = .exact(expectedVersion) }
            let result = try scope.ledger.record(
                events, metadata: CommandMetadata(actor: scope.context.operatorID), expecting: expecting)
            committed?(result.positions)
        }
        return batches
    }
}

/// `testing sleep`: the session checked, then a pause (for the server's graceful-shutdown test).
public struct SleepAfterCheck: KokiRequest {
    public static let name = "testing sleep"
    public static let function: AccessFunction? = .ledgerMaintain
    public static let isQuery = true

    public var ms: Int

    public init(ms: Int) { self.ms = ms }

    /// The longest pause: a test's, not a way to hold a server's thread.
    public static let longest = 10_000

    public func handle(_ scope: RequestScope) throws -> Int {
        guard (0...Self.longest).contains(ms) else {
            throw KokiError(.invalidInput, "--ms \(ms) is outside 0…\(Self.longest)")
        }
        usleep(UInt32(ms) * 1_000)
        return ms
    }
}
