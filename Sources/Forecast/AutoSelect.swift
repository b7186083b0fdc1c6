import Foundation

/// `auto`: chooses per series by a rolling-origin backtest inside the history (one day ahead from each of the
/// last ``validationDays`` days, every candidate refitted before each). It fits the ``combine`` candidates with
/// the lowest validation MAE on the whole history and forecasts their mean (the point and each end of the
/// interval averaged); `combine` 1 keeps the single best. The candidates are the statistical models and the
/// baselines; the neural models and `ensemble` are left out for their cost.
///
/// The mean of the three best is the default because a 7-day validation often ranks the top models in the
/// wrong order: on four metered CityLearn series (b01-b03 load, b01 PV) it had a 2-6 % lower MAE than the
/// single best choice, and it was then checked on four it was not chosen on (README, `Benchmarks/auto_selection.py`).
public struct AutoSelectForecaster: Forecaster, Codable {
    /// Through its ARIMA candidates.
    public var usesRegressors: Bool { true }
    public let name: String
    public var candidates: [String]
    public var validationDays: Int
    /// How many of the best candidates are averaged (1: the best alone).
    public var combine: Int
    /// Each candidate that could be validated with its validation MAE, in the candidates' order.
    public private(set) var selection: [Scored] = []
    var chosen: Fitted?
    /// The other members of the mean, after `chosen` (nil in files written before `combine` existed).
    var others: [Fitted]?

    /// A candidate model and its mean absolute error on the validation days.
    public struct Scored: Codable, Sendable, Equatable {
        public var model: String
        public var mae: Double
    }

    public static let defaultCandidates = [
        "seasonal-naive", "seasonal-naive-day", "seasonal-mean", "seasonal-mean-day", "ar-weekly", "arima", "mstl-arima", "clear-sky"
    ]

    /// Every model `auto` can choose: the default candidates and `mstl-ets` (which `day-ahead --auto-candidates` can
    /// add; not a default, so that the committed `auto` results stay reproducible).
    public static let choosable = defaultCandidates + ["mstl-ets"]

    /// The fitted model `auto` chose (one case per model type it can choose).
    enum Fitted: Codable {
        case seasonalNaive(SeasonalNaiveForecaster)
        case seasonalMean(SeasonalMeanForecaster)
        case arWeekly(WeeklyDifferenceAR)
        case arima(AutoARIMA)
        case mstl(MSTLARIMA)
        case mstlETS(MSTLETS)
        case clearSky(ClearSkyForecaster)

        init?(_ f: any Forecaster) {
            switch f {
            case let m as SeasonalNaiveForecaster: self = .seasonalNaive(m)
            case let m as SeasonalMeanForecaster: self = .seasonalMean(m)
            case let m as WeeklyDifferenceAR: self = .arWeekly(m)
            case let m as AutoARIMA: self = .arima(m)
            case let m as MSTLARIMA: self = .mstl(m)
            case let m as MSTLETS: self = .mstlETS(m)
            case let m as ClearSkyForecaster: self = .clearSky(m)
            default: return nil
            }
        }

        var forecaster: any Forecaster {
            switch self {
            case let .seasonalNaive(m): return m
            case let .seasonalMean(m): return m
            case let .arWeekly(m): return m
            case let .arima(m): return m
            case let .mstl(m): return m
            case let .mstlETS(m): return m
            case let .clearSky(m): return m
            }
        }
    }

    public init(name: String = "auto", candidates: [String] = Self.defaultCandidates, validationDays: Int = 7, combine: Int = 3) {
        self.name = name
        self.candidates = candidates
        self.validationDays = validationDays
        self.combine = combine
    }

    enum CodingKeys: String, CodingKey {
        case name, candidates, validationDays, combine, selection, chosen, others
    }

