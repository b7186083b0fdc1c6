/// Forecast error metrics. Each takes actuals and forecasts of equal length (extra values are ignored).
public enum Metrics {
    /// Mean absolute error.
    public static func mae(_ y: [Double], _ f: [Double]) -> Double { mean(zip(y, f).map { abs($0 - $1) }) }

    /// Root mean squared error.
    public static func rmse(_ y: [Double], _ f: [Double]) -> Double { mean(zip(y, f).map { ($0 - $1) * ($0 - $1) }).squareRoot() }

    /// Mean absolute percentage error, in percent (actuals of 0 are skipped).
    public static func mape(_ y: [Double], _ f: [Double]) -> Double {
        var terms: [Double] = []
        for (a, b) in zip(y, f) where a != 0 { terms.append(abs((a - b) / a)) }
        return 100 * mean(terms)
    }

    /// Symmetric MAPE in percent: `200 * |y - f| / (|y| + |f|)`.
    public static func smape(_ y: [Double], _ f: [Double]) -> Double {
        var terms: [Double] = []
        for (a, b) in zip(y, f) {
            let denominator = abs(a) + abs(b)
            if denominator > 0 { terms.append(2 * abs(a - b) / denominator) }
        }
        return 100 * mean(terms)
    }

    /// Mean absolute scaled error: MAE divided by the in-sample MAE of the seasonal naive forecast with the
    /// given period on `training`.
    public static func mase(_ y: [Double], _ f: [Double], training: [Double], period: Int) -> Double {
        mae(y, f) / seasonalNaiveScale(training, period: period)
    }

    /// The in-sample MAE of the seasonal naive forecast, `mean |x_t - x_{t-m}|`.
    public static func seasonalNaiveScale(_ x: [Double], period m: Int) -> Double {
        guard x.count > m else { return .nan }
        return mean((m..<x.count).map { abs(x[$0] - x[$0 - m]) })
    }

    /// Pinball (quantile) loss at quantile `q` in (0, 1).
    public static func pinball(_ y: [Double], _ f: [Double], quantile q: Double) -> Double {
        mean(
            zip(y, f).map { (a: Double, b: Double) -> Double in
                let d = a - b
                return d >= 0 ? q * d : (q - 1) * d
            })
    }

    /// The interval score of a central `level` interval at each observation (Gneiting and Raftery 2007; the score
    /// M4 scaled into MSIS): the width, plus 2 / (1 - level) times how far the actual fell outside. Lower is better;
    /// an interval is rewarded for being narrow and penalised for each miss in proportion to its size.
    public static func intervalScores(_ y: [Double], lower: [Double], upper: [Double], level: Double) -> [Double] {
        let penalty = 2 / (1 - level)
        return (0..<min(y.count, lower.count, upper.count)).map { i in
            (upper[i] - lower[i]) + penalty * max(0, lower[i] - y[i]) + penalty * max(0, y[i] - upper[i])
        }
    }

    /// Share of actuals inside `[lower, upper]`, each end widened by 1e-9 of the actual's size (at least 1e-9):
    /// round-off alone does not put an actual outside a zero-width interval. On a constant series, `mstl-arima`
    /// forecast the value to within 1e-15 with a zero-width interval, and covered 0.149 of the exact actuals.
    public static func coverage(_ y: [Double], lower: [Double], upper: [Double]) -> Double {
        let n = min(y.count, lower.count, upper.count)
        guard n > 0 else { return .nan }
        return Double(
            (0..<n).filter {
                let slack = 1e-9 * max(1, abs(y[$0]))
                return y[$0] >= lower[$0] - slack && y[$0] <= upper[$0] + slack
            }.count) / Double(n)
    }

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }
}
