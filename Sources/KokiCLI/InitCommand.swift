import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import LedgerStore
import LedgerStores

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "台帳を新しく作り、最初の管理者とマスター鍵ファイルを用意する。",
        discussion: """
            Records the security settings, the standard permission matrix (`koki roles show`) and the first \
            administrator, and creates the master key file (--master-key, default the ledger's path + .key; an \
            existing key file is used). Keep the key file apart from the ledger's backups and back it up on its \
            own: without it the personal data cannot be read (the ledger and its figures still verify).

            On an existing ledger with no operators (made by an older koki, `koki simulate` or the library) it sets \
            up the same and wraps the persons' keys under the master key; on a ledger with operators it refuses \
            (exit 4). The password is asked twice on the terminal, or read from one line of standard input with \
            --password-stdin.
            """
    )

    @OptionGroup var options: LedgerOptions
    @OptionGroup var admin: AdministratorOptions

    func run() throws {
        try reporting {
            let path = options.ledgerPath
            // A `postgres://…?schema=NAME` address: the ledger in that schema (made when missing).
            let location = LedgerLocation(path)
            let existing = try location.openIfPresent()
            if let existing, try AccessControl(KokiLedger(existing)).isSetUp() {
                throw CLIFailure(.notFound, "\(existing.events.location) exists and has operators already")
            }
            let password = try admin.password()
            let store = try existing ?? location.create()
            let wrapped = try admin.setUp(store, options: options, password: password)
            Output.line(
                "\(existing != nil ? "secured" : "created") ledger \(store.events.ledgerID) at \(store.events.location); administrator \(admin.admin); master key \(options.masterKeyFile)\(wrapped > 0 ? "; \(wrapped) keys wrapped" : "")"
            )
        }
    }
}

/// The first administrator of a new ledger (`init`, `demo`, `simulate`).
struct AdministratorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The first administrator's operator id.", valueName: "id")) var admin = "admin"
    @Option(help: ArgumentHelp("Their name (default: the id).", valueName: "name")) var adminName: String?
    @Flag(help: "Read the password from one line of standard input.") var passwordStdin = false
    @Option(help: ArgumentHelp("scrypt cost for passwords, 2^N (14–22).", valueName: "N"))
    var passwordCost = SecuritySettings().passwordCost
    @Flag(
        help:
            "Record no second-check rules: the commands in `secondCheck` then run without a second operator's confirmation."
    )
    var noSecondCheck = false

    func password() throws -> String {
        try readNewPassword(stdin: passwordStdin, for: admin)
    }

    /// Creates or loads the master key, wraps any unwrapped keys, records the administrator.
    /// Returns how many keys were wrapped.
    @discardableResult
    func setUp(_ store: some LedgerStorage, options: LedgerOptions, password: String) throws -> Int {
        let keyFile = options.masterKeyFile
        let master =
            FileManager.default.fileExists(atPath: keyFile)
            ? try MasterKey.load(from: keyFile) : try MasterKey.create(at: keyFile)
        let ledger = KokiLedger(store, masterKey: master)
        let vault = IdentityVault(ledger)
        try vault.checkMasterKey()
        try ledger.useMasterKeyForChain()
        let wrapped = try vault.wrapUnwrappedKeys()
        var settings = SecuritySettings()
        settings.passwordCost = passwordCost
        if noSecondCheck { settings.secondCheck = [] }
        try AccessControl(ledger).setUp(
            administrator: admin, name: adminName ?? admin, password: password, settings: settings)
        return wrapped
    }
}

/// A password typed at the terminal (not echoed), or one line of standard input.
func readPassword(prompt: String, stdin: Bool) throws -> String {
    if stdin {
        guard let line = inputLine(), !line.isEmpty else {
            throw CLIFailure(.usage, "--password-stdin: no password on standard input")
        }
        return line
    }
    guard isatty(0) == 1, let typed = getpass(prompt) else {
        throw CLIFailure(.usage, "no terminal to ask for the password on: pass --password-stdin")
    }
    return String(cString: typed)
}

/// A new password: asked twice at the terminal, or once from standard input.
func readNewPassword(stdin: Bool, for id: String) throws -> String {
    let password = try readPassword(prompt: id.isEmpty ? "New password: " : "New password for \(id): ", stdin: stdin)
    if let weakness = PasswordHash.weakness(password) { throw CLIFailure(.invalidInput, weakness) }
    if !stdin, try readPassword(prompt: "Again: ", stdin: false) != password {
        throw CLIFailure(.invalidInput, "the two passwords differ")
    }
    return password
}
