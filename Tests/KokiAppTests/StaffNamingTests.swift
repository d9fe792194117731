import KokiApp
import Testing

/// How a refusal names the fields for staff: the option as the form names it, except inside a
/// command the clerk is told to type.
@Suite struct StaffNamingTests {
    @Test func anOptionIsNamedAsTheFormNamesItButNotInACommandToType() {
        #expect(Staff.namingFields("--paid-on 2099-01-01 is after today") == "「納付日」(--paid-on) 2099-01-01 is after today")
        #expect(
            Staff.namingFields("receive it with `koki application receive --person N` first; --amount is wrong")
                == "receive it with `koki application receive --person N` first; 「金額」(--amount) is wrong")
        // An option with no term, and one already named, stay as they are.
        #expect(Staff.namingFields("--no-such-option") == "--no-such-option")
        #expect(Staff.namingFields("「納付日」(--paid-on)") == "「納付日」(--paid-on)")
    }
}
