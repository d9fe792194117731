import KokiDomain
import KokiTestSupport
import Testing

/// The refused characters (``InputLimits/controlCharacter(in:)``) are found wherever they are,
/// with the same offset in characters, whether the text is plain ASCII or not.
@Suite struct ControlCharacterTests {
    /// The reference: every character's scalars looked at in turn.
    static func reference(_ text: String) -> (offset: Int, scalar: Unicode.Scalar)? {
        for (offset, character) in text.enumerated() {
            for scalar in character.unicodeScalars where InputLimits.isRefused(scalar) { return (offset, scalar) }
        }
        return nil
    }

    @Test func theFirstRefusedCharacterIsFoundAsCharacterByCharacter() {
        var random = SeededGenerator(seed: 75)
        let pieces: [String] = [
            "a", "Z", "0", ",", " ", "\t", "〒", "松戸", "ｶﾅ", "é", "e\u{301}", "👩‍👩‍👧", "🇯🇵", "\u{7E}", "\u{A0}",
            "\u{0}", "\u{1B}", "\n", "\r\n", "\u{7F}", "\u{85}", "\u{9F}", "\u{202E}", "\u{2066}", "\u{200B}",
        ]
        var found = 0
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                pieces.randomElement(using: &random)!
            }.joined()
            let fast = InputLimits.controlCharacter(in: text)
            let slow = Self.reference(text)
            #expect(fast?.offset == slow?.offset && fast?.scalar == slow?.scalar, "\(Array(text.unicodeScalars))")
            // A substring, as the CSV reader passes its fields.
            let inner = text.dropFirst()
            #expect(InputLimits.controlCharacter(in: inner)?.offset == Self.reference(String(inner))?.offset)
            if slow != nil { found += 1 }
        }
        #expect(found > 250)
    }
}
