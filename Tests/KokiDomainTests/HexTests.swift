import KokiDomain
import KokiTestSupport
import Testing

/// Hex text, written lowercase and read in either case.
@Suite struct HexTests {
    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func bytesReadBackFromTheirHex(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...40, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            #expect([UInt8](hex: bytes.hex) == bytes)
            #expect([UInt8](hex: bytes.hex.uppercased()) == bytes)
        }
    }

    @Test func hexIsTwoLowerCaseDigitsAByteInOrder() {
        #expect(([0x00, 0x0F, 0xA5, 0xFF] as [UInt8]).hex == "000fa5ff")
        #expect(([] as [UInt8]).hex.isEmpty)
        #expect((0...255 as ClosedRange<UInt8>).lazy.map { $0 }.hex.count == 512)
    }

    @Test func whatIsNotHexIsNoBytes() {
        for text in ["a", "abc", "0g", "-1", "ab cd", "ａｂ", "0x12"] {
            #expect([UInt8](hex: text) == nil, "\(text)")
        }
        #expect([UInt8](hex: "") == [])
        #expect([UInt8](hex: "00ff7A") == [0, 255, 122])
    }
}
