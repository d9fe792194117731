import KokiDomain
import KokiEvents

/// `security adopt FILE`: the security settings from a JSON file (missing keys take the
/// defaults), read only after the operator was found to be an administrator.
public struct AdoptSecuritySettings: KokiRequest {
    public static let name = "security adopt"
    public static let function: AccessFunction? = .securityAdmin

    /// The settings file (JSON) on the machine the application runs on.
    public var file: String

    public init(file: String) { self.file = file }

    public func handle(_ scope: RequestScope) throws -> SecuritySettings {
        let settings = try scope.readJSON(SecuritySettings.self, from: file)
        try scope.control.adopt(settings, by: scope.context)
        return settings
    }
}
