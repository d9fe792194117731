import ArgumentParser
import Foundation
import KokiApp
import KokiDomain

extension Role: ExpressibleByArgument {}
extension AccessFunction: ExpressibleByArgument {}

struct OperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "利用者（operator）：登録、一覧、役割の変更、停止、失効、復帰、ロック解除、パスワードの設定。",
        discussion: """
            Each operator has an individual id, never shared and never reused. Only an administrator (security.admin) \
            manages operators; anyone logged in may set their own password. Suspending, revoking or locking ends the \
            operator's sessions at once.
            """,
        subcommands: [
            Add.self, List.self, Roles.self, Suspend.self, Revoke.self, Reinstate.self, Unlock.self, Password.self,
        ])

    struct Add: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Enrol an operator with one or more roles.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The new operator's id (2–32 of a–z, 0–9, - _ .).") var operatorID: String
        @Option(help: "Their name.") var name: String
        @Option(
            name: .customLong("role"),
            help: ArgumentHelp(
                "A role (repeat): \(Role.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "role"))
        var roles: [Role] = []
        @Flag(help: "Read their first password from one line of standard input.") var passwordStdin = false

        func request() -> EnrollOperator {
            EnrollOperator(operatorID: operatorID, name: name, roles: roles, password: newPassword(stdin: passwordStdin))
        }

        static func report(_ request: EnrollOperator, _ roles: [Role]) {
            Output.line(
                "利用者 \(request.operatorID)（\(request.name)）を登録しました：\(roles.map(\.label).joined(separator: "・"))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Every operator with roles, state and open sessions.")
        @OptionGroup var options: LedgerOptions
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            try reporting {
                let operators = try options.run(ListOperators())
                if json {
                    for o in operators {
                        Output.line(
                            JSON.object([
                                ("operator", JSON.string(o.id)), ("name", JSON.string(o.name)),
                                ("roles", "[" + o.roles.map { JSON.string($0.rawValue) }.joined(separator: ",") + "]"),
                                ("state", JSON.string(o.state.rawValue)), ("openSessions", "\(o.openSessions)"),
                                ("failedLogins", "\(o.failedLogins)"),
                            ]))
                    }
                    return
                }
                Table.render(
                    ["利用者ID", "氏名", "役割", "状態", "セッション", "ログイン失敗", "登録日時"],
                    operators.map {
                        [
                            $0.id, $0.name, $0.roles.map(\.label).joined(separator: "・"), $0.state.label,
                            Staff.count($0.openSessions), Staff.count($0.failedLogins), Staff.moment($0.enrolledAt),
                        ]
                    }
                ).forEach(Output.line)
            }
        }
    }

    struct Roles: TypedCommand {
        static let configuration = CommandConfiguration(commandName: "roles", abstract: "Replace an operator's roles.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The operator's id.") var operatorID: String
        @Option(name: .customLong("role"), help: ArgumentHelp("A role (repeat).", valueName: "role"))
        var roles: [Role] = []

        func request() -> SetOperatorRoles { SetOperatorRoles(operatorID: operatorID, roles: roles) }

        static func report(_ request: SetOperatorRoles, _ roles: [Role]) {
            Output.line("\(request.operatorID) の役割：\(roles.map(\.label).joined(separator: "・"))")
        }
    }

    struct StateChange: ParsableArguments {
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The operator's id.") var operatorID: String
        @Option(help: "Why (recorded).") var reason: String

    }

    struct Suspend: StateChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "suspend", abstract: "Suspend an operator (ends their sessions).")
        @OptionGroup var change: StateChange
        typealias Change = Suspension
    }

    struct Revoke: StateChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke an operator for good (ends their sessions; the id is never reused).")
        @OptionGroup var change: StateChange
        typealias Change = Revocation
    }

    struct Reinstate: StateChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "reinstate", abstract: "Make a suspended operator active again.")
        @OptionGroup var change: StateChange
        typealias Change = Reinstatement
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unlock",
            abstract: "Unlock an operator locked out by failed logins; --break-glass: with the master key, no session.",
            discussion: """
                Failed logins are counted per operator and source (the terminal; over `koki serve`, the client's \
                address): after two in a row each further attempt from that source waits 1, 2, 4 … seconds (at \
                most 15 minutes), and the maxFailedLogins-th (`koki security show`) locks that source out for the \
                operator — their other terminals still log in. Unlocking clears every source's count and lock \
                (recorded, with the reason). An administrator unlocks with their session.

                Break-glass (the only administrator locked out, or their password forgotten): on the ledger's host, \
                whoever holds the ledger's master key file runs `koki operator unlock NAME --reason WHY \
                --break-glass` (--master-key FILE, $KOKI_MASTER_KEY, else the ledger's path + .key) with no session; \
                `koki operator password NAME --break-glass` sets a new password the same way. The key must be the \
                one the ledger's personal data is sealed under (another key file: exit 78, nothing appended). \
                Recorded with the actor "(master key)". Never over HTTP.
                """)
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The operator's id.") var operatorID: String
        @Option(help: "Why (recorded).") var reason: String
        @Flag(help: "No session: prove authority with the ledger's master key file instead (on its host only).")
        var breakGlass = false

        func run() throws {
            try reporting {
                if breakGlass {
                    let (control, context) = try options.breakGlass()
                    try control.unlock(
                        operatorID, reason: "break-glass with the master key file: \(reason)", by: context)
                    Output.line("\(operatorID) を有効にしました（マスターキーファイルによる緊急解除、記録済み）")
                    return
                }
                _ = try options.run(UnlockOperator(operatorID: operatorID, reason: reason))
                Output.line("\(operatorID) を有効にしました")
            }
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "password",
            abstract: "Set your own password, or (administrator) another operator's.")
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The operator (default: you).") var operatorID: String?
        @Flag(help: "Read the passwords from standard input: your current one, then the new one (one line each).")
        var passwordStdin = false
        @Flag(
            help:
                "No session: set OPERATOR's password with the ledger's master key file (on its host only; see `operator unlock --help`)."
        )
        var breakGlass = false

        func run() throws {
            try reporting {
                if breakGlass {
                    guard let operatorID else {
                        throw CLIFailure(.usage, "--break-glass: name the operator whose password to set")
                    }
                    let (control, context) = try options.breakGlass()
                    let password = try readNewPassword(stdin: passwordStdin, for: operatorID)
                    try control.setPassword(operatorID, to: password, current: nil, by: context)
                    Output.line("\(operatorID) のパスワードを設定しました（マスターキーファイルによる緊急解除、記録済み）")
                    return
                }
                // Everyone may change their own password (a valid session suffices); anyone else's is
                // an administrator's work: the core checks which, then asks for the passwords.
                let stdin = passwordStdin
                let target = try options.run(
                    SetOperatorPassword(
                        operatorID: operatorID,
                        current: Secret { _ in try readPassword(prompt: "Current password: ", stdin: stdin) },
                        password: newPassword(stdin: stdin)))
                Output.line("\(target) のパスワードを設定しました")
            }
        }

    }
}

struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "権限表：役割ごとに使える業務機能（表示、付与、取消）。",
        discussion: """
            Every command names one function (`koki roles show` lists which). The matrix is recorded in the ledger \
            (config/permissions) and only an administrator changes it; the administrator role always keeps \
            security.admin.
            """,
        subcommands: [Show.self, Grant.self, Revoke.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the matrix in force.")
        @OptionGroup var options: LedgerOptions
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            try reporting {
                let matrix = try options.run(ShowPermissions())
                if json {
                    Output.line(try prettyJSON(matrix))
                    return
                }
                let roles = Role.allCases
                // The terms staff read, with the names `roles grant` takes beside them.
                Table.render(
                    ["業務機能", "（名前）"] + roles.map(\.label),
                    AccessFunction.allCases.map { f in
                        [f.label, f.rawValue] + roles.map { matrix.grants[$0]?.contains(f) == true ? "○" : "" }
                    }
                ).forEach(Output.line)
                Output.line("役割の名前（roles grant ROLE FUNCTION）：" + roles.map { "\($0.label) \($0.rawValue)" }.joined(separator: "、"))
            }
        }
    }

    struct Change: ParsableArguments {
        @OptionGroup var options: LedgerOptions
        @Argument(help: "The role.") var role: Role
        @Argument(help: "The function.") var function: AccessFunction
    }

    struct Grant: PermissionChangeCommand {
        static let configuration = CommandConfiguration(commandName: "grant", abstract: "Let a role use a function.")
        @OptionGroup var change: Change
        typealias Kind = KokiApp.Grant
    }

    struct Revoke: PermissionChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Stop a role using a function.")
        @OptionGroup var change: Change
        typealias Kind = Withdrawal
    }
}

