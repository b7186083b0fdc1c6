import Foundation

/// Seasonal-trend decomposition by LOESS (Cleveland, Cleveland, McRae & Terpenning 1990), the non-robust
/// version: `inner` passes of detrending, cycle-subseries smoothing, low-pass filtering and trend smoothing.
/// Defaults follow R's `stl`: seasonal degree 0, trend and low-pass degree 1, trend window
/// `nextodd(⌈1.5 n_p / (1 − 1.5 / n_s)⌉)`, low-pass window `nextodd(n_p)`, two inner passes.
public struct STL: Sendable {
    public var period: Int
    public var seasonalWindow: Int
    public var trendWindow: Int
    public var lowPassWindow: Int
    public var seasonalDegree = 0
    public var inner = 2

    public init(period: Int, seasonalWindow: Int) {
        self.period = period
        self.seasonalWindow = Self.nextOdd(max(3, seasonalWindow))
        trendWindow = Self.nextOdd(Int((1.5 * Double(period) / (1 - 1.5 / Double(self.seasonalWindow))).rounded(.up)))
        lowPassWindow = Self.nextOdd(period)
    }

    static func nextOdd(_ x: Int) -> Int { x % 2 == 0 ? x + 1 : x }

    /// Seasonal and trend components of `y` (the remainder is `y − seasonal − trend`).
    public func decompose(_ y: [Double]) -> (seasonal: [Double], trend: [Double]) {
        let n = y.count, np = period
        var trend = [Double](repeating: 0, count: n)
        var seasonal = [Double](repeating: 0, count: n)
        guard np >= 2, n >= 2 * np else { return (seasonal, trend) }
        for _ in 0..<inner {
            // Cycle subseries of the detrended series, each smoothed and extended one period at both ends.
            var c = [Double](repeating: 0, count: n + 2 * np)
            for k in 0..<np {
                let sub = stride(from: k, to: n, by: np).map { y[$0] - trend[$0] }
                let m = sub.count
                let smoothed = Self.loess(sub, window: seasonalWindow, degree: seasonalDegree, at: (-1...m).map(Double.init))
                for (j, v) in smoothed.enumerated() { c[j * np + k] = v }
            }
            // Low-pass filter of the cycle-subseries: moving averages of n_p, n_p and 3, then LOESS.
            let low = Self.loess(
                Self.movingAverage(Self.movingAverage(Self.movingAverage(c, np), np), 3),
                window: lowPassWindow, degree: 1, at: (0..<n).map(Double.init))
            for t in 0..<n { seasonal[t] = c[t + np] - low[t] }
            trend = Self.loess((0..<n).map { y[$0] - seasonal[$0] }, window: trendWindow, degree: 1, at: (0..<n).map(Double.init))
        }
        return (seasonal, trend)
    }

    static func movingAverage(_ x: [Double], _ k: Int) -> [Double] {
        guard x.count >= k else { return [] }
        var out = [Double](repeating: 0, count: x.count - k + 1)
        var s = x[0..<k].reduce(0, +)
        out[0] = s / Double(k)
        for i in 1..<out.count {
            s += x[i + k - 1] - x[i - 1]
            out[i] = s / Double(k)
        }
        return out
    }

    /// LOESS of `y` (observed at 0, 1, …, n − 1) at positions `at`: the `window` nearest observations with
    /// tricube weights, a weighted constant (degree 0) or line (degree 1).
    static func loess(_ y: [Double], window q: Int, degree: Int, at positions: [Double]) -> [Double] {
        let n = y.count
        guard n > 0 else { return positions.map { _ in 0 } }
        let span = min(q, n)
        return positions.map { x0 in
            var lo = Int((x0 - Double(span - 1) / 2).rounded(.down))
            lo = min(max(lo, 0), n - span)
            let hi = lo + span - 1
            var h = max(x0 - Double(lo), Double(hi) - x0)
            if q > n { h += Double((q - n) / 2) }
            h = max(h, 1e-9)
            var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
            for j in lo...hi {
                let u = abs(Double(j) - x0) / h
                guard u < 1 else { continue }
                let a = 1 - u * u * u
                let w = a * a * a
                let dx = Double(j) - x0
                sw += w; sx += w * dx; sy += w * y[j]; sxx += w * dx * dx; sxy += w * dx * y[j]
            }
            guard sw > 0 else { return y[min(max(Int(x0.rounded()), 0), n - 1)] }
            if degree == 0 { return sy / sw }
            // Weighted line through (dx, y), evaluated at dx = 0.
            let mx = sx / sw, my = sy / sw
            let vxx = sxx / sw - mx * mx
            if vxx <= 1e-12 * max(1, h * h) { return my }
            let slope = (sxy / sw - mx * my) / vxx
            return my - slope * mx
        }
    }
}

/// Multiple seasonal decomposition (Bandara, Hyndman & Bergmeir 2021, R's `mstl`): STL for each period in
/// increasing order, iterated, each pass re-estimating one seasonal component on the series without the others.
/// Seasonal windows `7 + 4i` for the i-th period (1-based), as in R and statsforecast.
public struct MSTL: Sendable {
    public var periods: [Int]
    public var iterations = 2

    public init(periods: [Int]) { self.periods = periods.sorted() }

