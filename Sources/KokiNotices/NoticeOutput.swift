import Crypto
import Foundation
import KokiDomain
import KokiEvents
import Mustache

/// Notices as HTML pages (A4 print styles, Japanese fonts available on Debian), from Mustache
/// templates kept as files: koki's own (`Sources/KokiNotices/Templates`), or a folder of the
/// city's with the same names (`payment`, `dunning`, `reminder`, `refund`, `certificate`, and the
/// partials `head`, `contact`, `style`).
public struct NoticeRenderer: Sendable {
    let library: MustacheLibrary

    public init(templates directory: String? = nil) throws {
        let folder: URL
        if let directory {
            folder = URL(fileURLWithPath: directory)
        } else {
            guard let bundled = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
                throw KokiError(.invalidInput, "koki's notice templates are missing from its installation")
            }
            folder = bundled
        }
        var library = MustacheLibrary()
        let names = ["style", "head", "contact"] + NoticeKind.allCases.map(\.rawValue)
        for name in names {
            let file = folder.appendingPathComponent("\(name).mustache")
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw KokiError(.invalidInput, "no template \(file.path)")
            }
            do {
                try library.register(String(decoding: data, as: UTF8.self), named: name)
            } catch {
                throw KokiError(.invalidInput, "template \(file.path): \(error)")
            }
        }
        self.library = library
    }

    public func html(_ notice: Notice) throws -> String {
        guard let page = library.render(notice.templateContext, withTemplate: notice.kind.rawValue) else {
            throw KokiError(.invalidInput, "no template for \(notice.kind.rawValue)")
        }
        return page
    }
}

/// The print data the contractor receives: one file per run, CSV (with a header) or JSON lines,
/// UTF-8 or Shift_JIS, exactly the fields each notice prints.
public enum PrintFormat: String, Sendable, CaseIterable {
    case csv, jsonl
}

public enum PrintEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case shiftJIS = "shift_jis"
}

public enum PrintData {
    /// SHA-256 of a file's bytes (recorded with the run and printed on the dispatch list).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// The print file for notices of one kind.
    public static func file(_ notices: [Notice], kind: NoticeKind, format: PrintFormat, encoding: PrintEncoding) throws
        -> [UInt8]
    {
        var lines: [String]
        switch format {
        case .csv: lines = [(kind.fields + ["rows"]).joined(separator: ",")] + notices.map(\.csvLine)
        case .jsonl: lines = notices.map(\.jsonLine)
        }
        let text = lines.map { $0 + (format == .csv ? "\r\n" : "\n") }.joined()
        switch encoding {
        case .utf8: return Array(text.utf8)
        case .shiftJIS:
            guard let data = text.data(using: .shiftJIS) else {
                throw KokiError(
                    .invalidInput, "the print data has characters Shift_JIS cannot hold: use --encoding utf-8")
            }
            return Array(data)
        }
    }

    /// The dispatch list (送付票): what the file holds, counted and totalled, for the contractor
    /// and the city to check against each other.
    public static func dispatchList(_ notices: [Notice], kind: NoticeKind, date: CivilDate, file: String, hash: [UInt8])
        -> String
    {
        let total = Yen(notices.map(\.amount.amount).reduce(0, +))
        return """
            送付票 (dispatch list)
            document: \(kind.title) (\(kind.rawValue))
            dated: \(JapaneseEra.format(date)) (\(date))
            file: \(file)
            sha256: \(hash.hex)
            documents: \(notices.count)
            total: \(printed(total)) 円
            first: \(notices.first?.number ?? "-")
            last: \(notices.last?.number ?? "-")

            """
    }
}
