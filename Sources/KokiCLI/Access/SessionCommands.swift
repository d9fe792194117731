import ArgumentParser
import Foundation
import KokiApp
import KokiEvents

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "この端末でセッションを開く（ほかのコマンドはすべてセッションが必要）。",
        discussion: """
            Writes the session file (--session, $KOKI_SESSION, else ~/.koki/sessions/LEDGER-ID) readable by you \
            alone. The session ends at `koki logout`, after the idle minutes or the absolute hours of the security \
            settings (30 minutes, 10 hours by default), or at once when an administrator suspends or revokes you. \
            Failed logins are recorded and counted per operator and source (this terminal; over `koki serve`, the \
            client's address): after two in a row each further attempt from there waits 1, 2, 4 … seconds (at \
            most 15 minutes), and the maxFailedLogins-th locks that source out for the operator until an \
            administrator unlocks them (`koki operator unlock --help`, also the break-glass); the operator's other \
            terminals still log in. The terminal is $KOKI_TERMINAL, else the host name. The session file is \
            refused (and the refusal recorded) when others can read or write it, or its folder is writable by anyone.

            Passwords are kept as scrypt hashes beside the persons' keys, not in the ledger's events. An operator \
            enrolled by an older koki (which recorded the hash in the events, and so in every backup) must set a \
            new password at their first login after the upgrade: `koki login ID --new-password` (with \
            --password-stdin: the current password on the first line, the new one on the second).
            """)

    @OptionGroup var options: LedgerOptions
    @Argument(help: "Your operator id.") var operatorID: String
    @Flag(help: "Read the password from one line of standard input.") var passwordStdin = false
    @Flag(help: "Set a new password as you log in (asked after the current one).") var newPassword = false

    func run() throws {
        try reporting {
            Output.line("\(operatorID) としてログインしました（端末 \(LedgerOptions.terminal)、セッション \(try open())）")
        }
    }

    /// Opens the session (here, or on the server with `--server`) and returns its id.
    private func open() throws -> String {
        if let remote = RemoteClient.current {
            // The password is read here and sent once, in the body; the server keeps only its hash.
            let password = try readPassword(prompt: "Password for \(operatorID): ", stdin: passwordStdin)
            let replacement = newPassword ? try readNewPassword(stdin: passwordStdin, for: operatorID) : nil
            return try remote.login(operatorID, password: password, newPassword: replacement).session
        }
        let ledger = try options.openForSession()
        if let problem = LedgerOptions.sessionFolderProblem(
                options.sessionFile(ledgerID: ledger.store.ledgerID.description))
        {
            try AccessControl(ledger).refuse(
                AccessRefused(
                    operatorID: "", session: nil, terminal: LedgerOptions.terminal, command: "login",
                    function: nil, reason: problem))
            throw CLIFailure(.accessDenied, problem)
        }
        let password = try readPassword(prompt: "Password for \(operatorID): ", stdin: passwordStdin)
        let replacement = newPassword ? try readNewPassword(stdin: passwordStdin, for: operatorID) : nil
        let credentials = try AccessControl(ledger).login(
            operatorID, password: password, terminal: LedgerOptions.terminal, newPassword: replacement, source: nil)
        try writePrivately(try JSONEncoder().encode(credentials), to: options.sessionFile(ledgerID: credentials.ledger))
        return credentials.session
    }
}

/// Writes a file only its owner can read (creating its folder, 0700, when missing).
func writePrivately(_ data: Data, to path: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let temporary = path + ".tmp"
    unlink(temporary)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else { throw CLIFailure(.failure, "cannot write \(path): \(String(cString: strerror(errno)))") }
    let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == data.count, rename(temporary, path) == 0 else {
        throw CLIFailure(.failure, "cannot write \(path)")
    }
}

struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "セッションを終える（記録される）。セッションファイルも消す。")

    @OptionGroup var options: LedgerOptions

    func run() throws {
        try reporting {
            if let remote = RemoteClient.current {
                let ended = try remote.logout()
                Output.line("\(ended.operatorID) はログアウトしました（セッション \(ended.session) を終了）")
                return
            }
            let ledger = try options.openForSession()
            let path = options.sessionFile(ledgerID: ledger.store.ledgerID.description)
            guard let credentials = try options.credentials(for: AccessControl(ledger)) else {
                throw CLIFailure(.accessDenied, "ログインしていません（セッションファイル \(path) がありません）")
            }
            defer { unlink(path) }
            try AccessControl(ledger).logout(credentials)
            Output.line("\(credentials.operatorID) はログアウトしました（セッション \(credentials.session) を終了）")
        }
    }
}

struct WhoAmICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "いま操作している利用者、役割、セッション、端末を表示する。")

    @OptionGroup var options: LedgerOptions

    func run() throws {
        try reporting {
            // The session is checked like any request's (a forged file shows nothing).
            let me = try options.run(WhoAmI())
            Output.line("\(me.operatorID) (\(me.name)): \(me.roles.map(\.rawValue).joined(separator: ", "))")
            Output.line(
                "  session \(me.session) on \(me.terminal), opened \(me.openedAt), expires \(me.expiresAt)\(me.closed.map { ", ended (\($0.rawValue))" } ?? "")"
            )
        }
    }
}
