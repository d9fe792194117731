import KokiDomain

/// An event ready for the store: its type name, schema version and payload bytes.
public struct EncodedEvent: Sendable, Hashable {
    public var type: String
    public var schemaVersion: Int
    public var payload: [UInt8]
    /// Why the payload must not be stored (``BinaryWriter/refusal``), or `nil`.
    public var refusal: String?

    public init(type: String, schemaVersion: Int, payload: [UInt8], refusal: String? = nil) {
        (self.type, self.schemaVersion, self.payload, self.refusal) = (type, schemaVersion, payload, refusal)
    }
}

/// Maps `(type, version, bytes)` to and from ``KokiEvent`` — the single place that knows
/// which payload type and which upcaster a stored event needs.
///
/// ```swift
/// let encoded = EventRegistry.encode(.paymentReceived(payment))
/// let back = try EventRegistry.decode(type: encoded.type, version: encoded.schemaVersion, payload: encoded.payload)
/// ```
public enum EventRegistry {
    /// Decodes one stored payload into the current version of its event, given the person whose
    /// stream it is on (``streamPerson(_:)``): called as a function, `try decode(bytes, person)`.
    ///
    /// A class around the closure rather than the closure itself. A closure kept in a dictionary,
    /// an optional or a tuple is wrapped in one more reabstraction thunk at each step, and each
    /// thunk copied the decoded event (a large enum) once more: five copies an event in a
    /// rebuild's fold. A reference is kept anywhere as it is.
    public final class Decoder: Sendable {
        private let decode: @Sendable (UnsafeRawBufferPointer, PersonID?) throws -> KokiEvent

        init(_ decode: @escaping @Sendable (UnsafeRawBufferPointer, PersonID?) throws -> KokiEvent) {
            self.decode = decode
        }

        public func callAsFunction(_ bytes: UnsafeRawBufferPointer, _ person: PersonID?) throws -> KokiEvent {
            try decode(bytes, person)
        }
    }

    /// The person a stream belongs to: their account's (`person/…`) or their documents'
    /// (`documents/…`). Their events' payloads name them in one byte (``PersonID``'s stored form).
    public static func streamPerson(_ stream: String) -> PersonID? {
        if let person = PersonID(streamName: stream) { return person }
        guard stream.hasPrefix(DocumentIssued.streamPrefix) else { return nil }
        return try? PersonID(String(stream.dropFirst(DocumentIssued.streamPrefix.count)))
    }

