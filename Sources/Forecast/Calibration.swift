import DataIO
import Foundation

/// Split-conformal calibration of a model's interval for a forecast from the end of a series: the model is refitted
/// at `days` rolling origins before the end, one day apart, each placed so that its whole horizon was observed
/// (origin k = count - horizon - k * periodsPerDay), and the absolute errors of those forecasts give each
/// horizon step's half-width (``Backtest/conformalHalfWidths(errors:horizon:level:pool:)``, neighbouring steps
/// pooled). The same rule `backtest --calibration-days` applies to every test day.
public enum ConformalCalibration {
    /// Each step's half-width (nil for a step without errors: the model's own interval is kept there).
    ///
    /// With `adaptiveDays` A > 0 and `adaptiveGamma` > 0 the level is adapted first, as `backtest` does over its test
    /// days (``Backtest/adaptiveGamma``): the model is refitted at A more origins before the calibration window, each
    /// of those days gets the interval of the `days` days before it at the current level, and the level moves by
    /// gamma times ((1 - level) - that day's miss rate outside the dark hours). The half-widths are then those of the last
    /// `days` days at the adapted level: the interval the backtest's next test day would get.
    public static func halfWidths(
        model: any Forecaster, series: TimeSeries, horizon: Int, days: Int, level: Double = 0.95, pool: Int = 2,
        adaptiveDays: Int = 0, adaptiveGamma: Double = 0
    ) throws -> [Double?] {
        try halfWidths(
            model: model, series: series, horizon: horizon, days: days, levels: [level], pool: pool, adaptiveDays: adaptiveDays,
            adaptiveGamma: adaptiveGamma)[0]
    }

    /// The half-widths of each of `levels` (in their order) from one set of refits: the rule of
    /// ``halfWidths(model:series:horizon:days:level:pool:adaptiveDays:adaptiveGamma:)`` per level, each level adapted on
    /// its own. A level's widths are exactly those the one-level call gives.
    public static func halfWidths(
        model: any Forecaster, series: TimeSeries, horizon: Int, days: Int, levels: [Double], pool: Int = 2,
        adaptiveDays: Int = 0, adaptiveGamma: Double = 0
    ) throws -> [[Double?]] {
        let day = series.periodsPerDay
        guard days > 0 else { return levels.map { _ in [Double?](repeating: nil, count: horizon) } }
        let adapt = adaptiveGamma > 0 ? max(0, adaptiveDays) : 0
        let total = days + adapt
        let oldest = series.count - horizon - (total - 1) * day
        guard horizon > 0, oldest > 7 * day else {
            throw ForecastError.historyTooShort(model: model.name, needed: horizon + (total - 1) * day + 7 * day + 1, got: series.count)
        }
        // Origin k (0: the newest) forecasts the horizon that ends k days before the end of the series. The point
        // forecast does not depend on the level asked for, and the interval is replaced, so one forecast serves all.
        let refit: @Sendable (Int) throws -> (actual: [Double], forecast: Forecast, bounds: PhysicalBounds) = { k in
            let origin = series.count - horizon - k * day
            var m = model
            let history = series.prefix(origin)
            try m.fit(history)
            let bounds = PhysicalBounds(history: history)
            return (Array(series.values[origin..<(origin + horizon)]), bounds.apply(try m.forecast(horizon: horizon, level: 0.95)), bounds)
        }
        // The refits are independent: side by side on every core where ``Backtest/fitsOriginsConcurrently(_:)``
        // allows (the first failure in origin order is thrown, as in a plain loop).
        let fits =
            Backtest.fitsOriginsConcurrently(model)
            ? try concurrentOutcomes(total, refit).map { try $0.get() } : try (0..<total).map(refit)
        // Oldest first.
        let chronological = Array(fits.reversed())
        let errors = chronological.map { d in zip(d.actual, d.forecast.point).map { $0 - $1 } }
        return levels.map { level in
            var alpha = 1 - level
            for i in days..<total {
                let widths = Backtest.conformalHalfWidths(
                    errors: Array(errors[(i - days)..<i]), horizon: horizon, level: Backtest.quantileLevel(alpha), pool: pool)
                let d = chronological[i]
                let f = d.bounds.apply(apply(d.forecast, halfWidths: widths))
                alpha = Backtest.adaptedMiscoverage(
                    alpha, gamma: adaptiveGamma, level: level, actual: d.actual, lower: f.lower, upper: f.upper, bounds: d.bounds)
            }
            return Backtest.conformalHalfWidths(
                errors: Array(errors.suffix(days)), horizon: horizon, level: adapt > 0 ? Backtest.quantileLevel(alpha) : level, pool: pool)
        }
    }

    /// `f` with its interval replaced by point +- half-width where a half-width is known.
    public static func apply(_ f: Forecast, halfWidths: [Double?]) -> Forecast {
        var g = f
        for h in g.point.indices where h < halfWidths.count {
            if let w = halfWidths[h] { (g.lower[h], g.upper[h]) = (g.point[h] - w, g.point[h] + w) }
        }
        return g
    }
}
