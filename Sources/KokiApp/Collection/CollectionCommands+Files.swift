import Crypto
import Foundation
import KokiDomain
import KokiEvents
import KokiInterchange
import KokiProjections
import KokiReadModels
import LedgerStore

/// Interchange files: bank-debit requests and results (全銀 type 91), convenience-store payment
/// files, pension deduction results. An import is one command — every payment, failure and
/// report in a file is appended together or not at all — keyed by the file's digest, so the
/// same file never pays twice; a file that is wrong anywhere is refused with the line and byte.
extension CollectionCommands {
    /// The city as originator of bank debits (委託者): its bank-assigned code and name, and the
    /// account where debited money lands. A JSON file staff keep beside the ledger.
    public struct Originator: Hashable, Sendable, Codable {
        public var code: String
        public var name: String
        public var bankCode: String
        public var bankName: String?
        public var branchCode: String
        public var branchName: String?
        public var accountType: Int
        public var accountNumber: String

        public init(
            code: String, name: String, bankCode: String, bankName: String? = nil, branchCode: String,
            branchName: String? = nil, accountType: Int, accountNumber: String
        ) {
            self.code = code
            self.name = name
            self.bankCode = bankCode
            self.bankName = bankName
            self.branchCode = branchCode
            self.branchName = branchName
            self.accountType = accountType
            self.accountNumber = accountNumber
        }
    }

