import Foundation
import KokiDomain

/// A typed request as it is kept: its name, its layout's version and its body (JSON). An
/// application received at a counter holds its change this way (sealed with the person's key),
/// and confirming it decodes the same value and runs the same handler a door would.
public struct StoredRequest: Codable, Sendable, Hashable {
    public var name: String
    public var version: Int
    public var body: Data

    public init(name: String, version: Int, body: Data) {
        (self.name, self.version, self.body) = (name, version, body)
    }

    /// `request` as kept.
    public init<R: KokiRequest>(_ request: R) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.init(name: R.name, version: R.version, body: try encoder.encode(request))
    }

    /// The request again, from the catalogue of request types.
    public func decoded() throws -> any KokiRequest {
        guard let type = RequestCatalog.type(named: name) else {
            throw KokiError(.invalidInput, "no request `\(name)` in this koki")
        }
        guard type.version == version else {
            throw KokiError(
                .invalidInput, "`\(name)` version \(version) is not one this koki reads (it reads \(type.version))")
        }
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw KokiError(.invalidInput, "`\(name)` version \(version) does not decode: \(error)")
        }
    }

    /// The kept form: JSON. A change kept by an older koki was a command line (its words joined by
    /// NUL), which never begins with `{`.
    func text() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func parse(_ text: String) -> StoredRequest? {
        guard text.hasPrefix("{") else { return nil }
        return try? JSONDecoder().decode(StoredRequest.self, from: Data(text.utf8))
    }
}

/// The change an application carries: a typed request, or — kept by an older koki — a command
/// line, which the door that confirms it upcasts to a request once, with its own grammar.
public enum ApplicationChange: Sendable, Hashable {
    case request(StoredRequest)
    case arguments([String])

    /// The command's words.
    public var command: String {
        switch self {
        case .request(let stored): stored.name
        case .arguments(let arguments): Counter.commandWords(arguments)
        }
    }
}

/// Every typed request koki knows, by name: what a stored application or a request body decodes
/// into. A request type is listed here once.
public enum RequestCatalog {
    public static let types: [any KokiRequest.Type] = [
        RegisterPerson.self, CorrectPerson.self, LinkPerson.self, SetHousehold.self, LeaveHousehold.self,
        AcquireEligibility.self, LoseEligibility.self, StartAddressException.self, EndAddressException.self,
        RecordFormerDependant.self, RecordIncome.self, ImportIncomes.self, ImportUnionDecisions.self,
        ShowUnionDifferences.self, AdoptUnionFigure.self, SendNetworkInquiry.self, ImportNetworkAnswers.self, RecordPayment.self, CancelPayment.self, StartDebit.self,
        StopDebit.self, PayRefund.self, DecideReduction.self, AdoptSecuritySettings.self,
        // Arrears, notices
        AdoptArrearsSettings.self, ShowArrearsSettings.self, ShowArrears.self, ListDelinquents.self,
        ShowCollectionHistory.self, RunDunning.self, RunReminders.self, RunPrescription.self, CloseYear.self,
        RecordContact.self, AmendContact.self, RetractContact.self, ListContacts.self, StartSeizure.self,
        EndSeizure.self, StopEnforcement.self, EndEnforcementStop.self, GrantDeferral.self, ExtendDeferral.self,
        EndDeferral.self, AgreePlan.self, RevisePlan.self, CancelPlan.self, ShowPlans.self, CheckPlans.self,
        PlanSlips.self, AdoptNoticeSettings.self, ShowNoticeSettings.self, NoticeHistory.self,
        IssuePaymentNotices.self, IssueDunningLetters.self, IssueReminderLetters.self, IssueRefundNotices.self,
        IssueDebitStartNotices.self,
        ReissueNotice.self, IssueCertificate.self,
        // Collection
        ShowAccount.self, SettleOverpayments.self, ListOpenRefunds.self, ListUnmatched.self, RecordUnmatched.self,
        ResolveUnmatched.self, ExportDebit.self, ImportCollectionFile<DebitResultFile>.self,
        ImportCollectionFile<ConvenienceStoreFile>.self, ImportCollectionFile<PensionDeductionsFile>.self,
        ConvenienceSlip.self, PendingConvenience.self, ApplyForDebit.self, SendDebitApplications.self,
        ImportMandateAnswers.self, ReissueSlip.self, ChoosePrepayment.self, ShowRevenue.self,
        // Access, ledger
        EnrollOperator.self, ListOperators.self, SetOperatorRoles.self, SuspendOperator.self, RevokeOperator.self,
        ReinstateOperator.self, UnlockOperator.self, SetOperatorPassword.self, WhoAmI.self, ShowPermissions.self,
        GrantPermission.self, RevokePermission.self, ShowSecuritySettings.self, ReadAuditLog.self, ReviewAudit.self,
        CheckRules.self,
        RecordMyNumber.self, ShowMyNumber.self, LookUpMyNumber.self, ErasePersons.self, RunTransfer.self,
        RegisterTransferDestination.self, ListTransferDestinations.self, ShowTransferHistory.self,
        ListSentToDestination.self, ListStreams.self,
        ShowHead.self, VerifyLedger.self, WriteReplayCopy.self, ListEvents.self, ShowReadModels.self,
        RebuildReadModels.self, ShowBalances.self, WhatIfAssessments.self,
        ApplyWhatIf.self, ExplainFigures.self, AppendTestPayments.self, SleepAfterCheck.self,
        // Register, assessment, counter
        DecideProvisionalDeductions.self, NotifyPensionDeductions.self, RecordPensionSwitch.self, ListPensionSelection.self,
        SetMailRecipient.self, EndMailRecipient.self, ShowPerson.self, PersonPage.self, FindPersons.self, ShowHousehold.self, ListInsured.self,
        ListTurning75.self, ListAddressExceptions.self,
        QualifyReaching75.self, ShowIncome.self, ListIncomeInquiries.self, RecordPension.self,
        AdoptRates.self, ShowRates.self, AdoptCalendar.self, ShowCalendar.self, AssessPremiums.self, ShowPremium.self,
        ReceiveApplication.self, RejectApplication.self, ShowApplication.self, ListApplications.self,
        PendingApplications.self, ShowOffices.self, AdoptOffices.self, IssueCard.self, ReturnCertificate.self,
        ShowCertificates.self, ListUnreturned.self, RenewCertificates.self, ShowCopay.self, ShowCopayTables.self,
        AdoptCopayTables.self, ReceiveBenefit.self, DecideBenefit.self, RecordBenefitDecisions.self, OpenBenefits.self,
        ListBenefits.self,
    ]

    private static let byName: [String: any KokiRequest.Type] = Dictionary(
        types.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    public static func type(named name: String) -> (any KokiRequest.Type)? { byName[name] }
}
