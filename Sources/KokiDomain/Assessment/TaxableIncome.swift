/// The tax figures the premium needs, derived by the resident-tax rules.
///
/// Sources: `shared/domain/premiums-and-eligibility.md` §2.3 (旧ただし書き所得, 基礎控除, the
/// 公的年金等控除 table for people aged 65 or more).
public enum TaxableIncome {
    /// 公的年金等に係る雑所得 for a person aged 65 or more whose other income is at most
    /// 10 million yen: revenue minus the 公的年金等控除 of the standard table, never negative.
    public static func pensionIncome(revenue: Yen) -> Yen {
        let r = revenue.amount
        let deduction: Int64 =
            switch r {
            case ...3_300_000: 1_100_000
            case ...4_100_000: r * 25 / 100 + 275_000
            case ...7_700_000: r * 15 / 100 + 685_000
            case ...10_000_000: r * 5 / 100 + 1_455_000
            default: 1_955_000
            }
        return max(.zero, revenue - Yen(deduction))
    }

    /// The resident-tax basic deduction (基礎控除) for a total income (合計所得金額).
    public static func basicDeduction(totalIncome: Yen) -> Yen {
        switch totalIncome.amount {
        case ...24_000_000: Yen(430_000)
        case ...24_500_000: Yen(290_000)
        case ...25_000_000: Yen(150_000)
        default: .zero
        }
    }

    /// The premium's income base (賦課のもととなる所得金額, 旧ただし書き所得): total income (with
    /// separately taxed gains) minus the basic deduction, never negative.
    public static func incomeBase(totalIncome: Yen) -> Yen {
        max(.zero, totalIncome - basicDeduction(totalIncome: totalIncome))
    }
}
