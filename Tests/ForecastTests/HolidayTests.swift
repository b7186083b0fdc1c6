import DataIO
import Foundation
import TestFixtures
import Testing
@testable import Forecast

/// Holidays as Sundays (``HolidayForecaster``): the calendar file's rules, the wrapper's effect on seeded
/// synthetic demand, and the model file.
@Suite struct HolidayTests {
    /// Monday 2019-09-02 00:00 UTC.
    static let monday = Date(timeIntervalSince1970: 1_567_382_400)

    /// Hourly demand over `days` days from a Monday: a daily shape, weekdays at level 1, Saturdays 0.85, Sundays
    /// 0.7, and the `holidays` (day indices) at a Sunday's level; multiplicative noise of `noise`.
    static func demand(days: Int, holidays: Set<Int>, seed: UInt64, noise: Double = 0.02) -> TimeSeries {
        var rng = NormalSource(state: seed)
        var values: [Double] = []
        for d in 0..<days {
            let weekday = d % 7  // 0 = Monday
            let level = holidays.contains(d) || weekday == 6 ? 0.7 : weekday == 5 ? 0.85 : 1
            for h in 0..<24 {
                let shape = 100 + 30 * sin(Double(h - 6) / 24 * 2 * .pi) + (weekday < 5 && (8...18).contains(h) && !holidays.contains(d) ? 25 : 0)
                values.append(level * shape * (1 + noise * rng.normal()))
            }
        }
        return TimeSeries(name: "demand", start: monday, step: 3600, values: values)
    }

