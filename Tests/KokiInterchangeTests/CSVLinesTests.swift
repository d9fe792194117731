import KokiDomain
import KokiTestSupport
import Testing

@testable import KokiInterchange

/// The lines of an imported CSV file, read at the bytes: the same lines, fields, columns and
/// refusals as splitting the file's characters at "\n" and "\r\n" gave.
@Suite struct CSVLinesTests {
    /// The reader as it was, splitting the text's characters: the model the bytes must match.
    static func byCharacters(_ bytes: [UInt8], header: [String], kind: String) throws(InterchangeError) -> [String] {
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw InterchangeError(line: 0, position: 0, "not UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var out: [String] = []
        var sawHeader = false
        for (index, rawLine) in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
        ).enumerated() {
            let line = index + 1
            if let (offset, scalar) = InputLimits.controlCharacter(in: rawLine) {
                throw InterchangeError(
                    line: line, position: offset + 1,
                    "control character \(InputLimits.name(scalar)) in the line: refused (a file's text holds none)")
            }
            if rawLine.trimmingSpaces.isEmpty { continue }
            let fields = rawLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            if line == 1, rawLine.hasPrefix(header[0]) {
                guard fields == header else { throw InterchangeError(line: 1, position: 1, "header") }
                sawHeader = true
                continue
            }
            let columns = fields.indices.map { i in fields[..<i].map(\.count).reduce(1, +) + i }
            out.append("\(line) \(fields) \(columns)")
        }
        guard !out.isEmpty else { throw InterchangeError(line: sawHeader ? 2 : 1, position: 1, "no record") }
        return out
    }

    static func outcome(_ read: () throws(InterchangeError) -> [String]) -> String {
        do { return try read().joined(separator: "\n") } catch {
            // The model's messages for a header or an empty file are shorter: compare where.
            return "refused at line \(error.line), position \(error.position)"
                + (error.message.hasPrefix("control character") ? ": \(error.message)" : "")
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func linesAtTheBytesAreTheLinesOfTheCharacters(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let pieces = [
            "a", "12", "日本", "é", "e\u{0301}", " ", "\t", ",", ",", "\r", "\r\n", "\r\n", "\n", "\n", "\n\u{0301}",
            "\r\r\n", "\u{0007}", "\u{202E}", "\u{85}", "ｶﾅ",
        ]
        let header = ConvenienceFile.header
        var refused = 0
        for _ in 0..<400 {
            var text = Int.random(in: 0..<4, using: &g) == 0 ? "\u{FEFF}" : ""
            if Bool.random(using: &g) {
                text += header.joined(separator: ",") + (Bool.random(using: &g) ? "\r\n" : "\n")
            }
            for _ in 0..<Int.random(in: 0..<30, using: &g) { text += pieces.randomElement(using: &g)! }
            let bytes = Array(text.utf8)
            let expected = Self.outcome { () throws(InterchangeError) in
                try Self.byCharacters(bytes, header: header, kind: "convenience-store")
            }
            let read = Self.outcome { () throws(InterchangeError) in
                try CSVLines.read(bytes, header: header, kind: "convenience-store").map {
                    "\($0.line) \($0.fields) \($0.columns)"
                }
            }
            #expect(read == expected, "\(text.debugDescription)")
            if expected.hasPrefix("refused") { refused += 1 }
        }
        #expect(refused > 0 && refused < 400)
    }
}
