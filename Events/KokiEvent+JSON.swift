import Foundation

extension KokiEvent {
    /// The payload as JSON with sorted keys, for people and scripts (`koki events`).
    ///
    /// This is the readable rendering only; the ledger stores the compact binary encoding.
    public func jsonPayload() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(payload), as: UTF8.self)
    }

    /// The stable type name stored with the event (`PremiumAssessed`).
    public var typeName: String { visit(TypeName()) }

    private struct TypeName: PayloadVisitor {
        func visit<P: EventPayload>(_ payload: P) -> String { P.eventType }
    }
}
