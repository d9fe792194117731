import KokiDomain

/// An enum stored by its declaration index (``BinaryWriter/writeCase(_:)``). `storedCases` is
/// `allCases` kept once: a synthesized `allCases` builds a new array on every call, which made
/// each decoded case an allocation. Such an enum may only ever grow at the end.
public protocol StoredCase: BinaryCodable, Equatable {
    static var storedCases: [Self] { get }
}

extension StoredCase {
    public func encode(to writer: inout BinaryWriter) { writer.writeCase(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readCase(Self.self) }
}

extension Charge: StoredCase { public static let storedCases = allCases }
extension PerCapitaReduction: StoredCase { public static let storedCases = allCases }
extension CollectionMethod: StoredCase { public static let storedCases = allCases }
extension RefundInterest.Cause: StoredCase { public static let storedCases = allCases }
extension LossReason: StoredCase { public static let storedCases = allCases }
extension AcquisitionReason: StoredCase { public static let storedCases = allCases }
extension PremiumAssessed.Reason: StoredCase { public static let storedCases = allCases }
extension ContactMethod: StoredCase { public static let storedCases = allCases }
extension ContactRecorded.Change: StoredCase { public static let storedCases = allCases }
extension ArrearsRunRecorded.Kind: StoredCase { public static let storedCases = allCases }
extension WrittenOff.Reason: StoredCase { public static let storedCases = allCases }
extension InstallmentPlanRecorded.Change: StoredCase { public static let storedCases = allCases }
extension SeizureRecorded.Change: StoredCase { public static let storedCases = allCases }
extension CollectionFileRecorded.Kind: StoredCase { public static let storedCases = allCases }
extension Role: StoredCase { public static let storedCases = allCases }
extension AccessFunction: StoredCase { public static let storedCases = allCases }
extension OperatorState: StoredCase { public static let storedCases = allCases }
extension LateFee.Relief.Share: StoredCase { public static let storedCases = allCases }
