import KokiDomain
import KokiEvents
import KokiProjections
import LedgerStore

extension CitySnapshot {
    /// The city as the ledger stood at `through`, or as it stands now (from the ledger's
    /// incrementally maintained fold).
    public init(_ ledger: KokiLedger, through: Int64? = nil) throws {
        guard let through else {
            self = try ledger.currentCity()
            return
        }
        self.init()
        var query = EventQuery()
        query.throughPosition = through
        try ledger.forEachEvent(query) { view, event in
            apply(event, position: view.position, stream: view.stream.value, version: view.streamVersion)
        }
    }
}
