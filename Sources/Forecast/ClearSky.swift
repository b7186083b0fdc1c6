import Foundation

/// A PV forecaster that needs no weather data: the clear-sky profile is the upper envelope of the last
/// ``envelopeDays`` days (the largest value at each time of day), and each day is that profile times the day's
/// clearness, its energy over the envelope's. The next days' clearness reverts from the last day's towards the
/// recent mean, `k(d + j) = mean + phi^j (k(d) - mean)`, with the mean and the lag-1 autocorrelation `phi` (in
/// [0, 1]) estimated on the last ``clearnessDays`` days. Interval: the one-day-ahead clearness errors' spread,
/// growing with the horizon, times the envelope. Dark slots (a zero envelope) forecast zero.
///
/// On a series without a daily envelope (load) it is a scaled daily profile; `auto` only picks it where it
/// validates best.
public struct ClearSkyForecaster: Forecaster, Codable {
    public let name: String
    /// Days whose maximum at each time of day is the clear-sky profile.
    public var envelopeDays = 14
    /// Days that estimate the clearness mean and persistence.
    public var clearnessDays = 28
    var envelope: [Double] = []
    var lastClearness = 0.0
    var meanClearness = 0.0
    var persistence = 0.0
    var clearnessSD = 0.0

    public init(name: String = "clear-sky") { self.name = name }

    public mutating func fit(_ history: TimeSeries) throws {
        let day = history.periodsPerDay
        let x = history.values
        let whole = x.count / max(1, day)
        guard envelopeDays >= 1, clearnessDays >= 2 else {
            throw ForecastError.invalidOptions(
                model: name, detail: "envelopeDays (\(envelopeDays)) must be at least 1 and clearnessDays (\(clearnessDays)) at least 2")
        }
        guard day > 1 else {
            throw ForecastError.invalidOptions(model: name, detail: "needs a daily profile (several observations a day); this series has \(day) a day")
        }
        guard whole >= 3 else { throw ForecastError.historyTooShort(model: name, needed: 3 * day, got: x.count) }
        // Whole days counted back from the end of the history, so slot s of the envelope is forecast step s.
        func value(_ d: Int, _ s: Int) -> Double { x[x.count - (d + 1) * day + s] }
        let e = min(envelopeDays, whole)
        envelope = (0..<day).map { s in (0..<e).map { value($0, s) }.max() ?? 0 }
        let total = envelope.reduce(0, +)
        guard total > 0 else {
            (lastClearness, meanClearness, persistence, clearnessSD) = (0, 0, 0, 0)
            return
        }
        let c = min(clearnessDays, whole)
        // Oldest first.
        let k = (0..<c).reversed().map { d in (0..<day).reduce(0.0) { $0 + value(d, $1) } / total }
        let mean = k.reduce(0, +) / Double(k.count)
        var num = 0.0, den = 0.0
        for i in k.indices {
            den += (k[i] - mean) * (k[i] - mean)
            if i > 0 { num += (k[i] - mean) * (k[i - 1] - mean) }
        }
        persistence = den > 0 ? min(1, max(0, num / den)) : 0
        meanClearness = mean
        lastClearness = k[k.count - 1]
        let errors = (1..<k.count).map { k[$0] - (mean + persistence * (k[$0 - 1] - mean)) }
        clearnessSD = errors.isEmpty ? 0 : (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard !envelope.isEmpty else { throw ForecastError.notFitted(model: name) }
        let day = envelope.count
        let z = normalQuantile(0.5 + level / 2)
        var point: [Double] = [], lower: [Double] = [], upper: [Double] = []
        for h in 0..<horizon {
            let ahead = h / day + 1
            let decay = pow(persistence, Double(ahead))
            let k = max(0, meanClearness + decay * (lastClearness - meanClearness))
            // Variance of the AR(1) clearness `ahead` days out: sigma^2 (1 + phi^2 + ... + phi^(2(ahead-1))).
            let spread = clearnessSD * (0..<ahead).reduce(0.0) { $0 + pow(persistence, Double(2 * $1)) }.squareRoot()
            let envelopeValue = envelope[h % day]
            point.append(k * envelopeValue)
            lower.append(max(0, k - z * spread) * envelopeValue)
            upper.append((k + z * spread) * envelopeValue)
        }
        return Forecast(point: point, lower: lower, upper: upper, level: level)
    }

    public var summary: String {
        String(
            format: "%@: envelope of %d days, clearness mean %.3f, persistence %.3f, last %.3f", name, envelopeDays, meanClearness, persistence,
            lastClearness)
    }
}
