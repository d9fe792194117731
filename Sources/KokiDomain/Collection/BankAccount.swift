/// A payer's bank account for debits (口座振替): personal data, sealed in the ledger.
public struct BankAccount: Hashable, Sendable, Codable {
    /// 統一金融機関番号, 4 digits (9900 = ゆうちょ銀行).
    public var bankCode: String
    /// 支店番号, 3 digits.
    public var branchCode: String
    /// 預金種目: 1 普通, 2 当座, 3 納税準備預金, 9 その他.
    public var accountType: Int
    /// 口座番号, up to 7 digits.
    public var accountNumber: String
    /// The holder's name in half-width kana (預金者名), up to 30 characters.
    public var holderKana: String

    public init(
        bankCode: String, branchCode: String, accountType: Int, accountNumber: String, holderKana: String
    ) throws(DomainError) {
        func digits(_ text: String, _ count: ClosedRange<Int>, _ name: String) throws(DomainError) {
            guard count.contains(text.count), text.allSatisfy({ ("0"..."9").contains($0) }) else {
                throw DomainError(
                    .invalidValue,
                    "\(name)「\(text)」は\(count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound)〜\(count.upperBound)")桁の数字で入力してください"
                )
            }
        }
        try digits(bankCode, 4...4, "金融機関コード")
        try digits(branchCode, 3...3, "支店コード")
        try digits(accountNumber, 1...7, "口座番号")
        guard [1, 2, 3, 9].contains(accountType) else {
            throw DomainError(.invalidValue, "預金種目 \(accountType) は 1（普通）、2（当座）、3（納税準備）、9 のいずれかです")
        }
        guard !holderKana.isEmpty, holderKana.count <= 30 else {
            throw DomainError(.invalidValue, "口座名義は1〜30文字で入力してください")
        }
        self.bankCode = bankCode
        self.branchCode = branchCode
        self.accountType = accountType
        self.accountNumber = accountNumber
        self.holderKana = holderKana
    }
}