    /// Every `(type, version)` koki can read, with the decoder that upcasts it to today's event.
    public static let registrations: [Registration] = [
        Registration(PersonRegistered.self) { .personRegistered($0) },
        Registration(PersonIdentityCorrected.self) { .personIdentityCorrected($0) },
        Registration(HouseholdMembershipRecorded.self) { .householdMembershipRecorded($0) },
        Registration(EligibilityAcquired.self) { .eligibilityAcquired($0) },
        Registration(EligibilityLost.self) { .eligibilityLost($0) },
        Registration(AddressExceptionStarted.self) { .addressExceptionStarted($0) },
        Registration(AddressExceptionEnded.self) { .addressExceptionEnded($0) },
        Registration(FormerDependantRecorded.self) { .formerDependantRecorded($0) },
        Registration(IncomeRecorded.self) { .incomeRecorded($0) },
        Registration(IncomeRecordedV1.self) { .incomeRecorded($0.upcast()) },
        Registration(IncomeInquired.self) { .incomeInquired($0) },
        Registration(PersonNumbersLinked.self) { .personNumbersLinked($0) },
        Registration(PensionFactsRecorded.self) { .pensionFactsRecorded($0) },
        Registration(ProvisionalDeductionDecided.self) { .provisionalDeductionDecided($0) },
        Registration(PensionDeductionNotified.self) { .pensionDeductionNotified($0) },
        Registration(PensionDeductionNotifiedV1.self) { .pensionDeductionNotified($0.upcast()) },
        Registration(PensionSwitchRecorded.self) { .pensionSwitchRecorded($0) },
        Registration(PremiumAssessed.self) { .premiumAssessed($0) },
        Registration(PremiumAssessedV4.self) { .premiumAssessed($0.upcast()) },
        Registration(PremiumAssessedV3.self) { .premiumAssessed($0.upcast()) },
        Registration(PremiumAssessedV2.self) { .premiumAssessed($0.upcast()) },
        Registration(PremiumAssessedV1.self) { .premiumAssessed($0.upcast()) },
        Registration(RateTableAdopted.self) { .rateTableAdopted($0) },
        Registration(InstallmentCalendarAdopted.self) { .installmentCalendarAdopted($0) },
        Registration(AssessmentRunRecorded.self) { .assessmentRunRecorded($0) },
        Registration(PaymentReceived.self) { .paymentReceived($0) },
        Registration(PaymentReceivedV1.self) { .paymentReceived($0.upcast()) },
        Registration(DunningNoticeIssued.self) { .dunningNoticeIssued($0) },
        Registration(DunningNoticeIssuedV2.self) { .dunningNoticeIssued($0.upcast()) },
        Registration(DunningNoticeIssuedV1.self) { .dunningNoticeIssued($0.upcast()) },
        Registration(PaymentCancelled.self) { .paymentCancelled($0) },
        Registration(OverpaymentRecognized.self) { .overpaymentRecognized($0) },
        Registration(OverpaymentAppropriated.self) { .overpaymentAppropriated($0) },
        Registration(RefundDecided.self) { .refundDecided($0) },
        Registration(RefundPaid.self) { .refundPaid($0) },
        Registration(RefundPrescribed.self) { .refundPrescribed($0) },
        Registration(DebitMandateStarted.self) { .debitMandateStarted($0) },
        Registration(DebitApplicationRecorded.self) { .debitApplicationRecorded($0) },
        Registration(SlipReissued.self) { .slipReissued($0) },
        Registration(DebitPrepaymentChosen.self) { .debitPrepaymentChosen($0) },
        Registration(DebitMandateStopped.self) { .debitMandateStopped($0) },
        Registration(DebitRequested.self) { .debitRequested($0) },
        Registration(DebitRequestedV1.self) { .debitRequested($0.upcast()) },
        Registration(DebitFailed.self) { .debitFailed($0) },
        Registration(ConveniencePaymentReported.self) { .conveniencePaymentReported($0) },
        Registration(PensionDeductionStopped.self) { .pensionDeductionStopped($0) },
        Registration(UnmatchedPaymentRecorded.self) { .unmatchedPaymentRecorded($0) },
        Registration(UnmatchedPaymentResolved.self) { .unmatchedPaymentResolved($0) },
        Registration(CollectionFileRecorded.self) { .collectionFileRecorded($0) },
        Registration(ArrearsSettingsAdopted.self) { .arrearsSettingsAdopted($0) },
        Registration(ArrearsRunRecorded.self) { .arrearsRunRecorded($0) },
        Registration(ReminderIssued.self) { .reminderIssued($0) },
        Registration(ContactRecorded.self) { .contactRecorded($0) },
        Registration(LateFeeFinalized.self) { .lateFeeFinalized($0) },
        Registration(ReductionDecided.self) { .reductionDecided($0) },
        Registration(WrittenOff.self) { .writtenOff($0) },
        Registration(InstallmentPlanRecorded.self) { .installmentPlanRecorded($0) },
        Registration(SeizureRecorded.self) { .seizureRecorded($0) },
        Registration(EnforcementStopped.self) { .enforcementStopped($0) },
        Registration(CollectionDeferred.self) { .collectionDeferred($0) },
        Registration(FiscalYearClosed.self) { .fiscalYearClosed($0) },
        Registration(NoticeSettingsAdopted.self) { .notice(.settingsAdopted($0)) },
        Registration(DocumentIssued.self) { .notice(.documentIssued($0)) },
        Registration(NoticeRunRecorded.self) { .notice(.runRecorded($0)) },
        Registration(CounterSettingsAdopted.self) { .counter(.settingsAdopted($0)) },
        Registration(ApplicationReceived.self) { .counter(.applicationReceived($0)) },
        Registration(ApplicationConfirmed.self) { .counter(.applicationConfirmed($0)) },
        Registration(ApplicationRejected.self) { .counter(.applicationRejected($0)) },
        Registration(CopayThresholdsAdopted.self) { .counter(.copayThresholdsAdopted($0)) },
        Registration(CopayClassDetermined.self) { .counter(.copayClassDetermined($0)) },
        Registration(CertificateIssued.self) { .counter(.certificateIssued($0)) },
        Registration(CertificateReturned.self) { .counter(.certificateReturned($0)) },
        Registration(CertificateRunRecorded.self) { .counter(.certificateRunRecorded($0)) },
        Registration(BenefitApplicationReceived.self) { .counter(.benefitApplicationReceived($0)) },
        Registration(BenefitDecided.self) { .counter(.benefitDecided($0)) },
        Registration(MyNumberRecorded.self) { .myNumberRecorded($0) },
        Registration(PersonErased.self) { .personErased($0) },
        Registration(MailRecipientRecorded.self) { .mailRecipientRecorded($0) },
        Registration(UnionDecisionRecorded.self) { .unionDecisionRecorded($0) },
        Registration(NetworkInquirySent.self) { .networkInquirySent($0) },
        Registration(OperatorEnrolled.self) { .access(.operatorEnrolled($0)) },
        Registration(OperatorEnrolledV1.self) { .access(.operatorEnrolled($0.upcast())) },
        Registration(OperatorRolesChanged.self) { .access(.operatorRolesChanged($0)) },
        Registration(OperatorStateChanged.self) { .access(.operatorStateChanged($0)) },
        Registration(OperatorPasswordSet.self) { .access(.operatorPasswordSet($0)) },
        Registration(OperatorPasswordSetV1.self) { .access(.operatorPasswordSet($0.upcast())) },
        Registration(PermissionsAdopted.self) { .access(.permissionsAdopted($0)) },
        Registration(SecuritySettingsAdopted.self) { .access(.securitySettingsAdopted($0)) },
        Registration(SessionOpened.self) { .access(.sessionOpened($0)) },
        Registration(SessionClosed.self) { .access(.sessionClosed($0)) },
        Registration(LoginFailed.self) { .access(.loginFailed($0)) },
        Registration(LoginFailedV1.self) { .access(.loginFailed($0.upcast())) },
        Registration(AccessRefused.self) { .access(.accessRefused($0)) },
        Registration(PersonalDataAccessed.self) { .access(.personalDataAccessed($0)) },
        Registration(TransferDestinationRegistered.self) { .access(.transferDestinationRegistered($0)) },
        Registration(TransferRecorded.self) { .access(.transferRecorded($0)) },
    ]

