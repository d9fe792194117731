/// One continuous period of insurance: from the acquisition date up to (not including) the
/// loss date, or open-ended while the person is insured.
public struct EligibilityPeriod: Sendable, Hashable, Codable {
    public var from: CivilDate
    public var acquisition: AcquisitionReason
    /// The first day no longer insured; `nil` while insured.
    public var until: CivilDate?
    public var loss: LossReason?

    public init(from: CivilDate, acquisition: AcquisitionReason, until: CivilDate? = nil, loss: LossReason? = nil) {
        self.from = from
        self.acquisition = acquisition
        self.until = until
        self.loss = loss
    }

    public func contains(_ date: CivilDate) -> Bool {
        from <= date && (until.map { date < $0 } ?? true)
    }

    /// Whether the person was insured on any day of fiscal year `fy`.
    public func overlaps(_ fy: FiscalYear) -> Bool {
        from <= fy.lastDay && (until.map { $0 > fy.firstDay } ?? true)
    }
}
