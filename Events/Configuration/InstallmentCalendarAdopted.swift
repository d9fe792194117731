import Foundation
import KokiDomain

/// 納期を定めた — the ordinary-collection schedule for a fiscal year was adopted (stream
/// `config/calendar/<fiscal year>`; the latest adopted one is in force).
public struct InstallmentCalendarAdopted: EventPayload {
    public static let eventType = "InstallmentCalendarAdopted"
    public static let schemaVersion = 1

    public static func fields(_ c: inout some FieldCoder<Self>) throws -> Self {
        try Self(calendar: c.field(\.calendar), extraClosedDays: c.field(\.extraClosedDays))
    }

    public var calendar: InstallmentCalendar
    /// Days the city is closed beyond weekends, holidays and 29 Dec – 3 Jan.
    public var extraClosedDays: [CivilDate]

    public init(calendar: InstallmentCalendar, extraClosedDays: [CivilDate] = []) {
        (self.calendar, self.extraClosedDays) = (calendar, extraClosedDays)
    }

    public var streamName: String { "config/calendar/\(calendar.fiscalYear)" }
}
