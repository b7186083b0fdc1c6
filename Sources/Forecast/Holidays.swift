import DataIO
import Foundation

/// Public holidays: local dates on which demand follows a Sunday's profile rather than its weekday's.
///
/// Read from a CSV file with a `date` column (`YYYY-MM-DD`, one holiday a row; other columns such as a name are
/// ignored). The dates are days in ``timeZone`` (UTC unless told otherwise, as for the bundled national series,
/// whose `Z` stamps are local clock time).
public struct HolidayCalendar: Codable, Sendable, Equatable {
    /// The holidays, `YYYY-MM-DD`, sorted and without repeats.
    public private(set) var dates: [String]
    /// The zone whose days the dates name (an identifier such as `Europe/Paris`).
    public private(set) var timeZone: String

    /// A calendar of `dates` (`YYYY-MM-DD`) in `timeZone`; throws ``HolidayError`` on a date that is not one.
    public init(dates: [String], timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws {
        for d in dates where Self.day(d) == nil { throw HolidayError(file: "", line: 0, message: "'\(d)' is not a date (YYYY-MM-DD)") }
        self.dates = Array(Set(dates)).sorted()
        self.timeZone = ["GMT", "UTC", "Etc/UTC"].contains(timeZone.identifier) ? "UTC" : timeZone.identifier
    }

    /// Reads a holiday file: a CSV (BOM, CRLF and quoted fields as everywhere) with a `date` column, its dates
    /// days in `timeZone` (UTC when nil). Errors name the file and line.
    public static func read(_ path: String, timeZone: TimeZone? = nil) throws -> HolidayCalendar {
        try parse(table: CSVTable(contentsOf: path), file: path, timeZone: timeZone)
    }

    /// A holiday file's text (``read(_:timeZone:)``); `file` names it in errors.
    public static func parse(_ text: String, file: String, timeZone: TimeZone? = nil) throws -> HolidayCalendar {
        try parse(table: CSVTable(text: text, file: file), file: file, timeZone: timeZone)
    }

    static func parse(table: CSVTable, file path: String, timeZone: TimeZone?) throws -> HolidayCalendar {
        guard let column = table.column("date") else {
            throw HolidayError(file: path, line: 1, message: "no 'date' column (columns: \(table.header.joined(separator: ", ")))")
        }
        var dates: [String] = []
        for r in table.records {
            let text = CSVTable.trimmed(r.fields[column])
            guard Self.day(text) != nil else {
                throw HolidayError(file: path, line: r.line, message: "'\(text)' is not a date (YYYY-MM-DD)")
            }
            dates.append(text)
        }
        guard !dates.isEmpty else { throw HolidayError(file: path, line: 0, message: "no holidays (one date a row under a 'date' header)") }
        return try HolidayCalendar(dates: dates, timeZone: timeZone ?? TimeZone(identifier: "UTC")!)
    }

    /// `(year, month, day)` of a strict `YYYY-MM-DD` that names a real day, else nil.
    static func day(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return nil }
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        guard let first = c.date(from: DateComponents(year: y, month: m, day: 1)), let days = c.range(of: .day, in: .month, for: first),
            days.contains(d)
        else { return nil }
        return (y, m, d)
    }

    /// What the calendar says about each of `count` steps of `step` seconds from `start`: the local weekday
    /// (0 = Sunday ... 6 = Saturday), the step's place in its local day (0 ..< `periodsPerDay`) and whether the
    /// day is a holiday.
    func days(start: Date, step: TimeInterval, count: Int, periodsPerDay: Int) -> [HolidayDay] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let holidays = Set(dates)
        var out: [HolidayDay] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            let t = start.addingTimeInterval(Double(k) * step)
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t)
            let (y, m, d) = (c.year ?? 0, c.month ?? 0, c.day ?? 0)
            let key = String(format: "%04d-%02d-%02d", y, m, d)
            let seconds = Double((c.hour ?? 0) * 3600 + (c.minute ?? 0) * 60 + (c.second ?? 0))
            let slot = periodsPerDay <= 1 ? 0 : min(periodsPerDay - 1, max(0, Int((seconds / step).rounded(.down))))
            out.append(HolidayDay(weekday: ((c.weekday ?? 1) - 1), slot: slot, holiday: holidays.contains(key)))
        }
        return out
    }
}

/// One step's place in the calendar (``HolidayCalendar/days(start:step:count:periodsPerDay:)``).
struct HolidayDay: Sendable, Equatable {
    var weekday: Int
    var slot: Int
    var holiday: Bool
}

