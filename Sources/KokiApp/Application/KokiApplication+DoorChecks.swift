import KokiDomain

extension KokiApplication {
    /// Runs a request of type `R` for `caller` with the door's own preparation between the core's
    /// check of the operator and the handler: `prepare` checks what the door will do with the
    /// result (where it writes a file, whether one is there already, which templates it renders
    /// with) and `make` builds the request from what it found. A caller who may not run `R` is
    /// refused and recorded before the door looks at any of its files; a door check that fails
    /// appends nothing.
    public func run<Prepared, R: KokiRequest>(
        _ type: R.Type, as caller: Caller, preparing prepare: () throws -> Prepared, _ make: (Prepared) throws -> R
    ) throws -> (prepared: Prepared, result: R.Result) {
        try checked(type, as: caller, confirming: nil, preparing: prepare, make)
    }

    /// ``run(_:as:preparing:_:)`` for a request the door built already: `doorCheck` runs between
    /// the core's checks and the handler.
    public func run<R: KokiRequest>(
        _ request: R, as caller: Caller, beforeHandling doorCheck: () throws -> Void
    ) throws -> R.Result {
        try run(R.self, as: caller, preparing: doorCheck) { request }.result
    }
}
