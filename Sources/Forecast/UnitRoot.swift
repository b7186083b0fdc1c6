import Foundation

/// The tests automatic ARIMA uses to choose the number of differences.
public enum UnitRoot {
    /// The KPSS statistic for level stationarity (Kwiatkowski et al. 1992) with the Newey-West long-run variance
    /// and the short lag truncation `⌊3√n / 13⌋` (as `ndiffs` in R's forecast and in statsforecast).
    public static func kpss(_ x: [Double]) -> Double {
        let n = x.count
        guard n > 2 else { return 0 }
        let mean = x.reduce(0, +) / Double(n)
        let e = x.map { $0 - mean }
        var s = 0.0, eta = 0.0
        for v in e {
            s += v
            eta += s * s
        }
        let lags = Int(3 * Double(n).squareRoot() / 13)
        var variance = e.reduce(0) { $0 + $1 * $1 } / Double(n)
        if lags > 0 {
            for j in 1...lags {
                var gamma = 0.0
                for t in j..<n { gamma += e[t] * e[t - j] }
                variance += 2 * (1 - Double(j) / Double(lags + 1)) * gamma / Double(n)
            }
        }
        guard variance > 0 else { return 0 }
        return eta / (Double(n) * Double(n) * variance)
    }

    /// The 5 % critical value of the KPSS level test.
    public static let kpssCritical5 = 0.463

    /// Number of first differences (0, 1 or 2) after which the KPSS test no longer rejects stationarity at 5 %.
    public static func differences(_ x: [Double], max maxD: Int = 2) -> Int {
        var y = x
        for d in 0...maxD {
            if y.count < 10 || kpss(y) <= kpssCritical5 { return d }
            if d == maxD { break }
            y = (1..<y.count).map { y[$0] - y[$0 - 1] }
        }
        return maxD
    }

    /// Seasonal strength `max(0, 1 − Var(R) / Var(S + R))` (Wang, Smith & Hyndman 2006) from a classical
    /// decomposition: a centred moving average of one period as trend, slot means of the detrended series as
    /// seasonal. Series shorter than two periods have strength 0.
    public static func seasonalStrength(_ x: [Double], period m: Int) -> Double {
        let n = x.count
        guard m > 1, n >= 2 * m + 1 else { return 0 }
        // Centred moving average (2 x m when m is even).
        var trend = [Double?](repeating: nil, count: n)
        let half = m / 2
        for t in half..<(n - half) {
            var s = 0.0
            if m % 2 == 0 {
                s = 0.5 * x[t - half] + 0.5 * x[t + half]
                for j in (t - half + 1)..<(t + half) { s += x[j] }
            } else {
                for j in (t - half)...(t + half) { s += x[j] }
            }
            trend[t] = s / Double(m)
        }
        var slotSum = [Double](repeating: 0, count: m), slotCount = [Double](repeating: 0, count: m)
        for t in 0..<n { if let tr = trend[t] { slotSum[t % m] += x[t] - tr; slotCount[t % m] += 1 } }
        var seasonal = (0..<m).map { slotCount[$0] > 0 ? slotSum[$0] / slotCount[$0] : 0 }
        let centre = seasonal.reduce(0, +) / Double(m)
        seasonal = seasonal.map { $0 - centre }
        var remainder: [Double] = [], detrended: [Double] = []
        for t in 0..<n { if let tr = trend[t] { detrended.append(x[t] - tr); remainder.append(x[t] - tr - seasonal[t % m]) } }
        let vr = variance(remainder), vsr = variance(detrended)
        guard vsr > 0 else { return 0 }
        return max(0, 1 - vr / vsr)
    }

    /// Seasonal differences (0 or 1): 1 when the seasonal strength exceeds 0.64 (the `seas` test of R's
    /// `nsdiffs` and statsforecast).
    public static func seasonalDifferences(_ x: [Double], period m: Int) -> Int {
        seasonalStrength(x, period: m) > 0.64 ? 1 : 0
    }

    static func variance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let mean = x.reduce(0, +) / Double(x.count)
        return x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
    }
}
