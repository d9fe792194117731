import KokiReadModels
/// After a batch run that touched many persons: the stored read models brought up to date now, so
/// the cost of folding those persons again lands on the batch job, not on the next query someone
/// waits for. The run's own work is committed already: a failure only leaves the catching up to
/// that query, and is answered (`nil`: brought up to date).
func readModelsBroughtUp(_ ledger: KokiLedger) -> String? {
    do {
        try catchUpStoredModels(ledger.ports)
        return nil
    } catch {
        return "\(error)"
    }
}

extension RequestScope {
    /// ``readModelsBroughtUp(_:)`` on this request's ledger.
    func readModelsBroughtUp() -> String? { KokiApp.readModelsBroughtUp(ledger) }
}
