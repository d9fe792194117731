import ArgumentParser
import Foundation
import KokiApp

/// A command line that is one typed request of the application core: the door parses argv into
/// the request, the core runs it (its checks first), the door prints the result. An application
/// received at a counter keeps the request, never the command line.
protocol TypedCommand: ParsableCommand {
    associatedtype Request: KokiRequest
    var options: LedgerOptions { get }
    /// The request this command line asks for (parsed once, here at the door).
    func request() throws -> Request
    /// Prints what the request did.
    static func report(_ request: Request, _ result: Request.Result)
}

extension TypedCommand {
    func run() throws {
        try reporting {
            let request = try request()
            Self.report(request, try options.run(request))
        }
    }

    /// The request, as any request (for a stored application).
    func anyRequest() throws -> any KokiRequest { try request() }

    /// Prints `result` when `request` is this command's.
    static func report(any request: any KokiRequest, _ result: any Sendable) -> Bool {
        guard let request = request as? Request, let result = result as? Request.Result else { return false }
        report(request, result)
        return true
    }
}

/// The command lines that are typed requests: every request an application may carry has one.
enum TypedCommands {
    static let all: [any TypedCommand.Type] = [
        PersonCommand.Register.self, PersonCommand.Correct.self, PersonCommand.Link.self, HouseholdCommand.Set.self,
        HouseholdCommand.Leave.self, EligibilityCommand.Acquire.self, EligibilityCommand.Lose.self,
        EligibilityCommand.AddressException.Start.self, EligibilityCommand.AddressException.End.self,
        EligibilityCommand.FormerDependant.self, IncomeCommand.Record.self, PayCommand.Record.self,
        PayCommand.Cancel.self, DebitCommand.Start.self, DebitCommand.Stop.self, RefundCommand.Pay.self,
        ReductionCommand.Decide.self, SecurityCommand.Adopt.self, MailCommand.Set.self, MailCommand.End.self,
    ]

    /// Prints what a request run elsewhere (a confirmed application's change) did, as its command does.
    static func report(_ request: any KokiRequest, _ result: any Sendable) {
        for command in all where command.report(any: request, result) { return }
    }

    /// The typed request a command line asks for: what an application keeps as its change, and
    /// what a change kept by an older koki as a command line is upcast to, once, when confirmed.
    static func request(from arguments: [String]) throws -> any KokiRequest {
        let command: any ParsableCommand
        do {
            command = try KokiCommand.parseAsRoot(arguments)
        } catch {
            throw CLIFailure(.invalidInput, "not a valid koki command: \(KokiCommand.message(for: error))")
        }
        guard let typed = command as? any TypedCommand else {
            throw CLIFailure(
                .invalidInput, "`\(Counter.commandWords(arguments))` is not a change an application can carry")
        }
        return try typed.anyRequest()
    }

    /// How application `number`'s change kept by an older koki as a command line becomes a request:
    /// parsed once with this grammar.
    static func upcast(_ number: String) -> @Sendable ([String]) throws -> any KokiRequest {
        { arguments in
            do {
                return try request(from: arguments)
            } catch let failure as CLIFailure {
                throw CLIFailure(failure.status, "application \(number)'s change no longer parses: \(failure.message)")
            }
        }
    }

    /// A kept request shown as the command line that asks for it: the command's words, then each
    /// field as its option (a nested value's fields too), the person's number first.
    static func commandLine(_ stored: StoredRequest) -> String {
        var words = ["koki", stored.name]
        guard let body = try? JSONSerialization.jsonObject(with: stored.body) as? [String: Any] else {
            return words.joined(separator: " ")
        }
        func option(_ key: String) -> String {
            "--" + key.reduce(into: "") { out, c in out += c.isUppercase ? "-" + c.lowercased() : String(c) }
        }
        func add(_ key: String, _ value: Any) {
            switch value {
            case let nested as [String: Any]:
                for (k, v) in nested.sorted(by: { $0.key < $1.key }) { add(k, v) }
            case let list as [Any]: list.forEach { add(key, $0) }
            case let flag as Bool where type(of: value) == Bool.self:
                if flag { words.append(option(key)) }
            case is NSNull: break
            default:
                let text = "\(value)"
                words += [option(key), text.contains(" ") || text.isEmpty ? "\"\(text)\"" : text]
            }
        }
        let first = ["number", "person"]
        for key in first { if let value = body[key] { add(key, value) } }
        for (key, value) in body.sorted(by: { $0.key < $1.key }) where !first.contains(key) { add(key, value) }
        return words.joined(separator: " ")
    }
}
