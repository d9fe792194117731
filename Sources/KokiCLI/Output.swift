import KokiApp
import Foundation
import KokiDomain

/// Where commands write: standard output for results, standard error for diagnostics.
/// Tests swap the sinks to capture what a command printed.
enum Output {
    nonisolated(unsafe) static var standardOutput: (String) -> Void = { line in
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            // The reader went away (`koki events | head`): end as a pipe's writer does, even where
            // a library (SwiftNIO) set SIGPIPE to be ignored.
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            exit(141)
        }
    }
    nonisolated(unsafe) static var standardError: (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func line(_ text: String) {
        let text = visible(text)
        standardOutput(text)
    }
    static func error(_ text: String) {
        let text = visible(text)
        standardError(text)
    }

    /// `text` with every control character but tab and line break shown as `\u{1B}`: a name
    /// recorded before koki refused them (`A\u{1B}[2JB`) cannot clear or rewrite a clerk's screen.
    static func visible(_ text: String) -> String {
        // Fast path: almost every line is plain (C0 and DEL are single bytes; C1 is 0xC2 0x80–0x9F;
        // the bidirectional overrides start with 0xE2, as do a few punctuation marks that take the slow path).
        var plain = true
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F || byte == 0xE2
                || (previous == 0xC2 && byte < 0xA0 && byte >= 0x80)
            {
                plain = false
                break
            }
            previous = byte
        }
        if plain { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

/// JSON lines with a fixed key order (shared with the application layer's transfer files).
typealias JSON = JSONLine

/// Left-aligned text columns for people.
enum Table {
    /// The rows under the header; the columns in `right` (amounts) are right-aligned.
    static func render(_ header: [String], _ rows: [[String]], right: Set<Int> = []) -> [String] {
        let widths = widths(header, rows)
        return [line(header, widths, right)] + rows.map { line($0, widths, right) }
    }

    /// The same table written to standard output a line at a time (``Output/line(_:)``): its
    /// lines are never held together, nor its cells when `rows` makes them as it is read (a lazy
    /// map, read twice: once for the columns' widths, once for the lines). For lists of the
    /// whole city: ten times Matsudo's `insured list` has 706,000 lines.
    static func write(_ header: [String], _ rows: some Collection<[String]>, right: Set<Int> = []) {
        let widths = widths(header, rows)
        Output.line(line(header, widths, right))
        for row in rows { Output.line(line(row, widths, right)) }
    }

    private static func widths(_ header: [String], _ rows: some Collection<[String]>) -> [Int] {
        var widths = header.map(width)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(cell)) }
        }
        return widths
    }

    private static func line(_ cells: [String], _ widths: [Int], _ right: Set<Int>) -> String {
        cells.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: i < widths.count ? widths[i] - width(cell) : 0)
            if right.contains(i) { return pad + cell }
            return i == cells.count - 1 ? cell : cell + pad
        }.joined(separator: "  ").trimmingTrailingSpaces
    }

    /// Columns a string takes on a terminal: East Asian wide and full-width characters (kanji,
    /// kana, full-width forms) take two.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, scalar in
            switch scalar.value {
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
                0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                sum + 2
            default:
                sum + 1
            }
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
