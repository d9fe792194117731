import ArgumentParser
import Foundation
import KokiApp
import KokiDomain
import KokiServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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
            the chain verifies. With --console every third request is the console's page of a person (GET \
            /console/person/N with the session's cookie, as a clerk's browser asks it): timed apart, each checked to \
            be the person's page.
            """)

    @Option(help: "The server, http://HOST:PORT.") var server: String
    @Option(help: "The operator the clients act as.") var `operator`: String
    @Option(help: "Concurrent clients.") var clients = 50
    @Option(help: "Requests per client at most.") var requests = 40
    @Option(help: "Seconds at most.") var seconds = 60
    @Option(help: "Persons the payments go to (fewer: more conflicts).") var persons = 20
    @Option(help: "The first person's number: the pool is this and the next ones (a city's own persons are used as they are).")
    var firstPerson: Int = 9_000_001
    @Flag(help: "Every third request is the console's person page (a browser's GET with the session cookie).")
    var console = false

    func run() throws {
        try reporting {
            let client = RemoteClient(server: server)
            guard let password = inputLine() else { throw CLIFailure(.usage, "the password goes on standard input") }
            guard let token = try client.login(`operator`, password: password, newPassword: nil, keep: false).token else {
                throw CLIFailure(.accessDenied, "login failed: the server answered no session")
            }
            let pool = try (0..<persons).map { try PersonID(String(firstPerson + $0)) }
            for person in pool {
                let shown = try? client.run(ShowPerson(number: person, on: nil, knownAt: nil, purpose: nil), token: token)
                if shown != nil { continue }
                let identity = IdentityFields(
                    name: "負荷 試験", kana: "フカ シケン", birthDate: try CivilDate(year: 1945, month: 4, day: 1), sex: .female,
                    address: "千葉県松戸市根本387-5")
                do {
                    _ = try client.run(
                        RegisterPerson(number: person, identity: identity, household: nil, role: .householder, householdSince: nil),
                        token: token)
                } catch {
                    throw CLIFailure(.failure, "cannot register \(person): \(CLIFailure(error).message)")
                }
            }
            let paidOn = try CivilDate(year: 2026, month: 6, day: 1)
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
                    let page = console && i % 3 == 2
                    let payment = !page && i % 2 == 0
                    let reference = "load-\(run)-\(c)-\(i)"
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    var status: Int32 = 0
                    do {
                        if page {
                            status = Self.consolePage(server: server, person: person, token: token)
                        } else if payment {
                            _ = try client.run(
                                RecordPayment(
                                    person: person, amount: 1_000, paidOn: paidOn, learnedOn: nil, channel: .counter,
                                    slip: nil, lateFee: false, reference: reference), token: token)
                        } else {
                            _ = try client.run(
                                ShowAccount(person: person, fiscalYear: nil, knownAt: nil, asOf: nil), token: token)
                        }
                    } catch {
                        status = CLIFailure(error).status.rawValue
                    }
                    let ns = Int(DispatchTime.now().uptimeNanoseconds - t0)
                    mine.append(
                        Sample(payment: payment, page: page, nanoseconds: ns, status: status, reference: reference))
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
            let queries = samples.filter { !$0.payment && !$0.page }
            let pages = samples.filter(\.page)
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
            if console {
                Output.line(
                    "console pages: \(pages.count), p50 \(ms(pages.map(\.nanoseconds), 50)) ms, p99 \(ms(pages.map(\.nanoseconds), 99)) ms; \(pages.filter { $0.status != 0 }.count) not the person's page"
                )
            }
            // Every payment answered as recorded is in the ledger exactly once; no other one is.
            var found: [String] = []
            try client.run(
                ListEvents(
                    stream: nil, streamPrefix: nil, types: ["PaymentReceived"], from: 0, through: nil, recordedFrom: nil,
                    recordedBefore: nil), token: token
            ).forEach(decoding: true) { event in
                guard let data = event.data, data.contains("load-\(run)-"),
                    let range = data.range(of: #""reference":"load-[^"]*""#, options: .regularExpression)
                else { return }
                found.append(String(data[range].dropFirst(13).dropLast()))
            }
            let expected = Set(recorded.map(\.reference))
            let lost = expected.subtracting(found).count
            let duplicated = found.count - Set(found).count
            let unexpected = Set(found).subtracting(expected).count
            let verify = try client.run(VerifyLedger(quick: true, checkpoint: nil), token: token)
            Output.line(
                "checks: \(found.count) payments in the ledger, \(lost) lost, \(duplicated) duplicated, \(unexpected) not answered as recorded, \(failed.count) other failures; verify: \(verify.problem ?? "ok")"
            )
            _ = try? client.logout(token: token)
            guard lost == 0, duplicated == 0, unexpected == 0, failed.isEmpty, verify.problem == nil else {
                throw ExitCode(ExitStatus.failure.rawValue)
            }
        }
    }

    /// One console page as a browser asks it: the session's token in the console's cookie (with
    /// a form token, as the login form sets it); 0 when it is the person's page, else the HTTP
    /// status (or 1 when the answer is not their page).
    static func consolePage(server: String, person: PersonID, token: String) -> Int32 {
        guard let url = URL(string: server + "/console/person/\(person.value)") else { return 1 }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.setValue(
            "koki_session=\(token); koki_csrf=\(String(repeating: "0", count: 64))", forHTTPHeaderField: "Cookie")
        let done = DispatchSemaphore(value: 0)
        let answer = Mutexed<(Int, String)>((0, ""))
        RemoteClient.session.dataTask(with: request) { data, response, _ in
            answer.set(
                ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self)))
            done.signal()
        }.resume()
        done.wait()
        let (status, body) = answer.value
        guard status == 200 else { return Int32(status == 0 ? 1 : status) }
        return body.contains("<h2>本人</h2>") && body.contains(person.value) ? 0 : 1
    }

    struct Sample: Sendable {
        var payment: Bool
        var page: Bool
        var nanoseconds: Int
        var status: Int32
        var reference: String
    }
}
