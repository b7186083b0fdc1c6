import Foundation

/// What a series' history says its forecasts may not do: go negative when it never was (load, PV), or be
/// anything but zero at a time of day when it was zero on every recent day (PV at night). Learned from the
/// history a model was fitted on and applied to every model's forecast (point and interval), so that no
/// forecaster has to know about it.
public struct PhysicalBounds: Codable, Sendable, Equatable {
    /// Every observation of the history was >= 0.
    public var nonNegative: Bool
    /// One flag per time of day, indexed by forecast step modulo the observations per day (step 0 is the first
    /// observation after the history): zero (or the ``floor``) on each of the last ``recentDays`` days. Empty when
    /// no slot is dark (or the history has a negative value other than a standby floor, or fewer than three whole
    /// days).
    public var darkSlots: [Bool]
    /// The dark hours' value when it is not 0: a PV meter that reads its inverter's standby draw (say -0.004 kW)
    /// every night. Forecasts then never go below it and are exactly it in the dark slots. nil for 0.
    public var floor: Double?

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
    ///
    /// A series with negative values gets the same treatment when its lowest value is a small standby draw (at most
    /// 5 % of its highest value) that it held at some time of day on each of those days, not at all times of day:
    /// that value is then the ``floor``.
    public init(history: TimeSeries) {
        let x = history.values
        nonNegative = !x.isEmpty && x.allSatisfy { $0 >= 0 }
        darkSlots = []
        let day = history.periodsPerDay
        let days = min(Self.recentDays, x.count / max(1, day))
        guard day > 1, days >= 3, let low = x.min(), let high = x.max() else { return }
        let dark = nonNegative ? 0 : low
        guard nonNegative || (low < 0 && -low <= 0.05 * high) else { return }
        let slots = (0..<day).map { s in (1...days).allSatisfy { x[x.count - $0 * day + s] == dark } }
        if slots.contains(true), slots.contains(false) {
            darkSlots = slots
            if !nonNegative { floor = dark }
        }
    }

    /// Whether the series has dark hours (0, or its standby ``floor``) that forecasts are held to.
    public var hasDarkHours: Bool { !darkSlots.isEmpty && (nonNegative || floor != nil) }

    /// Whether forecast step `h` (0: the first observation after the history) falls in a dark slot.
    public func isDark(step h: Int) -> Bool { !darkSlots.isEmpty && darkSlots[h % darkSlots.count] }

    /// `f` with values below 0 (the ``floor`` for a series with a standby draw) raised to it (point and both ends)
    /// when the series is non-negative or has a floor, and all three set to it in dark slots.
    public func apply(_ f: Forecast) -> Forecast {
        guard nonNegative || floor != nil else { return f }
        let bottom = nonNegative ? 0 : floor!
        var g = f
        for h in g.point.indices {
            if isDark(step: h) {
                (g.point[h], g.lower[h], g.upper[h]) = (bottom, bottom, bottom)
            } else {
                g.point[h] = max(bottom, g.point[h])
                g.lower[h] = max(bottom, g.lower[h])
                g.upper[h] = max(g.point[h], g.upper[h])
            }
        }
        return g
    }
}
