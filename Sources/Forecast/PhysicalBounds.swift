import Foundation

/// What a series' history says its forecasts may not do: go negative when it never was (load, PV), or be
/// anything but zero at a time of day when it was zero on every recent day (PV at night). Learned from the
/// history a model was fitted on and applied to every model's forecast (point and interval), so that no
/// forecaster has to know about it.
public struct PhysicalBounds: Codable, Sendable, Equatable {
    /// Every observation of the history was >= 0.
    public var nonNegative: Bool
    /// One flag per time of day, indexed by forecast step modulo the observations per day (step 0 is the first
    /// observation after the history): zero on each of the last ``recentDays`` days. Empty when no slot is dark
    /// (or the history has a negative value, or fewer than three whole days).
    public var darkSlots: [Bool]

    /// Days of history that decide darkness (at most; fewer when the history is shorter).
    public static let recentDays = 14

    /// No bounds (a series with negative values, or too short to tell).
    public static let none = PhysicalBounds(nonNegative: false, darkSlots: [])

    public init(nonNegative: Bool, darkSlots: [Bool]) {
        self.nonNegative = nonNegative
        self.darkSlots = darkSlots
    }

    /// The bounds of `history`: non-negative when every value is; a slot is dark when it was exactly zero on each
    /// of the last min(14, whole days) days, with at least three days seen and at least one slot not dark.
    public init(history: TimeSeries) {
        let x = history.values
        nonNegative = !x.isEmpty && x.allSatisfy { $0 >= 0 }
        darkSlots = []
        let day = history.periodsPerDay
        let days = min(Self.recentDays, x.count / max(1, day))
        guard nonNegative, day > 1, days >= 3 else { return }
        let slots = (0..<day).map { s in (1...days).allSatisfy { x[x.count - $0 * day + s] == 0 } }
        if slots.contains(true), slots.contains(false) { darkSlots = slots }
    }

    /// Whether forecast step `h` (0: the first observation after the history) falls in a dark slot.
    public func isDark(step h: Int) -> Bool { !darkSlots.isEmpty && darkSlots[h % darkSlots.count] }

    /// `f` with negative values raised to 0 (point and both ends) when the series is non-negative, and all three
    /// set to 0 in dark slots.
    public func apply(_ f: Forecast) -> Forecast {
        guard nonNegative else { return f }
        var g = f
        for h in g.point.indices {
            if isDark(step: h) {
                (g.point[h], g.lower[h], g.upper[h]) = (0, 0, 0)
            } else {
                g.point[h] = max(0, g.point[h])
                g.lower[h] = max(0, g.lower[h])
                g.upper[h] = max(g.point[h], g.upper[h])
            }
        }
        return g
    }
}
