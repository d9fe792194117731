import Foundation

/// The API, served at `/openapi.yaml`: the document as committed (`openapi.yaml` beside this
/// file), with a path for every typed request generated from the catalogue of requests.
public enum OpenAPIDocument {
    public static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8), let components = text.range(of: "\ncomponents:\n")
        else { return "openapi: 3.1.0\ninfo: {title: koki, version: unknown}\npaths: {}\n" }
        return String(text[..<components.lowerBound]) + "\n" + KokiServer.typedPaths
            + String(text[components.lowerBound...].dropFirst())
    }()
}
