import Foundation
import Hummingbird
import KokiApp
import LedgerStore

/// `POST /v1/session/login` and `POST /v1/session/logout`: a session opened and ended over HTTP.
/// The password travels once, in the body, and is kept only as its hash; the session comes back
/// as the bearer token every other request carries. Failed logins are counted per operator and
/// client address, as a terminal's are per operator and terminal.
extension KokiServer {
    /// A login's body: the operator, their password, and a new one to set as they log in.
    public struct Login: Codable, Sendable {
        public var `operator`: String
        public var password: String
        public var newPassword: String?

        public init(operator: String, password: String, newPassword: String? = nil) {
            self.operator = `operator`
            self.password = password
            self.newPassword = newPassword
        }
    }

    /// What a login or a logout answers: the session (as a bearer token, for a login) and whose it is.
    public struct SessionAnswer: Codable, Sendable {
        public var operatorID: String
        public var session: String
        /// The bearer token (a login's only).
        public var token: String?
    }

    /// Opens a session for the body's operator, or a problem naming why not (recorded as any
    /// failed login is).
    func login(body: Data, headers: HTTPFields, source: String) async -> Response {
        let login: Login
        do {
            login = try decodeJSON(Login.self, from: body, source: "the request body")
        } catch {
            return Self.failure(error)
        }
        let terminal: String
        do { terminal = try Self.caller(headers).get().1 } catch { return error.response }
        return await onSessionLedger { ledger in
            let credentials = try AccessControl(ledger).login(
                login.operator, password: login.password, terminal: terminal, newPassword: login.newPassword,
                source: source)
            return SessionAnswer(
                operatorID: credentials.operatorID, session: credentials.session, token: Self.token(credentials))
        }
    }

    /// Ends the bearer's session (recorded).
    func logout(headers: HTTPFields) async -> Response {
        let credentials: SessionCredentials?
        do { credentials = try Self.caller(headers).get().0 } catch { return error.response }
        guard let credentials else {
            return Self.problem(
                .unauthorized, title: "Unauthorized", detail: "not logged in (no session)",
                extra: [("exitStatus", String(ExitStatus.accessDenied.rawValue))])
        }
        return await onSessionLedger { ledger in
            try AccessControl(ledger).logout(credentials)
            return SessionAnswer(operatorID: credentials.operatorID, session: credentials.session, token: nil)
        }
    }

    /// Runs `work` on the ledger with its master key when the key file is there (a sealed
    /// ledger's login is recorded with it), and answers its outcome as JSON or a problem.
    private func onSessionLedger(_ work: @escaping @Sendable (KokiLedger) throws -> SessionAnswer) async -> Response {
        let lent = lend()
        defer { if let lent { pool.give(lent) } }
        let (ledgerPath, masterKeyPath) = (ledgerPath, masterKeyPath)
        return await Self.onPool {
            do {
                let store = try lent ?? Self.store(at: ledgerPath, mode: .readWrite)
                let answer = try work(try KokiLedger.keyed(store, keyFile: masterKeyPath, required: false))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                return Self.json(.ok, String(decoding: try encoder.encode(answer), as: UTF8.self))
            } catch {
                return Self.failure(error)
            }
        }
    }

    /// The problem for an error of the core: its HTTP status, message and exit status.
    static func failure(_ error: any Error) -> Response {
        let failure = ExitStatus.classify(error)
        let (status, title) = httpStatus(failure.status.rawValue)
        return problem(
            status, title: title, detail: failure.message, extra: [("exitStatus", String(failure.status.rawValue))])
    }
}
