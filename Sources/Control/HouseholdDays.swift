import DataIO
import Forecast
import Foundation
import Optimize

/// One prosumer's days, as the controllers see them: the actual load and PV of every whole day its series cover,
/// the community file's tariff and limits (its one-day tariff repeats every day), and a day-ahead forecast of
/// each day made by one of the project's forecasters from the days before it only.
///
/// Flexible loads are not controlled here: each runs at its power from its earliest period on (its default, what a
/// household does without a scheduler) and is part of the load for every policy and for the optimizers alike.
public struct HouseholdDays: Sendable {
    public var prosumer: String
    public var battery: Storage
    public var connectionKW: Double
    public var grid: Grid
    public var periodMinutes: Int
    public var periodsPerDay: Int
    /// Start of day 0.
    public var first: Date
    /// Actual load (kW, flexible loads included) and PV, one array of `periodsPerDay` per day.
    public var load: [[Double]]
    public var pv: [[Double]]
    /// Day-ahead forecasts of the same, made before each day (the first `warmUpDays` days have none: they are
    /// history for the forecasters only).
    public var forecastLoad: [[Double]]
    public var forecastPV: [[Double]]
    /// Days before the first one with a forecast.
    public var warmUpDays: Int
    /// The forecasters used, e.g. `seasonal-naive-day`.
    public var forecasters: (load: String, pv: String)