    /// What an import did, for the operator.
    public struct ImportSummary: Sendable, Hashable, Codable {
        public var digest = ""
        public var records = 0
        public var amount = Yen.zero
        /// Payments recorded.
        public var payments = 0
        public var paid = Yen.zero
        /// Failed debits, or preliminary convenience-store reports.
        public var other = 0
        public var duplicates: [String] = []
        public var unmatched: [String] = []
        public var stopped: [PersonID] = []
        /// Store payments of a slip a reissue (再発行) superseded: matched all the same.
        public var superseded: [String] = []
    }

    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hex
    }

    /// What an import reads besides the persons its records name: the files recorded, the
    /// unmatched list and the arrears settings — streams of their own, so an import costs the
    /// size of its file, not of the ledger.
    struct ImportScope {
        var files: [CollectionFileRecorded]
        /// Where each recorded file's event sits, by digest (a request's records are appended
        /// around it, by the same command).
        var positions: [String: Int64] = [:]
        var unmatched: [CollectionAccounts.Unmatched]
        var settings: ArrearsSettings?
        /// Each person's state as loaded, never changed: the city's own, where the process holds
        /// the city, so keeping it for every person a file names copies nothing.
        var states: [PersonID: PersonState] = [:]
        var loaded: [PersonID: Int64] = [:]
        /// The events decided for a person in this import, in order: folded into a copy of their
        /// loaded state whenever the file names them again (``CollectionCommands/state(_:in:)``),
        /// the copy dropped with the line. Keeping the changed states instead kept a copy of each
        /// account the file changed (its years of periods and payments) until the append: half a
        /// gigabyte for July's pension file at ten years of Matsudo.
        var decided: [PersonID: [KokiEvent]] = [:]

        /// Records events decided for `person` (already folded into the caller's copy, if any).
        mutating func decide(_ person: PersonID, _ events: [KokiEvent]) {
            guard !events.isEmpty else { return }
            decided[person, default: []] += events
        }
    }

    /// Only what the two streams gained since this process last read them is read and folded;
    /// a process holding the city followed them as it caught the city up, and reads neither
    /// unless it missed some of their events (see ``ImportLists``).
    func importScope() throws -> ImportScope {
        let (lists, positions) = try ledger.keptBesideCity(ledger.city.importLists, reading: readImportLists) {
            ($0.lists, $0.positions)
        }
        return ImportScope(
            files: lists.files, positions: positions, unmatched: lists.unmatched, settings: try arrearsSettings())
    }

    /// Reads what the imports' two streams gained since `cached` last took them.
    private func readImportLists(_ cached: inout ImportLists) throws {
        ledger.city.importListReads.add(1, ordering: .relaxed)
        for stream in ImportLists.streams {
            let from = (cached.versions[stream] ?? 0) + 1
            try ledger.forEachEvent(.stream(try StreamName(stream), fromVersion: from)) { view, event in
                cached.fold(event, stream: stream, version: view.streamVersion, position: view.position)
            }
        }
    }

    /// Today in Japan by the ledger's clock: no payment in a file is dated after it (beyond
    /// what ``InputLimits/Lead`` allows the file's kind).
    var today: CivilDate { InputLimits.dayInJapan(microsecondsSinceEpoch: ledger.store.now.microseconds) }

    /// A person's state within an import, with what the import decided for them so far: loaded
    /// once and kept as loaded, the events decided since folded into a copy of it
    /// (``ImportScope/decided``). A process holding the city in memory (the simulation, the
    /// server) takes it from the city, as its runs do, rather than reading the person's stream
    /// for each person a file names.
    func state(_ person: PersonID, in scope: inout ImportScope) throws -> PersonState {
        if let loaded = scope.states[person] {
            guard let decided = scope.decided[person] else { return loaded }
            var state = loaded
            for event in decided { state.apply(event) }
            return state
        }
        // A city held in memory is caught up for the import's first person: an import appends
        // only at its end, so the persons after need no catching up each.
        var state = try ledger.currentState(of: person, catchingUp: scope.loaded.isEmpty)
        state.settings = scope.settings
        scope.loaded[person] = state.version
        scope.states[person] = state
        return state
    }

    /// Money a file pays to a person it loaded (`state`, the caller's copy): the events
    /// ``PersonState/receive(_:)`` decides, recorded in `scope` (``ImportScope/decide(_:_:)``).
    /// Where it can make no late fee final (``PersonState/mayFinalizeLateFees(_:)``), the
    /// payment is all there is to record and `state` is left as it was; otherwise they are
    /// folded into `state` at once.
    func receive(_ payment: PaymentReceived, _ state: inout PersonState, in scope: inout ImportScope)
        -> [KokiEvent]
    {
        let events = state.mayFinalizeLateFees(payment) ? state.receive(payment) : [.paymentReceived(payment)]
        scope.decide(state.person, events)
        return events
    }

    func refuseIfImported(_ digest: String, _ scope: ImportScope, name: String) throws {
        // Every recorded file has its position by digest: a new file is told in one lookup, not
        // by going through the city's years of files.
        guard scope.positions[digest] != nil else { return }
        if let earlier = scope.files.first(where: { $0.digest == digest }) {
            if earlier.kind == .debitRequest {
                throw KokiError(
                    .invalidInput,
                    "\(name) is the debit request koki wrote for \(earlier.date) (\(earlier.records) records), not a file to import: nothing appended"
                )
            }
            if [.pensionRequest, .pensionNotice, .mandateRequest].contains(earlier.kind) {
                throw KokiError(
                    .invalidInput,
                    "\(name) is the \(earlier.kind.rawValue) koki wrote on \(earlier.date) (\(earlier.records) records), not a file to import: nothing appended"
                )
            }
            throw KokiError(
                .invalidInput,
                "\(name) was already imported (\(earlier.kind.rawValue) of \(earlier.date), \(earlier.records) records): nothing appended"
            )
        }
    }

    @discardableResult
    func appendImport(
        _ events: [KokiEvent], versions: [PersonID: Int64], digest: String, kind: CollectionFileRecorded.Kind,
        actor: String
    ) throws -> AppendResult {
        var expecting: [PersonID: ExpectedVersion] = [:]
        for person in Set(events.compactMap(\.person)) {
            let version = versions[person] ?? 0
            expecting[person] = version == 0 ? .noStream : .exact(version)
        }
        let metadata = CommandMetadata(
            commandID: Identifier(derivedFrom: Array("\(kind.rawValue)/\(digest)".utf8)), actor: actor)
        return try ledger.record(events, metadata: metadata, expecting: expecting)
    }

    /// ``appendImport(_:versions:digest:kind:actor:)`` for a command decided on a city snapshot:
    /// every person its events name is expected at the version the snapshot read.
    func appendImport(
        _ events: [KokiEvent], city: CitySnapshot, digest: String, kind: CollectionFileRecorded.Kind, actor: String
    ) throws {
        let persons = Set(events.compactMap(\.person))
        try appendImport(
            events, versions: Dictionary(uniqueKeysWithValues: persons.map { ($0, city.version(of: $0)) }),
            digest: digest, kind: kind, actor: actor)
    }

    // MARK: - Bank debit

    /// Builds and records the debit request for a debit date: one data record per period due
    /// that day, still owing, of a person with a mandate in force and ordinary collection, not
    /// reported paid at a convenience store, and not dead before the debit date. On a year's first
    /// due date, where the year's calendar offers 全期前納 (`debitPrepayment`), a payer who chose it
    /// is asked for every ordinary period of the year still owed, each a record of its own (the
    /// periods it settles, recorded as requested). Returns the file's bytes; the periods requested
    /// and the file are recorded, and a second request for the same date is refused.
    ///
    /// A fresh process reads only the persons with a mandate recorded (the ledger's index by
    /// type) whom the stored balances show owing, each from their own stream, one at a time.
    public func exportDebit(
        on debitDate: CivilDate, originator: Originator, separator: ZenginDebitFile.LineSeparator = .crlf,
        actor: String
    ) throws -> (bytes: [UInt8], records: Int, total: Yen) {
        let scope = try importScope()
        if let earlier = scope.files.first(where: { $0.kind == .debitRequest && $0.date == debitDate }) {
            throw KokiError(
                .invalidInput,
                "a debit request for \(debitDate) was already made (\(earlier.records) records): nothing appended")
        }
        var records: [ZenginDebitFile.Record] = []
        var requested: [DebitRequested] = []
        // The years whose first due date this is and whose calendar offers 全期前納 (a year's
        // first due date falls in that year; the years around are read all the same).
        let debitYear = FiscalYear(containing: debitDate).year
        let prepaidYears = Set(
            try (debitYear - 1...debitYear + 1).compactMap { try ledger.installmentCalendar(fiscalYear: $0) }.filter {
                adopted in
                adopted.calendar.debitPrepayment
                    && adopted.calendar.dueDates(on: BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays)))
                        .first == debitDate
            }.map(\.calendar.fiscalYear))
        var versions: [PersonID: Int64] = [:]
        let (payers, stored) = try debitPayers(on: debitDate)
        let vault = try vault.opening(payers.map(\.person), in: ledger)
        for facts in payers {
            // Nobody's account is debited after their recorded death: the bank freezes it, and the
            // heirs pay what is still owed (相続による納付義務の承継) by slip.
            if let died = facts.died, died < debitDate { continue }
            let mandate = facts.mandate
            let prepays = facts.prepayment.map { $0 <= debitDate } == true
            for (key, period) in facts.owing {
                let prepaid =
                    prepays && period.dueDate > debitDate && prepaidYears.contains(key.fiscalYear.year)
                guard period.dueDate == debitDate || prepaid else { continue }
                // A period deferred (徴収猶予) on its due date is paid when the deferment ends.
                guard facts.collectedByDebit(key) else { continue }
                let person = facts.person
                guard let bank = try vault.openAccount(mandate.account, for: person) else { continue }  // erased
                let customer = try SlipNumber(person: person, key: key).description
                // 新規コード 1: the first debit under this mandate.
                let first = facts.lastRequested.map { $0 >= mandate.startsOn } != true
                records.append(
                    ZenginDebitFile.Record(
                        bankCode: bank.bankCode, branchCode: bank.branchCode, accountType: bank.accountType,
                        accountNumber: bank.accountNumber, holderName: bank.holderKana, amount: period.outstanding,
                        newCode: first ? 1 : 0, customerNumber: customer))
                requested.append(
                    DebitRequested(
                        person: person, key: key, amount: period.outstanding, debitDate: debitDate,
                        customerNumber: customer, file: ""))
                versions[person] = facts.version
            }
        }
        let file = ZenginDebitFile(
            header: .init(
                originatorCode: originator.code, originatorName: originator.name, debitMonth: debitDate.month,
                debitDay: debitDate.day, bankCode: originator.bankCode, bankName: originator.bankName ?? "",
                branchCode: originator.branchCode, branchName: originator.branchName ?? "",
                accountType: originator.accountType, accountNumber: originator.accountNumber),
            records: records)
        let bytes: [UInt8]
        do { bytes = try file.encoded(separator: separator) } catch {
            throw KokiError(.invalidInput, "debit request: \(error)")
        }
        let digest = Self.digest(bytes)
        let events: [KokiEvent] =
            requested.map { r in
                var r = r
                r.file = digest
                return .debitRequested(r)
            } + [
                .collectionFileRecorded(
                    CollectionFileRecorded(
                        kind: .debitRequest, digest: digest, name: "debit-\(debitDate)", date: debitDate,
                        records: records.count, amount: file.total, accepted: records.count, other: 0, duplicates: 0,
                        unmatched: 0))
            ]
        // A person may have several periods requested (two years' due the same day, 全期前納).
        let appended = try appendImport(events, versions: versions, digest: digest, kind: .debitRequest, actor: actor)
        if let stored {
            // The request's own events written into the stored states it read, so the next request
            // reads them as they stand rather than catching up this one. The request is recorded
            // already: should this fail, the next reader catches up as ever.
            var own: [PersonID: [KokiEvent]] = [:]
            for event in events { if let person = event.person { own[person, default: []].append(event) } }
            _ = try? StoredDebits(ledger.ports).advance(
                stored.states, readAt: stored.position, appended: appended, events: own)
        }
        return (bytes, records.count, file.total)
    }

    /// Imports a bank's result file: code 0 is a payment dated the debit date; codes 1–9 a
    /// failed debit. It must be a result — its trailer's 振替済 and 振替不能 counts and amounts
    /// equal its records (a request sent back, whatever its line endings, has zeros there) —
    /// and answer the request of that debit date exactly: every record matches a requested one
    /// (customer number and amount), and every requested record is there, once. The whole file
    /// is refused (nothing appended) at the first problem, named by line, byte and field.
    public func importDebitResult(_ bytes: [UInt8], name: String, learnedOn: CivilDate, actor: String) throws
        -> ImportSummary
    {
        var scope = try importScope()
        let file: ZenginDebitFile
        do { file = try ZenginDebitFile.parse(bytes, as: .result) } catch {
            var message = "\(name): \(error)"
            if let request = ownRequest(bytes, scope) {
                message += " — this is the debit request koki wrote for \(request.date), not the bank's result"
            }
            throw KokiError(.invalidInput, message + ": nothing appended")
        }
        let digest = Self.digest(bytes)
        try refuseIfImported(digest, scope, name: name)
        if let request = ownRequest(bytes, scope) {
            throw KokiError(
                .invalidInput,
                "\(name): this is the debit request koki wrote for \(request.date) (line endings aside), not the bank's result: nothing appended"
            )
        }
        // The debit date: the latest requested date with the header's month and day.
        let requests = scope.files.filter {
            $0.kind == .debitRequest && $0.date.month == file.header.debitMonth && $0.date.day == file.header.debitDay
        }
        guard let request = requests.max(by: { $0.date < $1.date }) else {
            throw KokiError(
                .invalidInput,
                "\(name): line 1, byte 55: no debit request was made for \(String(format: "%02d-%02d", file.header.debitMonth, file.header.debitDay))"
            )
        }
        let debitDate = request.date
        guard learnedOn >= debitDate else {
            throw KokiError(
                .invalidInput,
                "\(name): learned of on \(learnedOn), before its debit date \(debitDate): a bank's result comes after the debit: nothing appended"
            )
        }
        if let earlier = scope.files.first(where: { $0.kind == .debitResult && $0.date == debitDate }) {
            throw KokiError(
                .invalidInput,
                "\(name): the result for the debit of \(debitDate) was already imported (\(earlier.name)): nothing appended"
            )
        }
        var summary = ImportSummary(digest: digest, records: file.records.count, amount: file.total)
        var events: [KokiEvent] = []
        var seen = Set<String>()
        for (index, record) in file.records.enumerated() {
            let line = index + 2
            // The customer number names the person and period: their stream holds the request.
            // Their state is taken once for the line (with what earlier lines decided for them).
            let payer = try SlipNumber(record.customerNumber).map { try self.state($0.person, in: &scope) }
            let request = payer?.account.debitRequests.last {
                $0.debitDate == debitDate && $0.customerNumber == record.customerNumber
            }
            guard let request else {
                throw KokiError(
                    .invalidInput,
                    "\(name): line \(line), byte 92: customer number \(record.customerNumber) matches no request of \(debitDate)"
                )
            }
            guard seen.insert(record.customerNumber).inserted else {
                throw KokiError(
                    .invalidInput,
                    "\(name): line \(line), byte 92: customer number \(record.customerNumber) appears twice")
            }
            guard record.amount == request.amount else {
                throw KokiError(
                    .invalidInput,
                    "\(name): line \(line), byte 81: amount \(record.amount.amount) but \(request.amount.amount) was requested"
                )
            }
            if record.resultCode == 0, var state = payer {
                let payment = Self.payment(
                    id: "b\(digest.prefix(8))-\(line)", state: state, channel: .bankDebit, paidOn: debitDate,
                    learnedOn: learnedOn, amount: record.amount, slip: request.key,
                    reference: "debit:\(digest.prefix(12)):\(line)")
                events += receive(payment, &state, in: &scope)
                summary.payments += 1
                summary.paid += record.amount
            } else {
                events.append(
                    .debitFailed(
                        DebitFailed(
                            person: request.person, key: request.key, amount: record.amount, debitDate: debitDate,
                            resultCode: record.resultCode, file: digest)))
                summary.other += 1
            }
        }
        // Every requested record must be answered: a result missing one would leave that
        // person's debit unknown for good (a second result for the date is refused).
        let answered = Set(file.records.map(\.customerNumber))
        let missing = try requestedDebits(request, scope).filter { !answered.contains($0.customerNumber) }
        if !missing.isEmpty {
            let trailer = file.records.count + 2
            let named = missing.prefix(5).map {
                "\($0.customerNumber) (\($0.person), FY\($0.key.fiscalYear.year) period \($0.key.period.number), \($0.amount.amount) yen)"
            }.joined(separator: ", ")
            throw KokiError(
                .invalidInput,
                "\(name): line \(trailer), byte 2: 合計件数 \(file.records.count) but the request of \(debitDate) asked for \(request.records) debits; no record answers 顧客番号 \(named)\(missing.count > 5 ? " and \(missing.count - 5) more" : ""): nothing appended"
            )
        }
        events.append(
            .collectionFileRecorded(
                CollectionFileRecorded(
                    kind: .debitResult, digest: digest, name: name, date: debitDate, records: file.records.count,
                    amount: file.total, accepted: summary.payments, other: summary.other, duplicates: 0, unmatched: 0)))
        try appendImport(events, versions: scope.loaded, digest: digest, kind: .debitResult, actor: actor)
        return summary
    }

    /// The recorded request whose bytes these are, once line endings are set aside: a file that
    /// reads as a request (its trailer's 振替済 / 振替不能 zero — a bank's result never), written
    /// again with each separator and compared by digest.
    func ownRequest(_ bytes: [UInt8], _ scope: ImportScope) -> CollectionFileRecorded? {
        guard let parsed = try? ZenginDebitFile.parse(bytes, as: .request) else { return nil }
        let digests = Set(
            ZenginDebitFile.LineSeparator.allCases.compactMap { separator in
                (try? parsed.encoded(separator: separator)).map(Self.digest)
            } + [Self.digest(bytes)])
        return scope.files.first { $0.kind == .debitRequest && digests.contains($0.digest) }
    }

    /// The records of a recorded debit request: its command appended them with its file record,
    /// so they sit within as many positions of it as the request has records.
    func requestedDebits(_ request: CollectionFileRecorded, _ scope: ImportScope) throws -> [DebitRequested] {
        guard let position = scope.positions[request.digest] else { return [] }
        var query = EventQuery.from(position: max(1, position - Int64(request.records)))
        query.throughPosition = position + Int64(request.records)
        query.types = [DebitRequested.eventType]
        query.readsEnvelopes = false
        var requested: [DebitRequested] = []
        try ledger.forEachEvent(query) { _, event in
            if case .debitRequested(let e) = event, e.file == request.digest { requested.append(e) }
        }
        return requested
    }

    // MARK: - Convenience stores

    /// The barcode of a slip for a person's period: the amount still owed (or `amount`), the
    /// due date (or `deadline`) as the payment deadline, and the reissue count (再発行).
    public func slipBarcode(
        _ person: PersonID, key: PeriodKey, issuer: String, reissue: Int = 0, deadline: CivilDate? = nil,
        amount: Yen? = nil
    ) throws -> ConvenienceBarcode {
        let state = try load(person)
        guard let period = state.account.periods[key] else {
            throw KokiError(.invalidInput, "\(person) has no period \(key.period.number) in FY\(key.fiscalYear.year)")
        }
        let owed = amount ?? period.outstanding
        guard owed > .zero else { throw KokiError(.invalidInput, "\(person) owes nothing on \(key)") }
        do {
            return try ConvenienceBarcode(
                issuer: issuer, slip: try SlipNumber(person: person, key: key), reissue: reissue,
                deadline: deadline ?? period.dueDate, amount: owed)
        } catch { throw KokiError(.invalidInput, error.message) }
    }

    /// Imports a convenience-store file: a preliminary record (速報) is recorded as money
    /// expected; a final record (確報) as a payment (with or without a preliminary one); a record
    /// already imported — earlier in the file or in an earlier file — is ignored and reported;
    /// a final record whose slip names no assessed period is unmatched money, listed. Refused
    /// whole: what ``ConvenienceFile/parse(_:paidOn:)`` refuses (payments dated before the
    /// system's start or after the day the file arrived or today), and a barcode whose amount
    /// koki never issued for its slip (see ``refuseUnissued(_:_:name:)``).
    public func importConvenience(_ bytes: [UInt8], name: String, learnedOn: CivilDate, actor: String) throws
        -> ImportSummary
    {
        let file: ConvenienceFile
        let window = InputLimits.paymentDates(
            learnedOn: learnedOn, today: today, leadDays: InputLimits.Lead.storePayment)
        do { file = try ConvenienceFile.parse(bytes, paidOn: window) } catch {
            throw KokiError(.invalidInput, "\(name): \(error): nothing appended")
        }
        var scope = try importScope()
        let digest = Self.digest(bytes)
        try refuseIfImported(digest, scope, name: name)
        var summary = ImportSummary(digest: digest, records: file.records.count)
        var events: [KokiEvent] = []
        var seenReports = Set<String>()
        var seenFinals = Set<String>()
        var seenUnmatched = Set(scope.unmatched.map(\.event.reference))
        // The references this file gives, by person: only these are ever looked for among what
        // was recorded before (a reference names its slip, so its person).
        var references: [PersonID: [String]] = [:]
        for record in file.records {
            references[record.barcode.slip.person, default: []].append(
                ConveniencePaymentReported.reference(barcode: record.barcodeText, paidOn: record.paidOn))
        }
        for record in file.records {
            let barcode = record.barcode
            let reference = ConveniencePaymentReported.reference(barcode: record.barcodeText, paidOn: record.paidOn)
            summary.amount += barcode.amount
            let person = barcode.slip.person
            let key = barcode.slip.key
            if scope.states[person] == nil {
                // What the person's stream already holds from stores, to recognise repeats: of
                // years of reports and payments, only those this file gives again are kept.
                let loaded = try state(person, in: &scope)
                let given = references[person] ?? []
                for r in loaded.account.reports where given.contains(r.reference) { seenReports.insert(r.reference) }
                // Each reference asked of the account's store payments by its tag: a new record's
                // reads none of years of payments.
                for reference in given where loaded.account.hasStorePayment(reference) {
                    seenFinals.insert(reference)
                }
            }
            var state = try self.state(person, in: &scope)
            let matched = state.account.periods[key] != nil
            if matched { try refuseUnissued(record, state, name: name) }
            switch record.kind {
            case .preliminary:
                guard seenReports.insert(reference).inserted, !seenFinals.contains(reference) else {
                    summary.duplicates.append("line \(record.line): preliminary \(barcode.slip) of \(record.paidOn)")
                    continue
                }
                guard matched else {
                    summary.unmatched.append(
                        "line \(record.line): preliminary for \(barcode.slip), which names no assessed period")
                    continue
                }
                let event = ConveniencePaymentReported(
                    person: person, key: key, amount: barcode.amount, paidOn: record.paidOn, reportedOn: learnedOn,
                    store: record.store, barcode: record.barcodeText)
                scope.decide(person, [.conveniencePaymentReported(event)])
                events.append(.conveniencePaymentReported(event))
                summary.other += 1
            case .final:
                guard seenFinals.insert(reference).inserted, !seenUnmatched.contains(reference) else {
                    summary.duplicates.append("line \(record.line): final \(barcode.slip) of \(record.paidOn)")
                    continue
                }
                guard matched else {
                    seenUnmatched.insert(reference)
                    events.append(
                        .unmatchedPaymentRecorded(
                            UnmatchedPaymentRecorded(
                                id: "u\(digest.prefix(8))-\(record.line)", channel: .convenienceStore,
                                amount: barcode.amount, paidOn: record.paidOn, learnedOn: learnedOn,
                                reference: reference,
                                reason: "slip \(barcode.slip) names no assessed period")))
                    summary.unmatched.append(
                        "line \(record.line): \(barcode.amount.amount) on slip \(barcode.slip), listed as unmatched")
                    continue
                }
                let payment = Self.payment(
                    id: "c\(digest.prefix(8))-\(record.line)", state: state, channel: .convenienceStore,
                    paidOn: record.paidOn, learnedOn: learnedOn, amount: barcode.amount, slip: barcode.plan ? nil : key,
                    reference: reference
                )
                events += receive(payment, &state, in: &scope)
                summary.payments += 1
                summary.paid += barcode.amount
                if !barcode.plan,
                    let latest = state.account.slipReissues.filter({ $0.key == key }).max(by: { $0.count < $1.count }),
                    barcode.reissue < latest.count
                {
                    summary.superseded.append(
                        "line \(record.line): slip \(barcode.slip) (再発行区分 \(barcode.reissue)) paid, superseded by "
                            + "reissue \(latest.count) of \(latest.issuedOn): matched")
                }
            }
        }
        events.append(
            .collectionFileRecorded(
                CollectionFileRecorded(
                    kind: .convenienceStore, digest: digest, name: name, date: learnedOn, records: file.records.count,
                    amount: summary.amount, accepted: summary.payments, other: summary.other,
                    duplicates: summary.duplicates.count, unmatched: summary.unmatched.count)))
        try appendImport(events, versions: scope.loaded, digest: digest, kind: .convenienceStore, actor: actor)
        return summary
    }

    /// Refuses a barcode koki never issued for its assessed period: a period's slip (a payment
    /// notice, a dunning notice, `konbini slip`) carries at most the most ever assessed for the
    /// period; an installment-plan slip one of the payments scheduled by a plan of the person
    /// that starts at that period.
    func refuseUnissued(_ record: ConvenienceFile.Record, _ state: PersonState, name: String) throws {
        let barcode = record.barcode
        let key = barcode.slip.key
        let at =
            "\(name): line \(record.line), byte \(record.barcodeColumn + 37): barcode amount \(barcode.amount.amount)"
        if barcode.plan {
            let plans = state.account.plans.filter { $0.periods.first == key }
            guard plans.contains(where: { $0.schedule.contains { $0.amount == barcode.amount } }) else {
                throw KokiError(
                    .invalidInput,
                    "\(at) is no payment of an installment plan of \(barcode.slip.person) from FY\(key.fiscalYear.year) period \(key.period.number): koki never issued this slip: nothing appended"
                )
            }
        } else {
            let most = state.largestAssessed(key) ?? state.account.periods[key]?.assessed ?? .zero
            guard barcode.amount <= most else {
                throw KokiError(
                    .invalidInput,
                    "\(at) is more than was ever assessed for \(barcode.slip.person)'s FY\(key.fiscalYear.year) period \(key.period.number) (\(most.amount) yen): koki never issued this slip: nothing appended"
                )
            }
        }
    }

    /// Preliminary convenience-store reports with no final record `days` days after payment.
    public func pendingConvenience(on date: CivilDate, olderThan days: Int) throws -> [ConveniencePaymentReported] {
        // A fresh process reads only the persons with a preliminary report recorded (by type).
        let found = try candidates(
            { !$0.pendingReports.isEmpty }, balances: nil, types: [ConveniencePaymentReported.eventType])
        return try found.persons.flatMap { person in
            (try found.state(person)?.account.pendingReports ?? []).filter { $0.paidOn.days(until: date) > days }
        }
    }

    // MARK: - Pension deduction

    /// Imports pension deduction results: each deduction is a payment of the pension month's
    /// period; a `stopped` line records that deduction stopped and moves the rest of the year to
    /// ordinary collection — a new schedule (same annual amount) keeping the months deducted
    /// and spreading the rest over the ordinary calendar's periods after `learnedOn`.
    ///
    /// A deduction is identified by person, fiscal year, pension day (paid_on) and amount, a stop
    /// by person, fiscal year and month: one already recorded — earlier in the file or from an
    /// earlier file, and not cancelled — is ignored and reported as a duplicate, as the store
    /// import does. Refused whole: what ``PensionDeductionFile/parse(_:deductedOn:stoppedFrom:)``
    /// refuses, and a deduction larger than was ever assessed for its period.
    public func importPension(_ bytes: [UInt8], name: String, learnedOn: CivilDate, actor: String) throws
        -> ImportSummary
    {
        let file: PensionDeductionFile
        let today = today
        do {
            file = try PensionDeductionFile.parse(
                bytes,
                deductedOn: InputLimits.paymentDates(
                    learnedOn: learnedOn, today: today, leadDays: InputLimits.Lead.pensionDeduction),
                stoppedFrom: InputLimits.Dates(
                    from: InputLimits.systemStart,
                    through: InputLimits.latest(today: today, leadDays: InputLimits.Lead.pensionStop)))
        } catch {
            throw KokiError(.invalidInput, "\(name): \(error): nothing appended")
        }
        var scope = try importScope()
        let digest = Self.digest(bytes)
        try refuseIfImported(digest, scope, name: name)
        var summary = ImportSummary(digest: digest, records: file.records.count)
        var events: [KokiEvent] = []
        var calendars: [Int: InstallmentCalendarAdopted] = [:]
        for r in file.records {
            func refuse(_ why: String) -> KokiError {
                KokiError(.invalidInput, "\(name): line \(r.line): \(why): nothing appended")
            }
            var state = try state(r.person, in: &scope)
            if let earlier = recordedPension(r, state) {
                summary.duplicates.append("line \(r.line): \(earlier)")
                continue
            }
            guard let assessed = state.assessment(r.fiscalYear) else {
                throw refuse("\(r.person) has no FY\(r.fiscalYear.year) assessment")
            }
            // A month still deducted from the pension: a stop the city told may be followed by the
            // insurer's report of an earlier month it could not deduct (the pension ended at death).
            guard let installment = assessed.pensionInstallments.first(where: { $0.dueDate.month == r.month }) else {
                throw refuse("\(r.person) has no pension deduction in month \(r.month) of FY\(r.fiscalYear.year)")
            }
            let key = PeriodKey(r.fiscalYear, installment.period)
            switch r.status {
            case .deducted:
                // The insurer deducts what it was told, which may be more than the month now asks
                // (a decrease decided too late to tell): the excess is overpaid and refunded.
                let told = state.entry?.pensionTold(of: r.fiscalYear.year, month: r.month) ?? .zero
                let most = max(state.largestAssessed(key) ?? installment.amount, told)
                guard r.amount <= most else {
                    throw refuse(
                        "amount \(r.amount.amount) is more than was ever assessed for \(r.person)'s FY\(r.fiscalYear.year) period \(key.period.number) or told to the insurer (\(most.amount) yen)"
                    )
                }
                summary.amount += r.amount
                let payment = Self.payment(
                    id: "n\(digest.prefix(8))-\(r.line)", state: state, channel: .pensionDeduction, paidOn: r.paidOn,
                    learnedOn: learnedOn, amount: r.amount, slip: key,
                    reference: "pension:\(digest.prefix(12)):\(r.line)")
                events += receive(payment, &state, in: &scope)
                summary.payments += 1
                summary.paid += r.amount
            case .stopped:
                if calendars[r.fiscalYear.year] == nil {
                    try ledger.forEachEvent(.stream(try StreamName("config/calendar/\(r.fiscalYear.year)"))) {
                        _, event in
                        if case .installmentCalendarAdopted(let e) = event { calendars[r.fiscalYear.year] = e }
                    }
                }
                guard let adopted = calendars[r.fiscalYear.year] else {
                    throw refuse("no installment calendar adopted for FY\(r.fiscalYear.year)")
                }
                let (stop, event) = try AssessmentCommands.stopPension(
                    assessed, from: installment.dueDate, decidedOn: learnedOn,
                    reason: "pension deduction stopped from month \(r.month)", calendar: adopted.calendar,
                    business: BusinessCalendar(extraClosedDays: Set(adopted.extraClosedDays)))
                scope.decide(r.person, [.pensionDeductionStopped(stop), .premiumAssessed(event)])
                events += [.pensionDeductionStopped(stop), .premiumAssessed(event)]
                summary.stopped.append(r.person)
            }
        }
        events.append(
            .collectionFileRecorded(
                CollectionFileRecorded(
                    kind: .pensionDeduction, digest: digest, name: name, date: learnedOn, records: file.records.count,
                    amount: summary.amount, accepted: summary.payments, other: summary.stopped.count,
                    duplicates: summary.duplicates.count, unmatched: 0)))
        try appendImport(events, versions: scope.loaded, digest: digest, kind: .pensionDeduction, actor: actor)
        return summary
    }

    /// What already records this line, if anything: a pension deduction of the person, fiscal
    /// year, pension day and amount not cancelled, or a stop of the person's deduction from that
    /// month of the fiscal year.
    func recordedPension(_ r: PensionDeductionFile.Record, _ state: PersonState) -> String? {
        switch r.status {
        case .deducted:
            // Asked of the payments' tags first: reading years of payments for every row of the
            // insurer's file costs more than the import.
            let same = state.account.payments.hasPensionDeduction(
                paidOn: r.paidOn, amount: r.amount, fiscalYear: r.fiscalYear)
            return same
                ? "deduction of \(r.amount.amount) yen from \(r.person)'s pension on \(r.paidOn) (FY\(r.fiscalYear.year)), recorded already"
                : nil
        case .stopped:
            let same = state.account.pensionStops.contains {
                $0.fiscalYear == r.fiscalYear && $0.stoppedFrom.month == r.month
            }
            return same
                ? "stop of \(r.person)'s deduction from month \(r.month) of FY\(r.fiscalYear.year), recorded already"
                : nil
        }
    }
}
