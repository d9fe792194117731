import KokiDomain
import KokiEvents

// The notices' requests (通知書): the settings and a person's documents.

/// `notices settings adopt --file FILE`: the notice settings from a JSON file, read only after
/// the operator was found to be an administrator.
public struct AdoptNoticeSettings: KokiRequest {
    public static let name = "notices settings adopt"
    public static let function: AccessFunction? = .securityAdmin

    public var file: String

    public init(file: String) { self.file = file }

    public func handle(_ scope: RequestScope) throws -> NoticeSettings {
        let settings = try scope.readJSON(NoticeSettings.self, from: file)
        try Notices(scope.ledger).adopt(settings, metadata: scope.metadata())
        return settings
    }
}

/// `notices settings show`: the notice settings in force (what every operator may see).
public struct ShowNoticeSettings: KokiRequest {
    public static let name = "notices settings show"
    public static let function: AccessFunction? = nil
    public static let isQuery = true

    public init() {}

    public func handle(_ scope: RequestScope) throws -> NoticeSettings {
        guard let settings = try Notices(scope.ledger).settings() else {
            throw KokiError(.invalidInput, "通知書の設定がありません")
        }
        return settings
    }
}

/// One document of a person's history: what was issued, when it was recorded and by whom.
public struct IssuedDocument: Codable, Sendable {
    public var document: DocumentIssued
    /// When it was recorded (ISO 8601, UTC).
    public var recordedAt: String
    public var actor: String
}

/// `notices history PERSON`: a person's documents (文書発行履歴), oldest first.
public struct NoticeHistory: PersonRequest {
    public static let name = "notices history"
    public static let function: AccessFunction? = .registerRead
    public static let isQuery = true

    public var person: PersonID

    public init(person: PersonID) { self.person = person }

    public func handle(_ scope: RequestScope) throws -> [IssuedDocument] {
        // What was mailed to a person is their data: the look is recorded before it is shown.
        try scope.recordRead([person])
        return try Notices(scope.ledger).history(of: person).map {
            IssuedDocument(document: $0.document, recordedAt: $0.recordedAt.description, actor: $0.actor)
        }
    }
}
