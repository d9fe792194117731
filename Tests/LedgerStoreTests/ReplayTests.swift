import Foundation
import KokiTestSupport
import LedgerStore
import Testing

/// A ledger written through a position: exactly the events and hashes of the original up to
/// it, verifiable on its own, opened only read-only; positions inside a command are refused.
@Suite struct ReplayTests {
    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func aPrefixIsTheLedgerAsItStood(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let folder = try TemporaryFolder()
        let ledger = try Ledger.create(at: folder.path("full.ledger"))
        var boundaries: [Int64] = [0]
        for _ in 0..<30 {
            let result = try ledger.append(randomRequest(using: &g))
            boundaries.append(result.positions!.upperBound)
        }
        let all = try ledger.events()
        for (i, through) in boundaries.shuffled(using: &g).prefix(4).enumerated() {
            let path = folder.path("prefix-\(i).ledger")
            try ledger.writePrefix(through: through, to: path)
            let copy = try Ledger.open(at: path, mode: .readOnly)
            #expect(try copy.events() == Array(all.prefix(Int(through))))
            #expect(try copy.head().position == through)
            #expect(try copy.verify().problem == nil)
            #expect(throws: LedgerError.self) { try Ledger.open(at: path, mode: .readWrite) }
            #expect(throws: LedgerError.self) { try ledger.writePrefix(through: through, to: path) }  // exists
        }
        // Inside a multi-event command: refused, and no file is left.
        if let inside = zip(boundaries, boundaries.dropFirst()).first(where: { $1 - $0 > 1 }).map({ $0.0 + 1 }) {
            let path = folder.path("inside.ledger")
            #expect(throws: LedgerError.self) { try ledger.writePrefix(through: inside, to: path) }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        #expect(try ledger.verify().problem == nil)
    }
}
