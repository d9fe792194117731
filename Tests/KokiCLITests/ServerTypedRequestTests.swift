import Foundation
import KokiApp
import KokiDomain
import KokiServer
import KokiTestSupport
import Testing

/// `POST /v1/requests/…`: the application core's typed requests over HTTP, decoded into the same
/// values the command line builds and run through the same checks: the session first (401), the
/// role next (403), each refusal recorded and nothing else appended; then the handler, whose
/// result is the answer.
@Suite(.serialized) struct ServerTypedRequestTests {
    let folder: TemporaryFolder
    let ledger: String
    let clerk: [String: String]
    let auditor: [String: String]

    init() throws {
        folder = try TemporaryFolder()
        ledger = folder.path("typed.ledger")
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        clerk = try Secured.enroll("clerk", roles: ["counter", "collection"], admin: admin, folder: folder.url.path)
        auditor = try Secured.enroll("reader", roles: ["auditor"], admin: admin, folder: folder.url.path)
        try run(
            ["person", "register", "--number", "1001", "--name", "松戸", "--kana", "マツド", "--birth-date", "1940-01-01",
             "--sex", "female", "--address", "松戸市"], clerk)
    }

    @discardableResult
    func run(_ arguments: [String], _ env: [String: String], status: Int32 = 0) throws -> KokiProcess.Outcome {
        let outcome = try KokiProcess.run(arguments, environment: env)
        #expect(outcome.status == status, "koki \(arguments.joined(separator: " ")): \(outcome.stderr)")
        return outcome
    }

    func head() throws -> Int {
        let text = try run(["head"], auditor).stdout
        return Int(text.split(whereSeparator: { !$0.isNumber }).first ?? "") ?? -1
    }

    func body(_ request: some KokiRequest) throws -> Data { try JSONEncoder().encode(request) }

    @Test func aTypedRequestRunsAsOnTheCommandLineAfterItsChecks() throws {
        let server = try KokiProcess.serving(environment: clerk)
        defer { server.stop() }
        let url = server.url
        let person = try PersonID("1001")
        let move = SetHousehold(number: person, household: try HouseholdID("555"), role: .householder, from: try CivilDate(iso: "2020-04-01"))

        // No session: 401, recorded, and the body is not even looked at.
        var before = try head()
        let anonymous = HTTP.send(url, "POST", "/v1/requests/household/set", body: Data("not json".utf8))
        #expect(anonymous.status == 401, "\(anonymous.body)")
        #expect(try head() == before + 1)
        #expect(try run(["events", "--stream", "audit/refused"], auditor).stdout.contains("household set"))

        // A role that may not: 403, recorded, nothing else.
        let reader = try HTTP.login(url, "reader", password: Secured.password)
        before = try head()
        let refused = HTTP.send(url, "POST", "/v1/requests/household/set", body: try body(move), token: reader)
        #expect(refused.status == 403 && refused.body.contains("(register.write) の権限がありません"), "\(refused.body)")
        // The login, then the refusal: nothing of the change.
        #expect(try head() == before + 1)

        // The clerk: the same change the command line makes, answered as JSON.
        let token = try HTTP.login(url, "clerk", password: Secured.password)
        let done = HTTP.send(url, "POST", "/v1/requests/household/set", body: try body(move), token: token)
        #expect(done.status == 200, "\(done.body)")
        #expect(done.body.contains(#""request":"household set""#) && done.body.contains(#""result":{"position":"#))
        #expect(try run(["household", "show", "555", "--on", "2021-01-01"], clerk).stdout.contains("1001"))

        // A body that is not the request: 422 naming the field, nothing appended.
        before = try head()
        let missing = HTTP.send(url, "POST", "/v1/requests/household/set", body: Data(#"{"number":"1001"}"#.utf8), token: token)
        #expect(missing.status == 422 && missing.body.contains("household"), "\(missing.body)")
        // A value out of range is refused by the same handler the command line runs.
        let tooMuch = RecordPayment(
            person: person, amount: 1 << 60, paidOn: try CivilDate(iso: "2025-05-01"), learnedOn: nil, channel: .counter,
            slip: nil, lateFee: false, reference: "")
        let big = HTTP.send(url, "POST", "/v1/requests/pay/record", body: try body(tooMuch), token: token)
        #expect(big.status == 422 && big.body.contains("--amount"), "\(big.body)")
        // A date far in the future is refused as on the command line.
        let future = HTTP.send(
            url, "POST", "/v1/requests/household/leave", body: Data(#"{"number":"1001","from":"9999-01-01"}"#.utf8),
            token: token)
        #expect(future.status == 422 && future.body.contains("9999-01-01 is outside the dates"), "\(future.body)")
        #expect(try head() == before)

        // No such request; a request that runs only on the host.
        #expect(HTTP.send(url, "POST", "/v1/requests/no/such", body: Data("{}".utf8), token: token).status == 404)

        // The document names a path for every request koki serves, and none of those that run
        // only where the ledger is (they are refused over HTTP).
        let document = HTTP.send(url, "GET", "/openapi.yaml").body
        var hostOnly: [String] = []
        for type in RequestCatalog.types {
            let path = "/v1/requests/" + type.name.split(separator: " ").joined(separator: "/")
            let listed = document.contains("  " + path + ":")
            if KokiServer.travels(type) {
                #expect(listed, "\(path)")
            } else {
                hostOnly.append(type.name)
                #expect(!listed, "\(path)")
                let refused = HTTP.send(url, "POST", path, body: Data("{}".utf8), token: token)
                #expect(refused.status == 400 && refused.body.contains("server's host"), "\(path): \(refused.body)")
            }
        }
        #expect(Set(hostOnly) == ["replay", "transfer", "testing append"], "\(hostOnly)")
    }
}