struct SecurityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security",
        abstract: "セキュリティ設定：ロックアウト、セッションの期限、端末、パスワードの強さ、保存期間、執務時間。",
        subcommands: [Show.self, Adopt.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print the settings in force as JSON.")
        @OptionGroup var options: LedgerOptions

        func run() throws {
            try reporting {
                Output.line(try prettyJSON(try options.run(ShowSecuritySettings())))
            }
        }
    }

    struct Adopt: TypedCommand {
        static let configuration = CommandConfiguration(
            commandName: "adopt",
            abstract: "Adopt settings from a JSON file (missing keys take the defaults).",
            discussion: """
                Keys: maxFailedLogins 5, idleMinutes 30, sessionHours 10, terminals [] (any), passwordCost 17 \
                (scrypt N = 2^17, 128 MiB), retentionYears 5 (unconfirmed: the city's retention rules decide), \
                officeOpensMinute 510 and officeClosesMinute 1035 (8:30–17:15 JST, for the yearly review).
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: ArgumentHelp("Settings as JSON.", valueName: "file")) var file: String

        func request() -> AdoptSecuritySettings { AdoptSecuritySettings(file: file) }

        static func report(_ request: AdoptSecuritySettings, _ result: SecuritySettings) {
            Output.line("セキュリティ設定を適用しました")
        }
    }
}

/// A new password, asked (twice at a terminal) only when the core has checked the operator.
func newPassword(stdin: Bool) -> Secret {
    Secret { whose in try readNewPassword(stdin: stdin, for: whose) }
}

/// `operator suspend`, `revoke`, `reinstate`: one request each, the same options.
protocol StateChangeCommand: TypedCommand where Request == ChangeOperatorState<Change> {
    associatedtype Change: OperatorStateChange
    var change: OperatorCommand.StateChange { get }
}

extension StateChangeCommand {
    var options: LedgerOptions { change.options }

    func request() -> Request { Request(operatorID: change.operatorID, reason: change.reason) }

    static func report(_ request: Request, _ state: OperatorState) {
        Output.line("\(request.operatorID) は\(state.label)になりました")
    }
}

/// `roles grant`, `roles revoke`: one request each, the same arguments.
protocol PermissionChangeCommand: TypedCommand where Request == ChangePermission<Kind> {
    associatedtype Kind: PermissionChange
    var change: RolesCommand.Change { get }
}

extension PermissionChangeCommand {
    var options: LedgerOptions { change.options }

    func request() -> Request { Request(role: change.role, permission: change.function) }

    static func report(_ request: Request, _ matrix: PermissionMatrix) {
        Output.line(
            "役割「\(request.role.label)」は \(request.permission.rawValue) を\(Kind.grants ? "使えます" : "使えなくなりました")")
    }
}

extension LedgerOptions {
    /// The break-glass: the ledger and who acts, proven by the master key file instead of a session
    /// (``AccessControl/breakGlass(terminal:command:)``). Only on the ledger's host.
    ///
    /// It is not a typed request run through ``KokiApplication``, on purpose: a request is checked
    /// against a session and a role, and the break-glass is for when no administrator can open a
    /// session (the only one locked out, or their password forgotten). Its authority is the master
    /// key file itself, proven against the ledger before anything is appended, and everything it
    /// does is recorded with the actor `(master key)` — the same trail a context would leave.
    func breakGlass() throws -> (AccessControl, AccessContext) {
        guard RemoteClient.current == nil else {
            throw CLIFailure(
                .accessDenied, "--break-glass runs only on the ledger's host with its master key file, never over HTTP")
        }
        let store = try Self.store(at: ledgerPath, mode: .readWrite)
        // A key that is not the ledger's is refused before anything is appended: the commands are
        // sealed under a key derived from the master key, so a wrong key could not even record
        // the attempt.
        let control = AccessControl(try Self.keyed(store, keyFile: masterKeyFile, required: true))
        return (control, try control.breakGlass(terminal: Self.terminal, command: Self.commandName))
    }
}