    static func date(_ day: Int) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: monday.addingTimeInterval(Double(day) * 86_400))
    }

    static func mae(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        zip(a, b).map { abs($0 - $1) }.reduce(0, +) / Double(a.count)
    }

    /// A calendar with no date in the series' span changes nothing, bit for bit.
    @Test func aCalendarOutsideTheSpanChangesNothing() throws {
        let s = Self.demand(days: 42, holidays: [], seed: 1)
        let calendar = try HolidayCalendar(dates: ["1999-12-25", "2030-01-01"])
        for name in ["seasonal-naive", "seasonal-mean", "mstl-ets", "ar-weekly"] {
            var base = try ForecasterCatalog.make(name, periodsPerDay: 24)
            var told: any Forecaster = HolidayForecaster(base: try ForecasterCatalog.make(name, periodsPerDay: 24), calendar: calendar)
            try base.fit(s)
            try told.fit(s)
            let (a, b) = (try base.forecast(horizon: 48, level: 0.95), try told.forecast(horizon: 48, level: 0.95))
            #expect(a.point == b.point && a.lower == b.lower && a.upper == b.upper, "\(name)")
            #expect(told.name == name)
        }
    }

    /// Over 20 seeds: a weekday holiday right after the history is forecast far better with the calendar (at a
    /// Sunday's level), the next ordinary day is unchanged for a model whose history holds no holiday, and the
    /// interval scales with the point.
    @Test(arguments: ["seasonal-naive", "mstl-ets"]) func aHolidayInTheHorizonIsForecastAsASunday(model: String) throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            // 6 weeks of history from a Monday; day 42 (a Monday) is the holiday, day 43 an ordinary Tuesday.
            let truth = Self.demand(days: 44, holidays: [42], seed: seed)
            let history = truth.prefix(42 * 24)
            var base = try ForecasterCatalog.make(model, periodsPerDay: 24)
            var told: any Forecaster = HolidayForecaster(
                base: try ForecasterCatalog.make(model, periodsPerDay: 24), calendar: try HolidayCalendar(dates: [Self.date(42)]))
            try base.fit(history)
            try told.fit(history)
            let (a, b) = (try base.forecast(horizon: 48, level: 0.95), try told.forecast(horizon: 48, level: 0.95))
            let actual = truth.values[(42 * 24)...]
            let plain = Self.mae(a.point[0..<24], actual.prefix(24)), aware = Self.mae(b.point[0..<24], actual.prefix(24))
            #expect(aware < 0.4 * plain, "seed \(seed): holiday MAE \(aware) with the calendar against \(plain)")
            #expect(a.point[24...] == b.point[24...], "seed \(seed): the ordinary day after it moved")
            for h in 0..<24 {
                let r: Double = b.point[h] / a.point[h]
                let lowerGap: Double = abs(b.lower[h] - a.lower[h] * r), upperGap: Double = abs(b.upper[h] - a.upper[h] * r)
                let lowerTolerance: Double = 1e-9 * (abs(a.lower[h]) + 1), upperTolerance: Double = 1e-9 * (abs(a.upper[h]) + 1)
                #expect(lowerGap <= lowerTolerance)
                #expect(upperGap <= upperTolerance)
            }
        }
    }

    /// A holiday in the history is brought to its weekday's level before fitting, so a seasonal naive no longer
    /// copies it a week later (over 20 seeds).
    @Test func aHolidayInTheHistoryIsNotCopiedForward() throws {
        for seed in 1...20 as ClosedRange<UInt64> {
            // Day 37 (a Wednesday, five days before the end) is a holiday; day 44 is the Wednesday after the history.
            let truth = Self.demand(days: 45, holidays: [37], seed: seed)
            let history = truth.prefix(42 * 24)
            var base: any Forecaster = SeasonalNaiveForecaster(period: 7 * 24, name: "seasonal-naive")
            var told: any Forecaster = HolidayForecaster(
                base: SeasonalNaiveForecaster(period: 7 * 24, name: "seasonal-naive"), calendar: try HolidayCalendar(dates: [Self.date(37)]))
            try base.fit(history)
            try told.fit(history)
            let (a, b) = (try base.forecast(horizon: 72, level: 0.95), try told.forecast(horizon: 72, level: 0.95))
            let actual = truth.values[(44 * 24)..<(45 * 24)]
            let plain = Self.mae(a.point[48..<72], actual), aware = Self.mae(b.point[48..<72], actual)
            #expect(aware < 0.5 * plain, "seed \(seed): the Wednesday after a holiday: MAE \(aware) with the calendar against \(plain)")
            #expect((told as? HolidayForecaster)?.summary.contains("holidays as Sundays (1 in the history)") == true)
        }
    }

    /// Where a weekday's or Sunday's mean is not positive (a net load that exports), the ratio is 1; every ratio
    /// stays within [1/3, 3].
    @Test func ratiosAreOneWhereTheMeanIsNotPositiveAndBounded() throws {
        var s = Self.demand(days: 35, holidays: [], seed: 3)
        for k in s.values.indices where (10...14).contains(k % 24) { s.values[k] = -20 }  // midday export
        for k in s.values.indices where k % 24 == 3 && (k / 24) % 7 == 6 { s.values[k] = 0.001 }  // a near-zero Sunday hour
        let days = try HolidayCalendar(dates: []).days(start: s.start, step: s.step, count: s.count, periodsPerDay: 24)
        let p = HolidayProfile(values: s.values, days: days, end: s.count, periodsPerDay: 24)
        #expect(p.ratios.count == 7 && p.ratios.allSatisfy { $0.count == 24 })
        for w in 0..<7 {
            for h in 10...14 { #expect(p.ratios[w][h] == 1) }
            for h in 0..<24 {
                let r: Double = p.ratios[w][h]
                #expect(r >= 0.333_333_333 && r <= 3.000_000_001)
            }
        }
        #expect(p.ratios[0].allSatisfy { $0 == 1 })
        let mondayAtThree: Double = p.ratios[1][3]
        #expect(abs(mondayAtThree - 1.0 / 3) < 1e-12)
    }

    /// The holiday is the local day of the calendar's zone: in Brisbane (UTC+10) 27 January 2014 runs from
    /// 26 January 14:00 to 27 January 14:00 UTC.
    @Test func holidaysAreLocalDays() throws {
        let calendar = try HolidayCalendar(dates: ["2014-01-27"], timeZone: TimeZone(identifier: "Australia/Brisbane")!)
        let start = Date(timeIntervalSince1970: 1_390_608_000)  // 2014-01-25T00:00:00Z
        let days = calendar.days(start: start, step: 3600, count: 96, periodsPerDay: 24)
        let flagged = days.indices.filter { days[$0].holiday }
        #expect(flagged == Array(38..<62))
        #expect(days[38].weekday == 1 && days[38].slot == 0)  // Monday, local midnight
        #expect(days[37].weekday == 0 && days[37].slot == 23)
    }

    /// The calendar file: spreadsheet exports read like plain files; bad rows name file and line.
    @Test func calendarFilesAreReadAndRefusedByTheRules() throws {
        let dir = try TestScratch.directory("holidays")
        func file(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let excel = try file("excel.csv", "\u{FEFF}name,date\r\n\"Christmas, Day\",2019-12-25\r\nAll Saints,2019-11-01\r\n\"Repeat\",2019-12-25\r\n")
        let c = try HolidayCalendar.read(excel)
        #expect(c.dates == ["2019-11-01", "2019-12-25"] && c.timeZone == "UTC")
        let cases: [(String, String, String)] = [
            ("bad.csv", "date\n2019-12-25\n2019-02-30\n", "bad.csv:3: '2019-02-30' is not a date (YYYY-MM-DD)"),
            ("slash.csv", "date,name\n25/12/2019,x\n", "slash.csv:2: '25/12/2019' is not a date"),
            ("nocolumn.csv", "day\n2019-12-25\n", "nocolumn.csv:1: no 'date' column (columns: day)"),
            ("empty.csv", "date\n", "empty.csv: no holidays"),
            ("ragged.csv", "date,name\n2019-12-25\n", "ragged.csv:2: 1 fields where the header has 2")
        ]
        for (name, text, message) in cases {
            let path = try file(name, text)
            do {
                _ = try HolidayCalendar.read(path)
                Issue.record("\(name) was read")
            } catch let e as any PeerGridError {
                #expect(e.kind == .badInput && e.description.contains(message), "\(e.description)")
            }
        }
        #expect(throws: (any Error).self) { try HolidayCalendar.read(dir.appendingPathComponent("missing.csv").path) }
        #expect(HolidayCalendar.day("2020-02-29") != nil && HolidayCalendar.day("2019-02-29") == nil && HolidayCalendar.day("2019-1-05") == nil)
    }

    /// A model fitted with a calendar is saved with it and forecasts bit for bit the same when loaded; a file
    /// whose holiday profile was damaged is refused with the field.
    @Test func savedModelsKeepTheCalendar() throws {
        let s = Self.demand(days: 42, holidays: [30], seed: 5)
        var f: any Forecaster = HolidayForecaster(
            base: try ForecasterCatalog.make("mstl-ets", periodsPerDay: 24), calendar: try HolidayCalendar(dates: [Self.date(30), Self.date(43)]))
        try f.fit(s)
        let saved = SavedModel(forecaster: f, fittedOn: s)
        let data = try ModelFile.encode(saved)
        let loaded = try ModelFile.decode(data, file: "m.json")
        let (a, b) = (try saved.forecast(horizon: 48, level: 0.95), try loaded.forecast(horizon: 48, level: 0.95))
        #expect(a.point == b.point && a.lower == b.lower && a.upper == b.upper)
        #expect(loaded.forecaster is HolidayForecaster)
        // Day 43 (a Tuesday) is the second forecast day: lower than the ordinary Tuesday forecast.
        let bare = try ModelFile.decode(try ModelFile.encode(SavedModel(forecaster: HolidayForecaster.unwrapped(f), fittedOn: s)), file: "b.json")
        let plain = try bare.forecast(horizon: 48, level: 0.95)
        let holidaySum: Double = b.point[24..<48].reduce(0, +), ordinarySum: Double = plain.point[24..<48].reduce(0, +)
        #expect(holidaySum < 0.85 * ordinarySum)
        // Version 2 with a calendar (an older PeerGrid refuses it rather than forecasting without it), 1 without.
        var text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"version\":2"))
        #expect(
            String(decoding: try ModelFile.encode(SavedModel(forecaster: HolidayForecaster.unwrapped(f), fittedOn: s)), as: UTF8.self).contains("\"version\":1")
        )
        #expect {
            _ = try ModelFile.decode(Data(text.replacingOccurrences(of: "\"version\":2", with: "\"version\":1").utf8), file: "v1.json")
        } throws: { e in
            "\(e)".contains("a version 1 model file with a holidays field")
        }
        let ratio = try #require(text.range(of: "\"ratios\":[["))
        text.replaceSubrange(ratio, with: "\"ratios\":[[-1,")
        #expect {
            _ = try ModelFile.decode(Data(text.utf8), file: "bad.json")
        } throws: { e in
            "\(e)".contains("bad.json") && "\(e)".contains("holidays.profile")
        }
    }
}
