import KokiDomain

extension KokiApplication {
    /// Runs `request` for `caller` as ``run(_:as:)`` does, with the door's own check of what it
    /// will do with the result (where it writes a file) between the core's checks and the
    /// handler: a caller who may not learns nothing of the door's files, and a refused path
    /// appends nothing.
    public func run<R: KokiRequest>(
        _ request: R, as caller: Caller, beforeHandling doorCheck: () throws -> Void
    ) throws -> R.Result {
        let context = try control.authorize(
            caller.credentials, function: R.function, command: R.name, terminal: caller.terminal)
        try control.requireSecondCheck(context, arguments: request.secondCheckOptions, confirming: nil)
        try doorCheck()
        return try request.handle(scope(context, today: caller.today))
    }
}

extension RequestScope {
    /// After a batch that touched many persons: the stored read models brought up to date now,
    /// so the cost of folding those persons again lands on the batch, not on the next query. The
    /// batch's own work is committed already; a failure here is only a note for the operator.
    func catchUpReadModels() -> String? {
        do {
            try StoredBalances(ledger).catchUp()
            return nil
        } catch {
            return "note: the stored balances were not brought up to date (\(error)); the next query will"
        }
    }
}
