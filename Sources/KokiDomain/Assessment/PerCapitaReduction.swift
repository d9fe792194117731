/// A reduction of the per-capita amount (均等割軽減): 7割, 5割, 2割 or none.
public enum PerCapitaReduction: Int, Hashable, Sendable, Codable, Comparable, CaseIterable, CustomStringConvertible {
    // Stored by declaration order (StoredCase): add cases at the end only.
    case none = 0
    case twoTenths = 2
    case fiveTenths = 5
    case sevenTenths = 7

    public var rate: Rate { Rate(Int64(rawValue), per: 10) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { self == .none ? "none" : "\(rawValue)割" }
}
