import Foundation
import Hummingbird
import HummingbirdTesting
import KokiApp
@testable import KokiServer
import KokiTestSupport
import Testing

/// The server alone, in process, without the command line: its routes refuse what is not a koki
/// request before any ledger is opened, it serves its health and its API document, and without a
/// command line route given by a door it has none.
@Suite struct KokiServerTests {
    let folder: TemporaryFolder
    let server: KokiServer

    init() throws {
        folder = try TemporaryFolder()
        // No ledger there: every answer below is given before one would be opened (or says it cannot be).
        let ledger = folder.path("none.ledger")
        server = KokiServer(ledgerPath: ledger, masterKeyPath: ledger + ".key", label: ledger)
    }

    func withServer(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await server.application(host: "127.0.0.1", port: 0, log: { _ in }).test(.router) { client in
            try await body(client)
        }
    }

    @Test func healthReadinessAndTheDocument() async throws {
        try await withServer { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                let document = String(buffer: response.body)
                // Every request koki serves, and none of those that run only where the ledger is.
                for type in RequestCatalog.types {
                    let listed = document.contains("  " + KokiServer.path(of: type.name) + ":")
                    #expect(listed == KokiServer.travels(type), "\(type.name)")
                }
                for path in ["/v1/session/login", "/v1/session/logout", KokiServer.confirmPath] {
                    #expect(document.contains("  \(path):"))
                }
            }
        }
    }

    @Test func whatIsNotAKokiRequestIsRefusedBeforeAnyLedgerIsOpened() async throws {
        let body = ByteBuffer(string: "{}")
        try await withServer { client in
            try await client.execute(uri: "/v1/requests/no/such", method: .post, body: body) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/requests/testing/append", method: .post, body: body) {
                #expect($0.status == .badRequest && String(buffer: $0.body).contains("server's host"))
            }
            try await client.execute(
                uri: "/v1/requests/whoami", method: .post, headers: [.authorization: "Bearer not-a-session"], body: body
            ) { #expect($0.status == .unauthorized) }
            try await client.execute(
                uri: "/v1/requests/whoami", method: .post, headers: [.init("X-Koki-Terminal")!: String(repeating: "t", count: 65)],
                body: body
            ) { #expect($0.status == .badRequest && String(buffer: $0.body).contains("X-Koki-Terminal")) }
            let huge = ByteBuffer(string: String(repeating: "x", count: KokiServer.maxBody + 1))
            try await client.execute(uri: "/v1/requests/whoami", method: .post, body: huge) {
                #expect($0.status == .contentTooLarge)
            }
            // The server knows no command line: its route exists only when a door gives it one.
            try await client.execute(uri: "/v1/commands", method: .post, body: body) { #expect($0.status == .notFound) }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("none.ledger")))
    }

    @Test func aSessionTravelsAsItsBearerToken() throws {
        let credentials = SessionCredentials(ledger: "L", operatorID: "op", session: "s-1", token: "t+/=")
        #expect(KokiServer.credentials(KokiServer.token(credentials)) == credentials)
        #expect(KokiServer.credentials("not-a-session") == nil)
    }
}