    /// Seasonal components (one per period that fits twice in the series), trend and remainder.
    public func decompose(_ y: [Double]) -> (seasonals: [[Double]], trend: [Double], remainder: [Double]) {
        let n = y.count
        let usable = periods.filter { $0 >= 2 && n >= 2 * $0 }
        var seasonals = usable.map { _ in [Double](repeating: 0, count: n) }
        var deseasonalized = y
        var trend = [Double](repeating: 0, count: n)
        for _ in 0..<(usable.isEmpty ? 0 : iterations) {
            for (i, p) in usable.enumerated() {
                for t in 0..<n { deseasonalized[t] += seasonals[i][t] }
                let (s, tr) = STL(period: p, seasonalWindow: 7 + 4 * (i + 1)).decompose(deseasonalized)
                seasonals[i] = s
                trend = tr
                for t in 0..<n { deseasonalized[t] -= s[t] }
            }
        }
        if usable.isEmpty { trend = STL.loess(y, window: STL.nextOdd(max(3, n / 10)), degree: 1, at: (0..<n).map(Double.init)) }
        return (seasonals, trend, (0..<n).map { deseasonalized[$0] - trend[$0] })
    }
}

/// MSTL with a model for the seasonally adjusted series: the series is decomposed into daily and weekly seasonal
/// components (MSTL); each seasonal component is forecast by repeating its last cycle; the seasonally adjusted
/// series (trend plus remainder) is forecast by `Adjusted`, whose intervals are the model's intervals (the seasonal
/// parts are treated as known).
///
/// Two are in the catalog: ``MSTLARIMA`` (`mstl-arima`, a non-seasonal automatic ARIMA) and ``MSTLETS``
/// (`mstl-ets`, automatic exponential smoothing, as statsforecast's MSTL by default).
public struct MSTLForecaster<Adjusted: Forecaster & Codable>: Forecaster, Codable {
    /// The seasonally adjusted model's regressors (`mstl-arima`: yes; `mstl-ets`: no).
    public var usesRegressors: Bool { adjusted.usesRegressors }
    public var name: String
    /// Seasonal periods; nil means daily and weekly (from the series' step).
    public var periods: [Int]?
    var lastCycles: [[Double]] = []
    var adjusted: Adjusted
    var fitted = false

    /// An unfitted model; `adjusted` forecasts the seasonally adjusted series.
    public init(name: String, periods: [Int]? = nil, adjusted: Adjusted) {
        self.name = name
        self.periods = periods
        self.adjusted = adjusted
    }

    public mutating func fit(_ history: TimeSeries) throws {
        let day = history.periodsPerDay
        let chosen = periods ?? (day > 1 ? [day, 7 * day] : [7])
        let needed = 2 * (chosen.max() ?? 1) + 50
        guard history.count >= needed else { throw ForecastError.historyTooShort(model: name, needed: needed, got: history.count) }
        let parts = MSTL(periods: chosen).decompose(history.values)
        let usable = chosen.sorted().filter { history.count >= 2 * $0 }
        lastCycles = zip(usable, parts.seasonals).map { Array($1.suffix($0)) }
        var adjustedSeries = history
        adjustedSeries.values = (0..<history.count).map { t in history.values[t] - parts.seasonals.reduce(0) { $0 + $1[t] } }
        try adjusted.fit(adjustedSeries)
        fitted = true
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard fitted else { throw ForecastError.notFitted(model: name) }
        var f = try adjusted.forecast(horizon: horizon, level: level)
        for cycle in lastCycles {
            for h in 0..<horizon {
                let s = cycle[h % cycle.count]
                f.point[h] += s
                f.lower[h] += s
                f.upper[h] += s
            }
        }
        return f
    }

    public var summary: String {
        fitted ? "MSTL (\(lastCycles.map { String($0.count) }.joined(separator: ", "))) + \(adjusted.summary)" : "\(name): not fitted"
    }
}

/// MSTL with a non-seasonal automatic ARIMA for the seasonally adjusted series (`mstl-arima`).
public typealias MSTLARIMA = MSTLForecaster<AutoARIMA>

extension MSTLForecaster where Adjusted == AutoARIMA {
    /// `mstl-arima`: a non-seasonal automatic ARIMA for the adjusted series.
    public init(name: String = "mstl-arima", periods: [Int]? = nil) {
        self.init(name: name, periods: periods, adjusted: AutoARIMA(name: "arima", seasonal: false))
    }
}

/// MSTL with simple exponential smoothing, ETS(A,N,N), for the seasonally adjusted series (`mstl-ets`): statsforecast's
/// `MSTL` pairs the decomposition with an `AutoETS` trend model in the same way. The trend forms are left out by
/// default: chosen by the one-step likelihood, a trend fitted to the last hours is carried a whole day ahead (see
/// the README's `mstl-ets` section for what they scored).
public typealias MSTLETS = MSTLForecaster<ExponentialSmoothing>

extension MSTLForecaster where Adjusted == ExponentialSmoothing {
    /// `mstl-ets`: exponential smoothing over the forms `trends` (simple exponential smoothing alone by default).
    public init(name: String = "mstl-ets", periods: [Int]? = nil, trends: [ExponentialSmoothing.Trend] = [.none]) {
        var ets = ExponentialSmoothing()
        ets.candidates = trends
        self.init(name: name, periods: periods, adjusted: ets)
    }
}
