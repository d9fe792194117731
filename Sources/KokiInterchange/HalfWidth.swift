import KokiDomain

/// JIS X 0201 half-width characters for bank files (collection-and-arrears.md §7.1): digits,
/// A–Z, half-width katakana with ﾞ and ﾟ, space and `( ) - . , /`. Small kana and the long-vowel
/// mark are not allowed (ｰ is written `-`). Full-width katakana, small kana, full-width Latin and
/// lower case are converted, so staff can type a holder's name as it is written.
public enum HalfWidth {
    static let fullRow = Array("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン")
    static let halfRow = Array("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ")
    static let voiced: [Character: String] = {
        var map: [Character: String] = [:]
        for (full, base) in zip("ガギグゲゴザジズゼゾダヂヅデドバビブベボ", "ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ") { map[full] = "\(base)ﾞ" }
        for (full, base) in zip("パピプペポ", "ﾊﾋﾌﾍﾎ") { map[full] = "\(base)ﾟ" }
        map["ヴ"] = "ｳﾞ"
        for (small, large) in zip("ァィゥェォッャュョヮヵヶ", "ｱｲｳｴｵﾂﾔﾕﾖﾜｶｹ") { map[small] = String(large) }
        for (small, large) in zip("ｧｨｩｪｫｯｬｭｮ", "ｱｲｳｴｵﾂﾔﾕﾖ") { map[small] = String(large) }
        for (i, full) in fullRow.enumerated() { map[full] = String(halfRow[i]) }
        map["ー"] = "-"
        map["ｰ"] = "-"
        map["－"] = "-"
        map["　"] = " "
        return map
    }()

    /// The text as half-width characters, or an error naming the first character with no
    /// half-width form (kanji, hiragana).
    public static func convert(_ text: String) throws(DomainError) -> String {
        var out = ""
        for ch in text {
            if let mapped = voiced[ch] {
                out += mapped
            } else if let scalar = ch.unicodeScalars.first, ch.unicodeScalars.count == 1 {
                switch scalar.value {
                case 0xFF10...0xFF19, 0xFF21...0xFF3A:  // full-width digits and A–Z
                    out.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
                case 0xFF41...0xFF5A:  // full-width a–z
                    out.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0 - 0x20)!)
                case 0x61...0x7A:
                    out.unicodeScalars.append(Unicode.Scalar(scalar.value - 0x20)!)
                case 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF0F:
                    out.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
                default:
                    guard byte(scalar) != nil else {
                        throw DomainError(.invalidValue, "'\(ch)' in '\(text)' has no half-width (JIS X 0201) form")
                    }
                    out.append(ch)
                }
            } else {
                throw DomainError(.invalidValue, "'\(ch)' in '\(text)' has no half-width (JIS X 0201) form")
            }
        }
        return out
    }

    /// The JIS X 0201 byte of an allowed character.
    static func byte(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x20, 0x28, 0x29, 0x2D, 0x2E, 0x2C, 0x2F: UInt8(scalar.value)
        case 0xFF71...0xFF9F, 0xFF66: UInt8(scalar.value - 0xFF61 + 0xA1)  // ｦ, ｱ…ﾝ, ﾞ, ﾟ
        default: nil
        }
    }

    /// Encodes allowed half-width text to bytes (callers convert first).
    static func bytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard let b = byte(scalar) else { return nil }
            out.append(b)
        }
        return out
    }

    /// Decodes JIS X 0201 bytes for display.
    static func text(_ bytes: some Collection<UInt8>) -> String {
        String(
            String.UnicodeScalarView(
                bytes.map { b in
                    b >= 0xA1 && b <= 0xDF ? Unicode.Scalar(UInt32(b) - 0xA1 + 0xFF61)! : Unicode.Scalar(b)
                }))
    }
}
