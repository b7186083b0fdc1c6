import DataIO
import Foundation

/// Split-conformal calibration of a model's interval for a forecast from the end of a series: the model is refitted
/// at `days` rolling origins before the end, one day apart, each placed so that its whole horizon was observed
/// (origin k = count - horizon - k * periodsPerDay), and the absolute errors of those forecasts give each
/// horizon step's half-width (``Backtest/conformalHalfWidths(errors:horizon:level:pool:)``, neighbouring steps
/// pooled). The same rule `backtest --calibration-days` applies to every test day.
public enum ConformalCalibration {
    /// Each step's half-width (nil for a step without errors: the model's own interval is kept there).
    public static func halfWidths(
        model: any Forecaster, series: TimeSeries, horizon: Int, days: Int, level: Double = 0.95, pool: Int = 2
    ) throws -> [Double?] {
        let day = series.periodsPerDay
        guard days > 0 else { return [Double?](repeating: nil, count: horizon) }
        let oldest = series.count - horizon - (days - 1) * day
        guard horizon > 0, oldest > 7 * day else {
            throw ForecastError.historyTooShort(model: model.name, needed: horizon + (days - 1) * day + 7 * day + 1, got: series.count)
        }
        let refit: @Sendable (Int) throws -> [Double] = { k in
            let origin = series.count - horizon - k * day
            var m = model
            let history = series.prefix(origin)
            try m.fit(history)
            let f = PhysicalBounds(history: history).apply(try m.forecast(horizon: horizon, level: level))
            return (0..<horizon).map { series.values[origin + $0] - f.point[$0] }
        }
        // The refits are independent: side by side on every core where ``Backtest/fitsOriginsConcurrently(_:)``
        // allows (the first failure in origin order is thrown, as in a plain loop).
        let errors =
            Backtest.fitsOriginsConcurrently(model)
            ? try concurrentOutcomes(days, refit).map { try $0.get() } : try (0..<days).map(refit)
        return Backtest.conformalHalfWidths(errors: errors, horizon: horizon, level: level, pool: pool)
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
