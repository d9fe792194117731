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

    @Test func whatIsNotHexIsNoBytes() {
        for text in ["a", "abc", "0g", "-1", "ab cd", "ａｂ", "0x12"] {
            #expect([UInt8](hex: text) == nil, "\(text)")
        }
        #expect([UInt8](hex: "") == [])
        #expect([UInt8](hex: "00ff7A") == [0, 255, 122])
    }
}
