import KokiApp
import Testing

/// How a name is compared in `person find`: one form for the ways a clerk may type it.
@Suite struct FindPersonsTests {
    @Test func theWaysAClerkTypesANameFoldToOneForm() {
        let forms = ["やまだ たろう", "ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"].map(FindPersons.folded)
        #expect(Set(forms) == ["ヤマダタロウ"], "\(forms)")
        #expect(FindPersons.folded("ＹＡＭＡＤＡ Taro") == "yamadataro")
        // Kanji and the long vowel mark are kept as they are; only hiragana moves to katakana.
        #expect(FindPersons.folded("松戸 花子") == "松戸花子")
        #expect(FindPersons.folded("ゆーこ") == "ユーコ")
        // Voiced marks typed apart (half-width) join their kana; small kana stay small.
        #expect(FindPersons.folded("ｷｮｳｺ") == "キョウコ")
    }
}