    /// Reads files written before `combine` existed as `combine` 1 (they chose one model).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        candidates = try c.decode([String].self, forKey: .candidates)
        validationDays = try c.decode(Int.self, forKey: .validationDays)
        combine = try c.decodeIfPresent(Int.self, forKey: .combine) ?? 1
        selection = try c.decode([Scored].self, forKey: .selection)
        chosen = try c.decodeIfPresent(Fitted.self, forKey: .chosen)
        others = try c.decodeIfPresent([Fitted].self, forKey: .others)
    }

    /// The best candidate's name (nil before fitting).
    public var chosenModel: String? { chosen?.forecaster.name }

    /// Every model of the mean, best first (empty before fitting).
    public var chosenModels: [String] { members.map(\.name) }

    var members: [any Forecaster] { (chosen.map { [$0] } ?? []).map(\.forecaster) + (others ?? []).map(\.forecaster) }

    /// The validation MAE of each candidate on `history` (candidates that cannot be fitted there are left out).
    /// The same numbers as ``Backtest`` one day ahead from each of the last `days` days (physical bounds applied),
    /// with each day's forecast memoized (``ForecastCache``): in a backtest of `auto` the next origin validates on
    /// all but one of these days again.
    public static func validate(_ candidates: [String], on history: TimeSeries, days: Int) -> [Scored] {
        let day = history.periodsPerDay
        let firstOrigin = history.count - days * day
        guard days > 0, day > 0, firstOrigin > 7 * day else { return [] }
        let origins = (0..<days).map { firstOrigin + $0 * day }
        let pasts = origins.map { history.prefix($0) }
        let fingerprints = pasts.map(ForecastCache.fingerprint)
        // The (candidate, day) fits are independent and run on every core.
        let outcomes = ForecastCache.concurrently(candidates.count * days) { job in
            let name = candidates[job / days], k = job % days
            return try ForecastCache.shared.point(
                model: name, history: pasts[k], fingerprint: fingerprints[k], horizon: day, bounded: true,
                make: {
                    var m = try ForecasterCatalog.make(name, periodsPerDay: day)
                    try m.fit(pasts[k])
                    return PhysicalBounds(history: pasts[k]).apply(try m.forecast(horizon: day, level: 0.95)).point
                })
        }
        return candidates.enumerated().compactMap { c, name in
            var actual: [Double] = [], predicted: [Double] = []
            for (k, origin) in origins.enumerated() {
                let n = min(day, history.count - origin)
                guard let point = try? outcomes[c * days + k].get() else { return nil }
                actual += history.values[origin..<(origin + n)]
                predicted += point.prefix(n)
            }
            let mae = Metrics.mae(actual, predicted)
            return mae.isFinite ? Scored(model: name, mae: mae) : nil
        }
    }

    public mutating func fit(_ history: TimeSeries) throws {
        guard validationDays >= 1 else { throw ForecastError.invalidOptions(model: name, detail: "validation days must be at least 1") }
        guard combine >= 1 else { throw ForecastError.invalidOptions(model: name, detail: "combine must be at least 1, got \(combine)") }
        let unknown = candidates.filter { !Self.choosable.contains($0) }
        guard unknown.isEmpty else {
            throw ForecastError.invalidOptions(
                model: name, detail: "cannot choose \(unknown.joined(separator: ", ")) (choices: \(Self.choosable.joined(separator: ", ")))")
        }
        selection = Self.validate(candidates, on: history, days: validationDays)
        // Stable: ties keep the candidates' order.
        let ranked = selection.enumerated().sorted { ($0.element.mae, $0.offset) < ($1.element.mae, $1.offset) }.map(\.element)
        guard !ranked.isEmpty else {
            throw ForecastError.historyTooShort(model: name, needed: (validationDays + 7) * history.periodsPerDay + 1, got: history.count)
        }
        var fitted: [Fitted] = []
        let fingerprint = ForecastCache.fingerprint(history)
        for best in ranked.prefix(combine) {
            var m = try ForecasterCatalog.make(best.model, periodsPerDay: history.periodsPerDay)
            try m.fit(history)
            // The next day's forecast is the newest validation day of a fit one day later.
            if let next = try? m.forecast(horizon: history.periodsPerDay, level: 0.95) {
                ForecastCache.shared.store(
                    PhysicalBounds(history: history).apply(next).point, model: best.model, history: history, fingerprint: fingerprint,
                    horizon: history.periodsPerDay, bounded: true)
            }
            guard let f = Fitted(m) else { throw ForecastError.invalidOptions(model: name, detail: "cannot keep \(best.model)") }
            fitted.append(f)
        }
        chosen = fitted.first
        others = Array(fitted.dropFirst())
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        let models = members
        guard !models.isEmpty else { throw ForecastError.notFitted(model: name) }
        let forecasts = try models.map { try $0.forecast(horizon: horizon, level: level) }
        if forecasts.count == 1 { return forecasts[0] }
        func mean(_ part: (Forecast) -> [Double]) -> [Double] {
            (0..<horizon).map { k in forecasts.reduce(0) { $0 + part($1)[k] } / Double(forecasts.count) }
        }
        return Forecast(point: mean(\.point), lower: mean(\.lower), upper: mean(\.upper), level: level)
    }

    public var summary: String {
        let models = members
        guard let first = models.first else { return "\(name): not fitted" }
        let what = models.count == 1 ? "chose \(first.summary)" : "took the mean of \(models.map(\.summary).joined(separator: "; "))"
        return "\(name) \(what) (\(validationDays)-day validation MAE: "
            + selection.map { String(format: "%@ %.4g", $0.model as NSString, $0.mae) }.joined(separator: ", ") + ")"
    }
}