    /// Hours per period.
    public var dt: Double { Double(periodMinutes) / 60 }
    /// Whether day `day` (0: `first`) is a Saturday or Sunday (UTC dates).
    public func isWeekend(day: Int) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let weekday = calendar.component(.weekday, from: first.addingTimeInterval(Double(day) * 86_400))
        return weekday == 1 || weekday == 7
    }
    public var days: Int { load.count }
    /// The most the prosumer may draw: its connection and the community's import limit.
    public var drawLimit: Double { min(connectionKW, grid.importLimitKW) }
    /// The most it may feed in.
    public var feedLimit: Double { min(connectionKW, grid.exportLimitKW) }
    /// `2000-06-12` for day `d`.
    public func label(_ d: Int) -> String { String(UTCTime.string(first.addingTimeInterval(Double(d) * 86_400)).prefix(10)) }

    /// Reads the prosumer's whole days from the CSV columns its community file names (inline one-day series give
    /// one day, too few for any training) and makes the day-ahead forecasts. `prosumer` nil takes the first
    /// prosumer with a battery.
    public static func read(
        community: Community, prosumer id: String?, loadForecaster: String = "seasonal-naive-day", pvForecaster: String = "seasonal-naive-day",
        warmUpDays: Int = 7, fitDays: Int = 28, progress: ((Int, Int) -> Void)? = nil
    ) throws -> HouseholdDays {
        let p: Prosumer
        if let id {
            guard let found = community.prosumers.first(where: { $0.id == id }) else {
                throw ControlError.unknownProsumer(id, available: community.prosumers.map(\.id))
            }
            p = found
        } else {
            guard let found = community.prosumers.first(where: { $0.battery != nil }) else {
                throw ControlError.noProsumerWithBattery(count: community.prosumers.count, sharedStorage: community.sharedStorage != nil)
            }
            p = found
        }
        guard let battery = p.battery else { throw ControlError.noBattery(prosumer: p.id) }
        let usable = battery.capacityKWh * (battery.maxSoC - battery.minSoC)
        guard battery.powerKW > 0, usable > 0 else {
            throw ControlError.batteryCannotAct(prosumer: p.id, powerKW: battery.powerKW, usableKWh: usable)
        }
        guard 86_400 % (community.periodMinutes * 60) == 0, community.periods == 86_400 / (community.periodMinutes * 60) else {
            throw ControlError.invalidOption(
                name: "periods",
                detail:
                    "the community file must describe one whole day (periods x period_minutes = 1440), it has \(community.periods) x \(community.periodMinutes)"
            )
        }
        let T = community.periods
        var load: [[Double]] = [p.loadKW], pv: [[Double]] = [p.pvKW]
        var first = community.start
        func days(_ ref: SeriesReference) throws -> (first: Date, days: [[Double]]) {
            let r = try ref.wholeDays(periodMinutes: community.periodMinutes, periodsPerDay: T, dayStart: community.start)
            return (r.first, (0..<r.days).map { Array(r.values[($0 * T)..<(($0 + 1) * T)]) })
        }
        if let ls = p.loadSource {
            let l = try days(ls)
            let v: (first: Date, days: [[Double]]) = try p.pvSource.map(days) ?? (l.first, Array(repeating: p.pvKW, count: l.days.count))
            // The days both series cover.
            let offset = Int((v.first.timeIntervalSince(l.first) / 86_400).rounded())
            let from = max(0, offset), to = min(l.days.count, offset + v.days.count)
            load = from < to ? Array(l.days[from..<to]) : []
            pv = from < to ? Array(v.days[(from - offset)..<(to - offset)]) : []
            first = l.first.addingTimeInterval(Double(from) * 86_400)
        }
        // Flexible loads run from their earliest period (not controlled here).
        for f in p.flexibleLoads {
            for d in load.indices { for t in f.earliest..<min(T, f.earliest + f.runPeriods) { load[d][t] += f.powerKW } }
        }
        var data = HouseholdDays(
            prosumer: p.id, battery: battery, connectionKW: p.connectionKW, grid: community.grid, periodMinutes: community.periodMinutes,
            periodsPerDay: T, first: first, load: load, pv: pv, forecastLoad: [], forecastPV: [], warmUpDays: warmUpDays,
            forecasters: (loadForecaster, pvForecaster))
        try data.checkServable()
        guard load.count > warmUpDays else {
            throw ControlError.tooLittleHistory(
                needed: warmUpDays + 1, got: load.count, detail: "the forecasters' warm-up (\(warmUpDays) days) and at least one day to control")
        }
        try data.makeForecasts(fitDays: fitDays, progress: progress)
        return data
    }

    /// Refuses a day whose net load is above the draw limit even with the battery discharging at full power.
    func checkServable() throws {
        for d in 0..<days {
            for t in 0..<periodsPerDay where load[d][t] - pv[d][t] - battery.powerKW > drawLimit + 1e-9 {
                throw ControlError.impossibleDay(
                    day: label(d), period: t,
                    detail: String(
                        format: "%@'s net load %.3f kW is above its draw limit %.3f kW even with the battery discharging at %.3f kW", prosumer,
                        load[d][t] - pv[d][t], drawLimit, battery.powerKW))
            }
        }
    }

    /// Day-ahead forecasts of load and PV for every day after the warm-up: each fitted on at most `fitDays` days
    /// before the day. PV forecasts are never negative, and zero where the PV was zero at that time of day on
    /// every day of the fit window (night).
    mutating func makeForecasts(fitDays: Int, progress: ((Int, Int) -> Void)?) throws {
        let T = periodsPerDay
        forecastLoad = Array(repeating: [], count: days)
        forecastPV = Array(repeating: [], count: days)
        let step = Double(periodMinutes * 60)
        for d in warmUpDays..<days {
            progress?(d - warmUpDays, days - warmUpDays)
            let from = max(0, d - fitDays)
            func predict(_ series: [[Double]], _ model: String, name: String) throws -> [Double] {
                var f = try ForecasterCatalog.make(model, periodsPerDay: T)
                let values = Array(series[from..<d].joined())
                try f.fit(TimeSeries(name: name, start: first.addingTimeInterval(Double(from) * 86_400), step: step, values: values))
                return try f.forecast(horizon: T, level: 0.95).point.map { $0.isFinite ? max(0, $0) : 0 }
            }
            forecastLoad[d] = try predict(load, forecasters.load, name: "load")
            var pvForecast = try predict(pv, forecasters.pv, name: "pv")
            for t in 0..<T where (from..<d).allSatisfy({ pv[$0][t] <= 0 }) { pvForecast[t] = 0 }
            forecastPV[d] = pvForecast
        }
        progress?(days - warmUpDays, days - warmUpDays)
    }

    /// Splits the days after the warm-up: the last `testDays` are held out, the `trainDays` before them train
    /// (all of them when nil).
    public func split(testDays: Int, trainDays: Int? = nil) throws -> (train: [Int], test: [Int]) {
        guard testDays >= 1 else { throw ControlError.invalidOption(name: "--test-days", detail: "must be at least 1, got \(testDays)") }
        if let trainDays, trainDays < 1 { throw ControlError.invalidOption(name: "--train-days", detail: "must be at least 1, got \(trainDays)") }
        let usable = days - warmUpDays
        let needed = (trainDays ?? 1) + testDays
        guard usable >= needed else {
            throw ControlError.tooLittleHistory(
                needed: warmUpDays + needed, got: days,
                detail: "a warm-up of \(warmUpDays) days, \(trainDays.map(String.init) ?? "at least 1") training and \(testDays) test days")
        }
        let test = Array((days - testDays)..<days)
        let trainEnd = days - testDays
        let train = Array((trainDays.map { trainEnd - $0 } ?? warmUpDays)..<trainEnd)
        return (train, test)
    }
}

