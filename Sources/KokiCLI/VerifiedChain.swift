import ArgumentParser
import KokiApp
import KokiDomain
import LedgerStore

/// The hash chain and SQLite's integrity check after a recorded city: exits 1 when anything was altered.
enum VerifiedChain {
    static func print(_ store: any EventStore) throws {
        let verified = try store.verifyChain()
        if let problem = verified.problem {
            Output.line("verify: ALTERED: \(problem)")
            throw ExitCode(ExitStatus.ledgerAltered.rawValue)
        }
        Output.line(
            "verify: ok, \(verified.eventsChecked) events; head \(verified.head.position) \(verified.head.hash.hex)")
    }

}
