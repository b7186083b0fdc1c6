import Foundation

/// `auto`: picks one model per series by a rolling-origin backtest inside the history (one day ahead from each
/// of the last ``validationDays`` days, every candidate refitted before each), keeps the lowest MAE and fits it
/// on the whole history. The candidates are the statistical models and the baselines; the neural models and
/// `ensemble` are left out for their cost.
public struct AutoSelectForecaster: Forecaster, Codable {
    public let name: String
    public var candidates: [String]
    public var validationDays: Int
    /// Each candidate that could be validated with its validation MAE, in the candidates' order.
    public private(set) var selection: [Scored] = []
    var chosen: Fitted?

    public struct Scored: Codable, Sendable, Equatable {
        public var model: String
        public var mae: Double
    }

    public static let defaultCandidates = [
        "seasonal-naive", "seasonal-naive-day", "seasonal-mean", "seasonal-mean-day", "ar-weekly", "arima", "mstl-arima", "clear-sky"
    ]

    /// The fitted model `auto` chose (one case per model type it can choose).
    enum Fitted: Codable {
        case seasonalNaive(SeasonalNaiveForecaster)
        case seasonalMean(SeasonalMeanForecaster)
        case arWeekly(WeeklyDifferenceAR)
        case arima(AutoARIMA)
        case mstl(MSTLARIMA)
        case clearSky(ClearSkyForecaster)

        init?(_ f: any Forecaster) {
            switch f {
            case let m as SeasonalNaiveForecaster: self = .seasonalNaive(m)
            case let m as SeasonalMeanForecaster: self = .seasonalMean(m)
            case let m as WeeklyDifferenceAR: self = .arWeekly(m)
            case let m as AutoARIMA: self = .arima(m)
            case let m as MSTLARIMA: self = .mstl(m)
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
            case let .clearSky(m): return m
            }
        }
    }

    public init(name: String = "auto", candidates: [String] = Self.defaultCandidates, validationDays: Int = 7) {
        self.name = name
        self.candidates = candidates
        self.validationDays = validationDays
    }

    /// The chosen model's name (nil before fitting).
    public var chosenModel: String? { chosen?.forecaster.name }

    /// The validation MAE of each candidate on `history` (candidates that cannot be fitted there are left out).
    public static func validate(_ candidates: [String], on history: TimeSeries, days: Int) -> [Scored] {
        let backtest = Backtest(horizon: history.periodsPerDay, testDays: days)
        return candidates.compactMap { name in
            guard let m = try? ForecasterCatalog.make(name, periodsPerDay: history.periodsPerDay), let score = try? backtest.run(m, on: history),
                score.mae.isFinite
            else { return nil }
            return Scored(model: name, mae: score.mae)
        }
    }

    public mutating func fit(_ history: TimeSeries) throws {
        guard validationDays >= 1 else { throw ForecastError.invalidOptions(model: name, detail: "validation days must be at least 1") }
        let unknown = candidates.filter { !Self.defaultCandidates.contains($0) }
        guard unknown.isEmpty else {
            throw ForecastError.invalidOptions(
                model: name, detail: "cannot choose \(unknown.joined(separator: ", ")) (choices: \(Self.defaultCandidates.joined(separator: ", ")))")
        }
        selection = Self.validate(candidates, on: history, days: validationDays)
        guard let best = selection.min(by: { $0.mae < $1.mae }) else {
            throw ForecastError.historyTooShort(model: name, needed: (validationDays + 7) * history.periodsPerDay + 1, got: history.count)
        }
        var m = try ForecasterCatalog.make(best.model, periodsPerDay: history.periodsPerDay)
        try m.fit(history)
        chosen = Fitted(m)
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard let chosen else { throw ForecastError.notFitted(model: name) }
        return try chosen.forecaster.forecast(horizon: horizon, level: level)
    }

    public var summary: String {
        guard let chosen else { return "\(name): not fitted" }
        return "\(name) chose \(chosen.forecaster.summary) (\(validationDays)-day validation MAE: "
            + selection.map { String(format: "%@ %.4g", $0.model as NSString, $0.mae) }.joined(separator: ", ") + ")"
    }
}