extension HouseholdDays {
    /// The training days of other prosumers of the same community, played with this prosumer's battery and
    /// connection: each other prosumer's load and PV on the same dates as `trainingDays` (never a later date), with
    /// its own day-ahead forecasts by the same forecasters. They are appended after this prosumer's days (`added` of
    /// them). The returned training days are `trainingDays`, repeated so that they are about half of the days
    /// played, followed by the appended ones (only training may use those: their dates are not this prosumer's, so
    /// `label` and `isWeekend` do not apply to them). Half and half was better on a validation fortnight than the
    /// other days alone at their share (mean over four prosumers 0.865 against 0.859; README, `peergrid rl`).
    ///
    /// More days of the same tariffs and weather, in other households' patterns: on the demo's h09 the DQN trained
    /// with the other nine homes' days recovered 0.820-0.884 of the perfect-foresight savings on the held-out
    /// fortnight over seeds 1-15 (mean 0.859; 0.761-0.856 over seeds 1-5 on its own days), and h07 lost about 0.02
    /// (README, `peergrid rl`, *Training on the other homes' days too*). A prosumer named in `others`
    /// whose days cannot be played (a day this battery and connection cannot serve, series too short) is left out
    /// and listed in `skipped`, with the reason; an unknown name throws ``ControlError/unknownProsumer(_:available:)``.
    public func addingTrainingDays(
        of others: [String], community: Community, trainingDays: [Int], progress: ((Int, Int) -> Void)? = nil
    ) throws -> (data: HouseholdDays, trainingDays: [Int], added: Int, skipped: [(id: String, reason: String)]) {
        let read = try otherProsumers(others, community: community, progress: progress)
        let pooled = appending(read.days, trainingDays: trainingDays)
        return (pooled.data, pooled.trainingDays, pooled.added, read.skipped)
    }

    /// The days of the prosumers in `others` (this one left out) as this prosumer's battery and connection would
    /// play them, each read and forecast by the same reader; those that cannot be played are listed in `skipped`.
    func otherProsumers(
        _ others: [String], community: Community, progress: ((Int, Int) -> Void)? = nil
    ) throws -> (days: [HouseholdDays], skipped: [(id: String, reason: String)]) {
        var read: [HouseholdDays] = [], skipped: [(id: String, reason: String)] = []
        for id in others where id != prosumer {
            guard let i = community.prosumers.firstIndex(where: { $0.id == id }) else {
                throw ControlError.unknownProsumer(id, available: community.prosumers.map(\.id))
            }
            var c = community
            c.prosumers[i].battery = battery
            c.prosumers[i].connectionKW = connectionKW
            do {
                read.append(
                    try HouseholdDays.read(
                        community: c, prosumer: id, loadForecaster: forecasters.load, pvForecaster: forecasters.pv, warmUpDays: warmUpDays,
                        progress: progress))
            } catch let e as ControlError {
                skipped.append((id, e.description))
            }
        }
        return (read, skipped)
    }

    /// `others`' days on the dates of `trainingDays` appended to this prosumer's, with the days to play (see
    /// ``addingTrainingDays(of:community:trainingDays:progress:)``).
    func appending(_ others: [HouseholdDays], trainingDays: [Int]) -> (data: HouseholdDays, trainingDays: [Int], added: Int) {
        var data = self, days: [Int] = []
        for other in others {
            let offset = Int((first.timeIntervalSince(other.first) / 86_400).rounded())
            for d in trainingDays {
                let o = d + offset
                guard o >= other.warmUpDays, o < other.days else { continue }
                days.append(data.days)
                data.load.append(other.load[o])
                data.pv.append(other.pv[o])
                data.forecastLoad.append(other.forecastLoad[o])
                data.forecastPV.append(other.forecastPV[o])
            }
        }
        // This prosumer's own days, repeated so that they are about half of the days played.
        let repeats = trainingDays.isEmpty ? 1 : max(1, Int((Double(days.count) / Double(trainingDays.count)).rounded()))
        return (data, Array(Array(repeating: trainingDays, count: repeats).joined()) + days, days.count)
    }
}
