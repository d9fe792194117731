import Foundation
import KokiDomain

/// Today's date in Japan (UTC+9), read once at the edge (a door's clock): calculations take it as
/// an argument.
public func todayInJapan() -> CivilDate {
    let seconds = Int(Date().timeIntervalSince1970) + 9 * 3600
    return try! CivilDate(daysSinceEpoch: seconds.quotientAndRemainder(dividingBy: 86_400).quotient)
}