/// A holiday file that cannot be used: names the file and line (exit 2).
public struct HolidayError: PeerGridError, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public var kind: FailureKind { .badInput }
    public var description: String {
        file.isEmpty ? "holidays: \(message)" : line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// The ratio of a Sunday's profile to each weekday's, per step of the day: what a forecast made for an ordinary
/// weekday is multiplied by when that day is a holiday. From the last ``weeks`` non-holiday days of each weekday
/// before the end of a history; a time whose mean is not positive on either day gets ratio 1 (a series that is
/// zero or negative there, as PV at night or a net load, is left as it is).
public struct HolidayProfile: Codable, Sendable, Equatable {
    /// `ratios[w][s]`: Sunday's mean over weekday `w`'s at step `s` of the day (w = 0 is Sunday: all 1).
    public var ratios: [[Double]]

    /// Days of each weekday averaged.
    public static let weeks = 4
    /// Ratios are kept within [1 / limit, limit]: a typical Sunday is rarely under a third of a weekday.
    static let limit = 3.0

    /// The profile of `values` up to (not including) `end`, from the last ``weeks`` non-holiday days of each
    /// weekday within the eight weeks before it.
    init(values: [Double], days: [HolidayDay], end: Int, periodsPerDay: Int) {
        let slots = max(1, periodsPerDay)
        var sum = Array(repeating: Array(repeating: 0.0, count: slots), count: 7)
        var n = Array(repeating: Array(repeating: 0, count: slots), count: 7)
        let earliest = max(0, end - 8 * 7 * slots)
        var i = end - 1
        while i >= earliest {
            let d = days[i]
            if !d.holiday, n[d.weekday][d.slot] < Self.weeks, values[i].isFinite {
                sum[d.weekday][d.slot] += values[i]
                n[d.weekday][d.slot] += 1
            }
            i -= 1
        }
        let mean = (0..<7).map { w in (0..<slots).map { s in n[w][s] > 0 ? sum[w][s] / Double(n[w][s]) : .nan } }
        ratios = (0..<7).map { w in
            (0..<slots).map { s in
                let (sunday, day) = (mean[0][s], mean[w][s])
                guard w != 0, sunday > 0, day > 0, sunday.isFinite, day.isFinite else { return 1 }
                return min(Self.limit, max(1 / Self.limit, sunday / day))
            }
        }
    }

    /// The ratio for a step (1 outside the table).
    func ratio(_ d: HolidayDay) -> Double {
        guard d.weekday >= 0, d.weekday < ratios.count, d.slot >= 0, d.slot < ratios[d.weekday].count else { return 1 }
        return ratios[d.weekday][d.slot]
    }
}

/// Any forecaster, told the public holidays: holidays are forecast as Sundays, the classic rule of utility load
/// forecasting, which needs no holiday in the history to learn from.
///
/// - Fitting: each holiday in the history (other than a Sunday) is first brought to its weekday's level (divided
///   by the ``HolidayProfile`` ratio of the weeks before it), so it neither drags the weekday's pattern down nor
///   is copied forward by a seasonal model; the wrapped model is fitted on that history.
/// - Forecasting: a step on a holiday is the wrapped model's forecast times the ratio of a Sunday's profile to
///   that weekday's, from the four weeks before the end of the history (the interval scales with it).
///
/// The name is the wrapped model's; ``summary`` says how many holidays the history held.
public struct HolidayForecaster: Forecaster {
    /// The wrapped model (fitted on the history with its holidays brought to their weekday's level).
    public var base: any Forecaster
    /// The holidays.
    public var calendar: HolidayCalendar
    /// Fitted: the ratios at the end of the history, the first forecast's time, the step and the steps a day.
    public internal(set) var profile: HolidayProfile?
    var next: Date?
    var step: TimeInterval = 0
    var periodsPerDay = 0
    var holidaysInHistory = 0

    /// `base`, told the holidays of `calendar` (not fitted).
    public init(base: any Forecaster, calendar: HolidayCalendar) {
        self.base = base
        self.calendar = calendar
    }

    /// `f` told the holidays of `calendar`, or `f` itself without a calendar.
    public static func wrapping(_ f: any Forecaster, _ calendar: HolidayCalendar?) -> any Forecaster {
        calendar.map { HolidayForecaster(base: f, calendar: $0) } ?? f
    }

    /// `f` without its holiday wrapper (itself when it has none).
    public static func unwrapped(_ f: any Forecaster) -> any Forecaster { (f as? HolidayForecaster)?.base ?? f }

    public var name: String { base.name }
    public var usesRegressors: Bool { base.usesRegressors }
    public var summary: String {
        "\(base.summary); holidays as Sundays (\(holidaysInHistory) in the history)"
    }

    /// The history with its holidays (other than Sundays) brought to their weekday's level, and how many there were.
    static func cleaned(_ history: TimeSeries, days: [HolidayDay], periodsPerDay: Int) -> (TimeSeries, Int) {
        var s = history
        var k = 0, found = 0
        while k < s.count {
            guard days[k].holiday, days[k].weekday != 0 else {
                k += 1
                continue
            }
            // One holiday: the run of steps with the same weekday that are holidays.
            let profile = HolidayProfile(values: s.values, days: days, end: k, periodsPerDay: periodsPerDay)
            let weekday = days[k].weekday
            while k < s.count, days[k].holiday, days[k].weekday == weekday {
                s.values[k] /= profile.ratio(days[k])
                k += 1
            }
            found += 1
        }
        return (s, found)
    }

    public mutating func fit(_ history: TimeSeries) throws {
        let perDay = max(1, history.step < 86_400 ? history.periodsPerDay : 1)
        let days = calendar.days(start: history.start, step: history.step, count: history.count, periodsPerDay: perDay)
        let (clean, found) = Self.cleaned(history, days: days, periodsPerDay: perDay)
        try base.fit(clean)
        profile = HolidayProfile(values: clean.values, days: days, end: clean.count, periodsPerDay: perDay)
        (next, step, periodsPerDay, holidaysInHistory) = (history.timestamp(history.count), history.step, perDay, found)
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard let profile, let next else { throw ForecastError.notFitted(model: name) }
        var f = try base.forecast(horizon: horizon, level: level)
        let days = calendar.days(start: next, step: step, count: f.point.count, periodsPerDay: periodsPerDay)
        for (h, d) in days.enumerated() where d.holiday && d.weekday != 0 {
            let r = profile.ratio(d)
            f.point[h] *= r
            if h < f.lower.count { f.lower[h] *= r }
            if h < f.upper.count { f.upper[h] *= r }
        }
        return f
    }
}

extension HolidayForecaster {
    /// What a model file keeps of a fitted wrapper (the `holidays` field of ``ModelFile``).
    struct Saved: Codable, Equatable {
        var calendar: HolidayCalendar
        var profile: HolidayProfile
        var next: Double
        var step: Double
        var periodsPerDay: Int
        var holidaysInHistory: Int
    }

    /// The fitted state, nil before fitting.
    var saved: Saved? {
        guard let profile, let next else { return nil }
        return Saved(
            calendar: calendar, profile: profile, next: next.timeIntervalSince1970, step: step, periodsPerDay: periodsPerDay,
            holidaysInHistory: holidaysInHistory)
    }

    /// A fitted wrapper around a loaded model; throws when `saved` does not hold together.
    init(base: any Forecaster, saved: Saved) throws {
        let slots = saved.periodsPerDay
        // Within a million years of 1970 and a step under 100 days: the calendar's arithmetic stays ordinary.
        guard saved.step > 0, saved.step < 8_640_000, slots >= 1, slots <= 86_400, abs(saved.next) < 3e13, saved.holidaysInHistory >= 0 else {
            throw ForecastError.invalidOptions(model: base.name, detail: "holidays: step, periodsPerDay or next out of range")
        }
        guard saved.profile.ratios.count == 7,
            saved.profile.ratios.allSatisfy({ $0.count == slots && $0.allSatisfy { $0.isFinite && $0 > 0 } })
        else {
            throw ForecastError.invalidOptions(model: base.name, detail: "holidays.profile needs 7 rows of \(slots) positive ratios")
        }
        for d in saved.calendar.dates where HolidayCalendar.day(d) == nil {
            throw ForecastError.invalidOptions(model: base.name, detail: "holidays.calendar: '\(d)' is not a date (YYYY-MM-DD)")
        }
        guard TimeZone(identifier: saved.calendar.timeZone) != nil else {
            throw ForecastError.invalidOptions(model: base.name, detail: "holidays.calendar: unknown time zone '\(saved.calendar.timeZone)'")
        }
        self.init(base: base, calendar: saved.calendar)
        profile = saved.profile
        next = Date(timeIntervalSince1970: saved.next)
        (step, periodsPerDay, holidaysInHistory) = (saved.step, slots, saved.holidaysInHistory)
    }
}
