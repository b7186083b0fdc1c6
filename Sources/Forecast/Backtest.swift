import Foundation

/// Scores of one model over a rolling-origin backtest.
public struct BacktestScore: Sendable {
    public var model: String
    public var mae: Double
    public var rmse: Double
    /// Percent.
    public var mape: Double
    /// Scaled by the weekly seasonal naive's in-sample MAE on each training window.
    public var mase: Double
    /// Share of actuals inside the prediction interval.
    public var coverage: Double
    /// Seconds spent fitting, over all origins.
    public var fitSeconds: Double
    /// Each test day's forecast and what happened, for reports.
    public var days: [BacktestDay] = []
}

/// One origin of a backtest: the forecast from `origin` and the actual values.
public struct BacktestDay: Sendable {
    /// Index of the first forecast observation in the series.
    public var origin: Int
    public var actual: [Double]
    public var point: [Double]
    public var lower: [Double]
    public var upper: [Double]
}

/// Rolling-origin evaluation: for each of the last `testDays` days, fit on everything before the day, forecast
/// `horizon` observations, score against what happened.
public struct Backtest: Sendable {
    public var horizon: Int
    public var testDays: Int
    public var level = 0.95

    public init(horizon: Int, testDays: Int, level: Double = 0.95) {
        self.horizon = horizon
        self.testDays = testDays
        self.level = level
    }

    /// Runs `model` over the series; `progress` is called after each origin.
    public func run(
        _ model: any Forecaster, on series: TimeSeries,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> BacktestScore {
        let day = series.periodsPerDay
        let week = 7 * day
        let firstOrigin = series.count - testDays * day
        guard horizon > 0, testDays > 0, firstOrigin > week else {
            throw ForecastError.historyTooShort(model: model.name, needed: testDays * day + week + 1, got: series.count)
        }
        var actual: [Double] = [], predicted: [Double] = [], lower: [Double] = [], upper: [Double] = []
        var scaledErrors: [Double] = []
        var fitSeconds = 0.0
        var days: [BacktestDay] = []
        for d in 0..<testDays {
            let origin = firstOrigin + d * day
            var m = model
            let history = series.prefix(origin)
            let start = DispatchTime.now().uptimeNanoseconds
            try m.fit(history)
            fitSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let f = try m.forecast(horizon: horizon, level: level)
            let n = min(horizon, series.count - origin)
            let y = Array(series.values[origin..<(origin + n)])
            actual += y
            predicted += f.point.prefix(n)
            lower += f.lower.prefix(n)
            upper += f.upper.prefix(n)
            days.append(
                BacktestDay(
                    origin: origin, actual: y, point: Array(f.point.prefix(n)), lower: Array(f.lower.prefix(n)),
                    upper: Array(f.upper.prefix(n))))
            let scale = Metrics.seasonalNaiveScale(history.values, period: week)
            scaledErrors += zip(y, f.point).map { abs($0 - $1) / scale }
            progress?(d + 1, testDays)
        }
        return BacktestScore(
            model: model.name, mae: Metrics.mae(actual, predicted), rmse: Metrics.rmse(actual, predicted),
            mape: Metrics.mape(actual, predicted), mase: Metrics.mean(scaledErrors),
            coverage: Metrics.coverage(actual, lower: lower, upper: upper), fitSeconds: fitSeconds, days: days)
    }
}
