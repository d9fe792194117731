import Foundation
import KokiDomain

/// Today's date in Japan (UTC+9), read once at the edge (a door's clock): calculations take it as
/// an argument. A system clock that reads no date koki can hold (before year 1, after 9999, not a
/// number) is an error naming it, never a trap.
public func todayInJapan() throws -> CivilDate {
    let now = Date().timeIntervalSince1970.rounded(.down)
    guard let seconds = Int(exactly: now), seconds.magnitude < 1 << 50 else {
        throw KokiError(.invalidInput, "the system clock reads \(now) s since 1970, which is no date")
    }
    let (days, rest) = (seconds + 9 * 3600).quotientAndRemainder(dividingBy: 86_400)
    do {
        return try CivilDate(daysSinceEpoch: rest < 0 ? days - 1 : days)
    } catch {
        throw KokiError(.invalidInput, "the system clock reads a day koki cannot hold: \(error.message)")
    }
}
