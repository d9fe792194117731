import Foundation

/// The API as committed (`openapi.yaml` beside this file), served at `/openapi.yaml`.
enum OpenAPIDocument {
    static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.1.0\ninfo: {title: koki, version: unknown}\npaths: {}\n" }
        return text
    }()
}
