import Foundation

/// A regular time series: values at `start + k * step`, UTC instants. Built by ``TimeSeriesCSV`` from a CSV
/// column, which refuses gaps, duplicates, non-monotonic stamps and non-numbers unless asked to fill gaps.
public struct TimeSeries: Sendable {
    /// Column name (or a label).
    public var name: String
    /// First timestamp.
    public var start: Date
    /// Step in seconds (e.g. 1800 for half-hourly data).
    public var step: TimeInterval
    /// The observations.
    public var values: [Double]
    /// Indices of values that were filled (interpolated) rather than read.
    public var filled: [Int] = []
    /// Names of exogenous regressors (temperature, a holiday flag, ...).
    public var regressorNames: [String] = []
    /// One column per regressor, aligned with `values` from the first observation. A column may be longer than
    /// `values`: the extra entries are the regressor over the forecast horizon (known or forecast covariates).
    public var regressorValues: [[Double]] = []

    public init(name: String, start: Date, step: TimeInterval, values: [Double]) {
        self.name = name
        self.start = start
        self.step = step
        self.values = values
    }

    /// Number of observations.
    public var count: Int { values.count }
    /// Observations per day (48 for half-hourly data). Rounded when the step does not divide a day
    /// (``stepDividesDay``): the daily and weekly seasons then drift against the clock.
    public var periodsPerDay: Int { Self.periodsPerDay(step: step) }
    /// Observations a day at `step` seconds, rounded (0 for a step over two days).
    public static func periodsPerDay(step: TimeInterval) -> Int { Int((86_400 / step).rounded()) }
    /// Whether a whole number of steps makes a day (true for a step of a day or longer: the season is then one
    /// observation a day).
    public var stepDividesDay: Bool {
        guard step > 0, step < 86_400 else { return true }
        let perDay = 86_400 / step
        return abs(perDay - perDay.rounded()) <= 1e-9
    }
    /// Timestamp of observation `k`.
    public func timestamp(_ k: Int) -> Date { start.addingTimeInterval(Double(k) * step) }

    /// Regressor values past the last observation (the forecast horizon's covariates).
    public var futureRegressors: [[Double]] { regressorValues.map { Array($0.dropFirst(count)) } }

    /// The first `n` observations. Regressors are kept whole: past the cut they are the future covariates a
    /// forecast from observation `n` needs (in a backtest, the values that were later observed).
    public func prefix(_ n: Int) -> TimeSeries {
        var s = self
        s.values = Array(values.prefix(n))
        return s
    }
}
