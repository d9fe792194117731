import KokiApp
import KokiDomain
import KokiEvents
import Testing

/// Every value staff can see has a term in the standard table, and the table has no term for a
/// value that does not exist (a misspelt key would leave the real value without one).
@Suite struct LabelCatalogTests {
    @Test func everyLabelledValueHasATerm() {
        for entry in LabelCatalog.all {
            for value in entry.values {
                let key = "\(entry.domain).\(value.name)"
                #expect(Labels.standard.terms[key]?.isEmpty == false, "no term for \(key)")
            }
        }
    }

    @Test func everyTermOfALabelledDomainNamesAValue() {
        let domains = Dictionary(uniqueKeysWithValues: LabelCatalog.all.map { ($0.domain, Set($0.values.map(\.name))) })
        #expect(domains.count == LabelCatalog.all.count, "a domain is labelled twice")
        for key in Labels.standard.keys {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let names = domains[parts[0]] else { continue }
            #expect(names.contains(parts[1]), "\(key) names no value of its domain")
        }
    }

    @Test func aValueShowsItsTermNotItsRawName() {
        #expect(PaymentChannel.pensionDeduction.label == "年金天引き")
        #expect(ContactMethod.visitToOffice.label == "来庁")
        #expect(MailRecipient.Role.heirRepresentative.label == "相続人代表者")
        #expect(CopayClass.two.label == "2割")
        #expect(ApplicationKind.eligibility.title == "資格取得・喪失届")
        #expect(PensionDeduction.Selection(recorded: "no pension information")?.label == "年金情報なし")
    }
}
