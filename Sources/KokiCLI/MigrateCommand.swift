import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiReadModels
import LedgerStore
import LedgerStores

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the ledger between its SQLite file and PostgreSQL, row for row, with the same hash chain.",
        discussion: """
            --to postgres://USER@HOST:PORT/DATABASE?schema=NAME copies the ledger file (--ledger) into that \
            schema; --from postgres://… --into FILE copies a PostgreSQL ledger into a new file. The copy keeps \
            every row's bytes and envelope, and each command's hash on its last event (a file written before \
            koki stored one hash a command has them on every event: the copy keeps the last), checks the whole \
            chain as it goes, and ends by verifying that both have the same head hash. Run again, it copies only what was appended since; a target holding another \
            ledger is refused. The password comes from the address or $PGPASSWORD.

            Copied besides, once the events are: the subject keys (still wrapped under the master key, so the \
            copy is opened with the same --master-key), the My Number digests and the operators' password \
            hashes. The copy's keys and digests are made exactly the source's: a person erased in the source \
            since an earlier run loses their key in the copy too. So the operators log in to the copy with \
            their own passwords (sessions are not copied: each logs in again), and every sealed name opens \
            there. The read models are not copied: the copy's own are built from its events as the run ends \
            (and brought up to date by a later run), so the first question asked there does not wait for them.
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
                let ports = try location.openIfPresent() ?? location.create(ledgerID: source.ledgerID)
                let target = ports.events
                defer { target.close() }
                // The copy's commands are sealed under the same ledger's key as they arrive.
                if let master = access.ledger.masterKey { try target.useChainKey(try master.chainKey(for: source.ledgerID)) }
                try copy(from: source, to: target, label: target.location)
                try copyState(from: access.ledger.ports, to: ports)
                try buildReadModels(ports, label: target.location)
            } else if let from, let into {
                let sourcePorts = try LedgerLocation.server(from).open()
                let source = sourcePorts.events
                defer { source.close() }
                let target = try Ledger.create(at: into, ledgerID: source.ledgerID)
                if FileManager.default.fileExists(atPath: options.masterKeyFile) {
                    let key = try MasterKey.load(from: options.masterKeyFile).chainKey(for: source.ledgerID)
                    try source.useChainKey(key)
                    try target.useChainKey(key)
                }
                try copy(from: source, to: target, label: into)
                try copyState(from: sourcePorts, to: target.ports)
                try buildReadModels(target.ports, label: into)
            }
        }
    }

    /// The state beside the events a copy needs to be used: the subject keys and My Number
    /// digests (the copy's made exactly the source's, erasures included) and the operators'
    /// password hashes.
    func copyState(from source: LedgerPorts, to target: LedgerPorts) throws {
        let keys = try source.keys.allSubjectKeys()
        let lookups = try source.keys.allLookups()
        try target.keys.mirrorSubjectKeys(keys, lookups: lookups)
        let credentials = try source.credentials.allCredentials()
        for (principal, secret) in credentials.sorted(by: { $0.key < $1.key })
        where try target.credentials.credential(principal) != secret {
            try target.credentials.setCredential(principal, secret)
        }
        Output.line(
            "copied \(keys.count) subject keys, \(lookups.count) My Number digests and \(credentials.count) operators' password hashes"
        )
    }

    /// The copy's read models (balances, register, debit states, premiums) built, or brought up to its head
    /// on a later run, now: the first question asked there does not wait for them.
    func buildReadModels(_ target: LedgerPorts, label: String) throws {
        let started = Date()
        try catchUpStoredModels(target)
        Output.line(
            "read models (balances, register, debit states, premiums) up to date in \(label) in \(Int(Date().timeIntervalSince(started))) s"
        )
    }

    func copy(from source: some EventStore, to target: some EventStore, label: String) throws {
        let started = Date()
        // A copy that went on without the source (its logins and reads are events of its own) has
        // events the source lacks, or others at the same positions: copying into it would fork.
        let (there, here) = (try target.head(), try source.head())
        let shared = min(there.position, here.position)
        let parted = shared > 0 ? try target.hash(at: shared) != source.hash(at: shared) : false
        if source.ledgerID == target.ledgerID, there.position > here.position || parted {
            throw CLIFailure(
                .invalidInput,
                "the copy at \(label) has been used on its own since it was made (its head is \(there.position), the source's \(here.position), and they part): migrating into it again would fork the ledger; nothing copied"
            )
        }
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
