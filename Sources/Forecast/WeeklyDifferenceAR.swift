import Foundation
import LinearAlgebra

/// An autoregression on the weekly-differenced series, `w_t = y_t - y_{t-m}` (m = one week of observations):
/// `w_t = c + sum_{i=1..p} a_i w_{t-i} + b w_{t-d} + e_t` with d one day, estimated by conditional least squares
/// (QR through LAPACK's `?gels`), the order p chosen from a small grid by AICc. A seasonal ARIMA without MA terms:
/// `(p,0,0)` with a daily AR lag on `(1 - B^m) y`. Forecasts are recursive; intervals use the model's
/// psi-weights (exact for h up to one week, where undifferencing adds only known values).
///
/// On daily data (one observation a day) the daily lag is the first AR lag and is left out (`dailyCoefficient`
/// 0); when no order can be fitted (a constant series: every lag column is zero) the model is the mean weekly
/// change, the weekly seasonal naive plus its drift.
///
/// A fast, transparent reference for ``AutoARIMA`` (which adds MA terms, seasonal factors, the difference tests
/// and exact likelihood).
public struct WeeklyDifferenceAR: Forecaster, Codable {
    public private(set) var name = "ar-weekly"
    /// Candidate AR orders (1 or more; others are ignored).
    public var orders = [1, 2, 3, 4, 6, 8]
    var history: [Double] = []
    var week = 0, day = 0
    var intercept = 0.0
    var ar: [Double] = []
    var dailyCoefficient = 0.0
    var sigma = 0.0
    /// The chosen order (after `fit`).
    public private(set) var order = 0

    public init() {}

    public mutating func fit(_ series: TimeSeries) throws {
        day = series.periodsPerDay
        week = 7 * day
        let y = series.values
        let maxOrder = orders.filter { $0 >= 1 }.max() ?? 1
        let needed = week + max(maxOrder, day) + 10 * (maxOrder + 2)
        guard y.count >= needed else { throw ForecastError.historyTooShort(model: name, needed: needed, got: y.count) }
        let w = (week..<y.count).map { y[$0] - y[$0 - week] }
        var best: (aicc: Double, p: Int, beta: [Double], sigma: Double)?
        let start = max(maxOrder, day)  // same sample for every order, so AICc values compare
        let n = w.count - start
        for p in orders where p >= 1 {  // order 0 is the fallback below
            // With a day of at most p observations (daily data) the daily lag is one of the AR lags already: a
            // second copy would make the design singular.
            let daily = day > p
            let k = p + 1 + (daily ? 1 : 0)
            var rows: [Double] = []
            rows.reserveCapacity(n * k)
            var target: [Double] = []
            target.reserveCapacity(n)
            for t in start..<w.count {
                rows.append(1)
                for i in 1...p { rows.append(w[t - i]) }
                if daily { rows.append(w[t - day]) }
                target.append(w[t])
            }
            let x = try Matrix<Double>(rows: n, columns: k, elements: rows)
            guard var beta = try? LAPACK.leastSquares(x, target) else { continue }
            let fitted = try BLAS.multiply(x, beta)
            let sse = zip(target, fitted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let s2 = sse / Double(n)
            let params = Double(k + 1)
            let aicc = Double(n) * log(s2) + 2 * params + 2 * params * (params + 1) / max(1, Double(n) - params - 1)
            if !daily { beta.append(0) }
            if best == nil || aicc < best!.aicc { best = (aicc, p, beta, (sse / Double(max(1, n - k))).squareRoot()) }
        }
        // No order could be fitted (a constant series: every lag column is zero): the mean weekly change alone,
        // that is the weekly seasonal naive plus its drift.
        if best == nil, n > 0 {
            let tail = Array(w[start...])
            let mean = tail.reduce(0, +) / Double(n)
            let sd = (tail.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, n - 1))).squareRoot()
            best = (0, 0, [mean, 0], sd)
        }
        guard let b = best else { throw ForecastError.historyTooShort(model: name, needed: needed, got: y.count) }
        order = b.p
        intercept = b.beta[0]
        ar = Array(b.beta[1..<(b.p + 1)])
        dailyCoefficient = b.beta[b.p + 1]
        sigma = b.sigma
        history = y
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard !history.isEmpty else { throw ForecastError.notFitted(model: name) }
        var y = history
        var w = (week..<y.count).map { y[$0] - y[$0 - week] }
        for _ in 0..<horizon {
            var next = intercept + dailyCoefficient * w[w.count - day]
            for (i, a) in ar.enumerated() { next += a * w[w.count - 1 - i] }
            w.append(next)
            y.append(y[y.count - week] + next)
        }
        // psi-weights of the AR operator (lags 1..p and day), for the forecast error variance.
        var psi = [Double](repeating: 0, count: horizon)
        if horizon > 0 { psi[0] = 1 }
        for j in stride(from: 1, to: horizon, by: 1) {
            var s = 0.0
            for (i, a) in ar.enumerated() where j - 1 - i >= 0 { s += a * psi[j - 1 - i] }
            if j - day >= 0 { s += dailyCoefficient * psi[j - day] }
            psi[j] = s
        }
        let z = normalQuantile(0.5 + level / 2)
        var cumulative = 0.0
        var widths: [Double] = []
        for h in 0..<horizon {
            cumulative += psi[h] * psi[h]
            // Beyond one week the undifferencing adds the earlier forecast's error as well; this width is
            // a lower bound there.
            widths.append(z * sigma * cumulative.squareRoot())
        }
        let point = Array(y.suffix(horizon))
        return Forecast(point: point, lower: zip(point, widths).map { $0 - $1 }, upper: zip(point, widths).map { $0 + $1 }, level: level)
    }
}
