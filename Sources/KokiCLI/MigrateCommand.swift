import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import LedgerStore
import LedgerStores

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the ledger between its SQLite file and PostgreSQL, row for row, with the same hash chain.",
        discussion: """
            --to postgres://USER@HOST:PORT/DATABASE?schema=NAME copies the ledger file (--ledger) into that \
            schema; --from postgres://… --into FILE copies a PostgreSQL ledger into a new file. The copy keeps \
            every row's bytes, envelope and hash, checks the chain as it goes, and ends by verifying that both \
            have the same head hash. Run again, it copies only what was appended since; a target holding another \
            ledger is refused. The password comes from the address or $PGPASSWORD.

            Copied: the events (the hash chain). Not yet: the subject keys, My Number digests, the operators' \
            password hashes and read models, which stay in the file (koki's commands still run on the file; \
            no operator can log in to the copy yet).
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: ArgumentHelp("Copy the ledger file into this PostgreSQL schema.", valueName: "postgres-url"))
    var to: String?
    @Option(help: ArgumentHelp("Copy this PostgreSQL ledger …", valueName: "postgres-url")) var from: String?
    @Option(help: ArgumentHelp("… into this new ledger file.", valueName: "path")) var into: String?

    func validate() throws {
        guard (to != nil) != (from != nil) else { throw ValidationError("give --to URL, or --from URL --into FILE") }
        if from != nil, into == nil { throw ValidationError("--from needs --into FILE, the new ledger file") }
        if to != nil, into != nil { throw ValidationError("--into goes with --from") }
    }

    func run() throws {
        try reporting {
            if let to {
                let access = try options.authorized(.ledgerMaintain, .query)
                let source = access.store
                let location = try LedgerLocation.server(to)
                let target = try location.openIfPresent()?.events ?? location.create(ledgerID: source.ledgerID).events
                defer { target.close() }
                // The copy's commands are sealed under the same ledger's key as they arrive.
                if let master = access.ledger.masterKey { try target.useChainKey(try master.chainKey(for: source.ledgerID)) }
                try copy(from: source, to: target, label: target.location)
            } else if let from, let into {
                let source = try LedgerLocation.server(from).open().events
                defer { source.close() }
                let target = try Ledger.create(at: into, ledgerID: source.ledgerID)
                if FileManager.default.fileExists(atPath: options.masterKeyFile) {
                    let key = try MasterKey.load(from: options.masterKeyFile).chainKey(for: source.ledgerID)
                    try source.useChainKey(key)
                    try target.useChainKey(key)
                }
                try copy(from: source, to: target, label: into)
            }
        }
    }

    func copy(from source: some EventStore, to target: some EventStore, label: String) throws {
        let started = Date()
        let copied = try target.copy(from: source) { count in
            if count % 100_000 < 5_000 { Output.error("copied \(count) events …") }
        }
        let report = try target.verifyChain()
        let head = try source.head()
        guard report.isIntact, report.head == head else {
            throw CLIFailure(
                .ledgerAltered,
                "the copy at \(label) does not verify (\(report.problem?.description ?? "head \(report.head.position) differs from \(head.position)"))"
            )
        }
        Output.line(
            "copied \(copied) events to \(label) in \(Int(Date().timeIntervalSince(started))) s; both verify with head \(head.position) \(head.hash.hex)"
        )
    }
}
