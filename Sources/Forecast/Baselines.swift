import Foundation

/// The last value, repeated. Interval: one-step residual spread growing with sqrt(h).
public struct NaiveForecaster: Forecaster, Codable {
    public private(set) var name = "naive"
    var last: Double?
    var sigma = 0.0

    public init() {}

    public mutating func fit(_ history: TimeSeries) throws {
        let x = history.values
        guard x.count >= 2 else { throw ForecastError.historyTooShort(model: name, needed: 2, got: x.count) }
        last = x.last
        sigma = residualSD((1..<x.count).map { x[$0] - x[$0 - 1] })
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard let last else { throw ForecastError.notFitted(model: name) }
        let z = normalQuantile(0.5 + level / 2)
        let point = [Double](repeating: last, count: horizon)
        let width = (1...max(1, horizon)).prefix(horizon).map { z * sigma * Double($0).squareRoot() }
        return Forecast(point: point, lower: zip(point, width).map { $0 - $1 }, upper: zip(point, width).map { $0 + $1 }, level: level)
    }
}

/// The value one season earlier (a day or a week of observations). Interval: seasonal-difference spread
/// growing with the square root of the number of seasons ahead.
public struct SeasonalNaiveForecaster: Forecaster, Codable {
    public let name: String
    /// Season length in observations.
    public let period: Int
    var tail: [Double] = []
    var sigma = 0.0

    /// `period` observations per season; `name` as it appears on the command line.
    public init(period: Int, name: String) {
        self.period = period
        self.name = name
    }

    public mutating func fit(_ history: TimeSeries) throws {
        let x = history.values
        guard x.count > period else { throw ForecastError.historyTooShort(model: name, needed: period + 1, got: x.count) }
        tail = Array(x.suffix(period))
        sigma = residualSD((period..<x.count).map { x[$0] - x[$0 - period] })
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard !tail.isEmpty else { throw ForecastError.notFitted(model: name) }
        let z = normalQuantile(0.5 + level / 2)
        let point = (0..<horizon).map { tail[$0 % period] }
        let width = (0..<horizon).map { z * sigma * Double($0 / period + 1).squareRoot() }
        return Forecast(point: point, lower: zip(point, width).map { $0 - $1 }, upper: zip(point, width).map { $0 + $1 }, level: level)
    }
}

/// The mean of the same slot over the last `seasons` seasons (e.g. the same half-hour of the last 4 weeks).
/// Interval: the spread of those slot values around their mean.
public struct SeasonalMeanForecaster: Forecaster, Codable {
    public let name: String
    public let period: Int
    public let seasons: Int
    var means: [Double] = []
    var sigma = 0.0

    public init(period: Int, seasons: Int = 4, name: String = "seasonal-mean") {
        self.period = period
        self.seasons = seasons
        self.name = name
    }

    public mutating func fit(_ history: TimeSeries) throws {
        let x = history.values
        guard x.count >= period else { throw ForecastError.historyTooShort(model: name, needed: period, got: x.count) }
        let k = min(seasons, x.count / period)
        let start = x.count - k * period
        means = (0..<period).map { slot in (0..<k).reduce(0) { $0 + x[start + $1 * period + slot] } / Double(k) }
        var deviations: [Double] = []
        for s in 0..<k { for slot in 0..<period { deviations.append(x[start + s * period + slot] - means[slot]) } }
        sigma = residualSD(deviations) * (1 + 1 / Double(k)).squareRoot()
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard !means.isEmpty else { throw ForecastError.notFitted(model: name) }
        let z = normalQuantile(0.5 + level / 2)
        let point = (0..<horizon).map { means[$0 % period] }
        return Forecast(point: point, lower: point.map { $0 - z * sigma }, upper: point.map { $0 + z * sigma }, level: level)
    }
}

/// Root mean square of residuals (their standard deviation around 0).
func residualSD(_ r: [Double]) -> Double {
    guard !r.isEmpty else { return 0 }
    return (r.reduce(0) { $0 + $1 * $1 } / Double(r.count)).squareRoot()
}

/// The forecasters the command line offers, by name, for a series with `periodsPerDay` observations a day.
public enum ForecasterCatalog {
    public static let names = [
        "naive", "seasonal-naive", "seasonal-naive-day", "seasonal-mean", "seasonal-mean-day", "ar-weekly", "arima", "arima-fourier", "mstl-arima", "mstl-ets",
        "clear-sky",
        "lstm", "cnn", "ensemble", "auto"
    ]

    /// A new, unfitted forecaster. `seasonal-naive` is the weekly one.
    public static func make(_ name: String, periodsPerDay: Int) throws -> any Forecaster {
        switch name {
        case "naive": return NaiveForecaster()
        case "seasonal-naive", "seasonal-naive-week": return SeasonalNaiveForecaster(period: 7 * periodsPerDay, name: name)
        case "seasonal-naive-day": return SeasonalNaiveForecaster(period: periodsPerDay, name: name)
        case "seasonal-mean": return SeasonalMeanForecaster(period: 7 * periodsPerDay, seasons: 4, name: name)
        // The mean of the last 7 days at the same time of day (PV: no weekly cycle, and one day is a noisy guess).
        case "seasonal-mean-day": return SeasonalMeanForecaster(period: periodsPerDay, seasons: 7, name: name)
        case "ar-weekly": return WeeklyDifferenceAR()
        case "arima": return AutoARIMA(name: name)
        case "mstl-arima": return MSTLARIMA(name: name)
        case "mstl-ets": return MSTLETS(name: name)
        case "ensemble": return EnsembleForecaster(name: name)
        case "clear-sky": return ClearSkyForecaster(name: name)
        case "auto": return AutoSelectForecaster(name: name)
        case "lstm": return NeuralForecaster.lstm(name: name)
        case "cnn": return NeuralForecaster.cnn(name: name)
        case "arima-fourier":
            let day = Double(max(1, periodsPerDay))
            let terms =
                periodsPerDay > 1
                ? [FourierTerms(period: day, harmonics: min(10, periodsPerDay / 2)), FourierTerms(period: 7 * day, harmonics: 5)]
                : [FourierTerms(period: 7, harmonics: 3)]
            return AutoARIMA(name: name, seasonal: false, fourier: terms)
        default: throw ForecastError.unknownModel(name, available: names)
        }
    }
}
