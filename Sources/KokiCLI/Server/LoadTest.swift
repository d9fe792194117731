import ArgumentParser
import Foundation
import KokiApp
import KokiServer

/// `koki testing load`: concurrent clients against a `koki serve`, bounded in requests and time.
struct LoadTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Concurrent clients issuing payments and queries to a koki server; throughput, latency, checks.",
        discussion: """
            Logs in as --operator (password on standard input; the operator needs counter, collection and \
            ledger.inspect), registers --persons persons if missing, then runs --clients clients, each issuing up \
            to --requests requests (a payment to a person of the shared pool, or a query of one), stopping at \
            --seconds. Payments to one person at once conflict by design: every conflict must come back as exit \
            2, none lost. Ends by checking that every payment answered as recorded is in the ledger once, and that \
            the chain verifies.
            """)

    @Option(help: "The server, http://HOST:PORT.") var server: String
    @Option(help: "The operator the clients act as.") var `operator`: String
    @Option(help: "Concurrent clients.") var clients = 50
    @Option(help: "Requests per client at most.") var requests = 40
    @Option(help: "Seconds at most.") var seconds = 60
    @Option(help: "Persons the payments go to (fewer: more conflicts).") var persons = 20

    func run() throws {
        try reporting {
            let client = RemoteClient(server: server)
            guard let password = inputLine() else { throw CLIFailure(.usage, "the password goes on standard input") }
            let login = try client.send(["login", `operator`, "--password-stdin"], input: password + "\n", token: nil)
            guard login.status == 0, let token = login.session else {
                throw CLIFailure(.accessDenied, "login failed: \(login.stderr.joined(separator: " "))")
            }
            let pool = (0..<persons).map { String(9_000_001 + $0) }
            for number in pool {
                let shown = try client.send(["person", "show", number], input: nil, token: token)
                if shown.status == 0 { continue }
                let made = try client.send(
                    [
                        "person", "register", "--number", number, "--name", "負荷 試験", "--kana", "フカ シケン",
                        "--birth-date", "1945-04-01", "--sex", "female", "--address", "千葉県松戸市根本387-5",
                    ], input: nil, token: token)
                guard made.status == 0 else {
                    throw CLIFailure(.failure, "cannot register \(number): \(made.stderr.joined(separator: " "))")
                }
            }
            let run = UUID().uuidString.prefix(8)
            let results = Mutexed<[Sample]>([])
            let deadline = Date().addingTimeInterval(Double(seconds))
            let started = Date()
            // A thread per client: they wait on the network, not on the two cores.
            let group = DispatchGroup()
            let work: @Sendable (Int) -> Void = { c in
                var g = SystemRandomNumberGenerator()
                var mine: [Sample] = []
                for i in 0..<requests where Date() < deadline {
                    let person = pool.randomElement(using: &g)!
                    let payment = i % 2 == 0
                    let reference = "load-\(run)-\(c)-\(i)"
                    let arguments =
                        payment
                        ? [
                            "pay", "record", person, "--amount", "1000", "--paid-on", "2026-06-01", "--reference",
                            reference,
                        ]
                        : ["account", person]
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let outcome = try? client.send(arguments, input: nil, token: token)
                    let ns = Int(DispatchTime.now().uptimeNanoseconds - t0)
                    mine.append(
                        Sample(payment: payment, nanoseconds: ns, status: outcome?.status ?? -1, reference: reference))
                }
                results.update { $0 += mine }
            }
            for c in 0..<clients {
                group.enter()
                let thread = Thread {
                    work(c)
                    group.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            group.wait()
            let elapsed = Date().timeIntervalSince(started)
            let samples = results.value
            func ms(_ values: [Int], _ p: Int) -> String {
                guard !values.isEmpty else { return "-" }
                let sorted = values.sorted()
                return String(format: "%.1f", Double(sorted[min(sorted.count - 1, sorted.count * p / 100)]) / 1e6)
            }
            let payments = samples.filter(\.payment)
            let queries = samples.filter { !$0.payment }
            let recorded = payments.filter { $0.status == 0 }
            let conflicts = payments.filter { $0.status == ExitStatus.conflict.rawValue }
            let failed = samples.filter { $0.status != 0 && !($0.payment && $0.status == ExitStatus.conflict.rawValue) }
            Output.line(
                "\(clients) clients, \(samples.count) requests in \(String(format: "%.1f", elapsed)) s: \(String(format: "%.0f", Double(samples.count) / elapsed)) requests/s"
            )
            Output.line(
                "payments: \(payments.count), p50 \(ms(payments.map(\.nanoseconds), 50)) ms, p99 \(ms(payments.map(\.nanoseconds), 99)) ms; \(recorded.count) recorded, \(conflicts.count) conflicts reported"
            )
            Output.line(
                "queries: \(queries.count), p50 \(ms(queries.map(\.nanoseconds), 50)) ms, p99 \(ms(queries.map(\.nanoseconds), 99)) ms"
            )
            // Every payment answered as recorded is in the ledger exactly once; no other one is.
            let events = try client.send(
                ["events", "--type", "PaymentReceived", "--format", "json"], input: nil, token: token)
            let found = events.stdout.compactMap { line -> String? in
                guard line.contains("load-\(run)-"),
                    let range = line.range(of: #""reference":"load-[^"]*""#, options: .regularExpression)
                else { return nil }
                return String(line[range].dropFirst(13).dropLast())
            }
            let expected = Set(recorded.map(\.reference))
            let lost = expected.subtracting(found).count
            let duplicated = found.count - Set(found).count
            let unexpected = Set(found).subtracting(expected).count
            let verify = try client.send(["verify", "--quick"], input: nil, token: token)
            Output.line(
                "checks: \(found.count) payments in the ledger, \(lost) lost, \(duplicated) duplicated, \(unexpected) not answered as recorded, \(failed.count) other failures; verify: \(verify.stdout.first ?? verify.stderr.joined())"
            )
            _ = try? client.send(["logout"], input: nil, token: token)
            guard lost == 0, duplicated == 0, unexpected == 0, failed.isEmpty, verify.status == 0 else {
                throw ExitCode(ExitStatus.failure.rawValue)
            }
        }
    }

    struct Sample: Sendable {
        var payment: Bool
        var nanoseconds: Int
        var status: Int32
        var reference: String
    }
}
