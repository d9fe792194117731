import Foundation
import LedgerStore
import KokiTestSupport
import Testing

/// The store against a trivially correct in-memory model: after every command, accepted or
/// refused, the ledger holds exactly what the model says — an append is all or nothing.
@Suite struct ModelTests {
    struct Model {
        var events: [(stream: StreamName, payload: [UInt8], command: Identifier)] = []
        var versions: [StreamName: Int64] = [:]
        var commands: [Identifier: [Int64]] = [:]

        /// What the store should do with a request: the positions it produces, or a conflict.
        mutating func apply(_ request: AppendRequest) -> [Int64]? {
            if let done = commands[request.commandID] { return done }
            for part in request.streams {
                let actual = versions[part.stream] ?? 0
                switch part.expectedVersion {
                case .any: break
                case .noStream: if actual != 0 { return nil }
                case .exact(let v): if actual != v { return nil }
                }
            }
            var positions: [Int64] = []
            for part in request.streams {
                for event in part.events {
                    events.append((part.stream, event.payload, request.commandID))
                    versions[part.stream, default: 0] += 1
                    positions.append(Int64(events.count))
                }
            }
            commands[request.commandID] = positions
            return positions
        }
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func theStoreFollowsTheModel(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let ledger = try Ledger.inMemory()
        var model = Model()
        var sent: [AppendRequest] = []
        for step in 0..<80 {
            var request: AppendRequest
            if !sent.isEmpty, Int.random(in: 0..<6, using: &g) == 0 {
                request = sent.randomElement(using: &g)!  // a retry of an earlier command
            } else {
                request = randomRequest(using: &g, streams: 5)
                for i in request.streams.indices {
                    let actual = model.versions[request.streams[i].stream] ?? 0
                    // Mostly right, sometimes stale or from the future.
                    request.streams[i].expectedVersion =
                        switch Int.random(in: 0..<5, using: &g) {
                        case 0: .any
                        case 1: actual == 0 ? .noStream : .exact(actual - 1)
                        case 2: .exact(actual + Int64.random(in: 1...2, using: &g))
                        default: actual == 0 ? .noStream : .exact(actual)
                        }
                }
            }
            let expected = model.apply(request)
            do {
                let result = try ledger.append(request)
                #expect(result.events.map(\.position) == expected, "step \(step)")
                sent.append(request)
            } catch let error as LedgerError {
                #expect(error.code == .wrongExpectedVersion, "step \(step): \(error)")
                #expect(expected == nil, "step \(step): refused a command the model accepts: \(error)")
            }
            let stored = try ledger.events()
            #expect(stored.count == model.events.count, "step \(step)")
            #expect(stored.map(\.payload) == model.events.map(\.payload))
            #expect(stored.map(\.stream) == model.events.map(\.stream))
            #expect(stored.map(\.commandID) == model.events.map(\.command))
        }
        #expect(try ledger.verify().isIntact)
        for (stream, version) in model.versions {
            #expect(try ledger.version(of: stream) == version)
        }
    }
}
