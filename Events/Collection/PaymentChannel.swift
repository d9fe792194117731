/// How a payment reached the city (収納経路).
public enum PaymentChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// 窓口 — at a city counter or a designated bank's counter with a payment slip.
    case counter
    /// 口座振替 — debited from a bank account (Zengin transfer file).
    case bankDebit
    /// コンビニ収納 — at a convenience store.
    case convenienceStore
    /// スマホ決済 — a smartphone payment app.
    case smartphone
    /// 特別徴収 — deducted from the pension.
    case pensionDeduction

    /// The stored code; never reorder, only append.
    var code: UInt64 {
        switch self {
        case .counter: 0
        case .bankDebit: 1
        case .convenienceStore: 2
        case .smartphone: 3
        case .pensionDeduction: 4
        }
    }

    init(code: UInt64, at offset: Int) throws(CodecError) {
        switch code {
        case 0: self = .counter
        case 1: self = .bankDebit
        case 2: self = .convenienceStore
        case 3: self = .smartphone
        case 4: self = .pensionDeduction
        default: throw CodecError.malformed("payment channel code \(code)", at: offset)
        }
    }
}