    public struct Registration: Sendable {
        public let type: String
        public let version: Int
        public let decode: Decoder

        init<P: EventPayload>(_ payload: P.Type, wrap: @escaping @Sendable (P) -> KokiEvent) {
            type = P.eventType
            version = P.schemaVersion
            decode = Decoder { bytes, person in
                var reader = BinaryReader(bytes, streamPerson: person)
                let value = try P(from: &reader)
                try reader.expectEnd()
                return wrap(value)
            }
        }
    }

    private struct Key: Hashable {
        let type: String
        let version: Int
    }

    private static let table: [Key: Decoder] = Dictionary(
        uniqueKeysWithValues: registrations.map { (Key(type: $0.type, version: $0.version), $0.decode) })

    /// The decoder for a stored `(type, version)`, or `nil` when koki does not know it. Callers
    /// that decode many events look this up once per type, not once per event.
    public static func decoder(type: String, version: Int) -> Decoder? {
        table[Key(type: type, version: version)]
    }

    /// Decodes a payload stored on `stream` (`nil`: a payload encoded without one).
    public static func decode(
        type: String, version: Int, payload: UnsafeRawBufferPointer, stream: String? = nil
    ) throws -> KokiEvent {
        guard let decode = decoder(type: type, version: version) else {
            throw CodecError.unknownType(type, version: version)
        }
        return try decode(payload, stream.flatMap(streamPerson))
    }

    public static func decode(type: String, version: Int, payload: [UInt8], stream: String? = nil) throws -> KokiEvent {
        try payload.withUnsafeBytes { try decode(type: type, version: version, payload: $0, stream: stream) }
    }

    /// Encodes an event at its current schema version, for `stream` where given: the person
    /// the stream belongs to is then named in one byte (``streamPerson(_:)``).
    public static func encode(_ event: KokiEvent, stream: String? = nil) -> EncodedEvent {
        event.visit(Encode(person: stream.flatMap(streamPerson)))
    }

    private struct Encode: PayloadVisitor {
        let person: PersonID?
        func visit<P: EventPayload>(_ payload: P) -> EncodedEvent { EventRegistry.encode(payload, streamPerson: person) }
    }

    /// Encodes one payload at its own version (tests use this to write old versions).
    public static func encode<P: EventPayload>(_ payload: P, streamPerson: PersonID? = nil) -> EncodedEvent {
        var writer = BinaryWriter(streamPerson: streamPerson)
        payload.encode(to: &writer)
        return EncodedEvent(
            type: P.eventType, schemaVersion: P.schemaVersion, payload: writer.bytes,
            refusal: writer.refusal)
    }
}
