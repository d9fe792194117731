/// Who a person is (本人情報): the personal data that is sealed per person in the ledger.
///
/// Never stored in the clear: events carry it sealed with the person's own key, so erasing
/// the key after retention makes it unreadable without touching the ledger.
public struct PersonIdentity: Sendable, Hashable, Codable {
    public enum Sex: String, Sendable, Hashable, Codable, CaseIterable {
        case male, female
    }

    /// 氏名 (漢字)
    public var nameKanji: String
    /// 氏名 (カナ)
    public var nameKana: String
    /// 生年月日
    public var birthDate: CivilDate
    /// 性別
    public var sex: Sex
    /// 住所
    public var address: String
    /// 電話番号, when known.
    public var phone: String?
    /// 郵便番号 of the address, when known.
    public var postalCode: PostalCode?

    public init(
        nameKanji: String, nameKana: String, birthDate: CivilDate, sex: Sex, address: String, phone: String? = nil,
        postalCode: PostalCode? = nil
    ) throws(DomainError) {
        for (field, value) in [("name", nameKanji), ("kana name", nameKana), ("address", address)] {
            let trimmed = value.trimmingWhitespace
            guard !trimmed.isEmpty, trimmed.unicodeScalars.count <= 200 else {
                throw DomainError(.invalidValue, "\(field) must be 1–200 characters, got '\(value)'")
            }
        }
        if let phone {
            guard (1...20).contains(phone.utf8.count),
                phone.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2D })
            else {
                throw DomainError(.invalidValue, "phone '\(phone)' must be digits and hyphens")
            }
        }
        self.nameKanji = nameKanji.trimmingWhitespace
        self.nameKana = nameKana.trimmingWhitespace
        self.birthDate = birthDate
        self.sex = sex
        self.address = address.trimmingWhitespace
        self.phone = phone
        self.postalCode = postalCode
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
