import Foundation
import LedgerStore

extension KokiLedger {
    /// `store` with the master key from `keyFile`, proven to be the ledger's before it is used to
    /// seal anything (a wrong key would write seals that verify then names as an alteration).
    /// Without `required`, a missing key file leaves the ledger without one (its appends, if it
    /// is sealed, are then refused and say so). Every door opens its ledger through here.
    public static func keyed(_ store: LedgerPorts, keyFile: String, required: Bool) throws -> KokiLedger {
        guard required || FileManager.default.fileExists(atPath: keyFile) else { return KokiLedger(store) }
        let ledger = KokiLedger(store, masterKey: try MasterKey.load(from: keyFile))
        try IdentityVault(ledger).checkMasterKey()
        try ledger.useMasterKeyForChain()
        return ledger
    }
}
