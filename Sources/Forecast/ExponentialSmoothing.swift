import Foundation

/// Non-seasonal exponential smoothing with additive errors, chosen automatically (Hyndman, Koehler, Ord & Snyder
/// 2008, *Forecasting with Exponential Smoothing*): ETS(A,N,N) (simple exponential smoothing), ETS(A,A,N) (Holt's
/// linear trend) and ETS(A,Ad,N) (damped trend), each fitted by maximum likelihood, the one with the lowest AICc kept.
///
/// Equations, with one-step error `e_t = y_t − (l_{t−1} + φ b_{t−1})`:
/// `l_t = l_{t−1} + φ b_{t−1} + α e_t`, `b_t = φ b_{t−1} + β e_t`; the h-step forecast is `l_n + (φ + … + φ^h) b_n`.
/// Parameter space as in R's `forecast::ets` and statsforecast: 1e-4 ≤ α ≤ 0.9999, 0 < β < α and 0.8 ≤ φ ≤ 0.98. α, β, φ and the
/// initial level and trend are estimated (BFGS on the concentrated likelihood `n log(SSE / n)`).
/// The h-step variance is `σ² (1 + Σ_{j<h} c_j²)` with `c_j = α + β (φ + … + φ^j)`.
///
/// It forecasts the seasonally adjusted series of ``MSTLETS`` (`mstl-ets`), as statsforecast's MSTL does with its
/// default AutoETS trend model.
public struct ExponentialSmoothing: Forecaster, Codable {
    /// The three model forms.
    public enum Trend: String, Codable, Sendable, CaseIterable {
        case none = "N", additive = "A", damped = "Ad"
    }

    public var name: String
    /// The forms considered (all three by default).
    public var candidates: [Trend] = Trend.allCases
    /// The chosen form (after `fit`).
    public private(set) var trend: Trend = .none
    /// The level's smoothing parameter, the trend's (0 without a trend) and the damping (1 unless damped).
    public private(set) var alpha = 0.0, beta = 0.0, phi = 1.0
    /// AICc of the chosen form (on the series scaled by its largest absolute value).
    public private(set) var aicc = Double.nan
    var level = 0.0, slope = 0.0, sigma = 0.0
    var fitted = false

    /// An unfitted model that considers all three forms.
    public init(name: String = "ets") { self.name = name }

    /// Observations needed: enough for the trend forms' five parameters to be estimated sensibly.
    static let minimumCount = 10

    public mutating func fit(_ history: TimeSeries) throws {
        let y = history.values
        guard y.count >= Self.minimumCount else { throw ForecastError.historyTooShort(model: name, needed: Self.minimumCount, got: y.count) }
        guard !candidates.isEmpty else { throw ForecastError.invalidOptions(model: name, detail: "no model form to choose from") }
        let n = Double(y.count)
        let scale = max(1e-12, y.reduce(0) { max($0, abs($1)) })
        let x = y.map { $0 / scale }  // the likelihood's optimum does not depend on the unit; the start does
        var best: (aicc: Double, trend: Trend, p: Parameters, run: Run)?
        for form in candidates {
            let p = Self.estimate(form, x)
            let run = Self.filter(form, p, x)
            guard run.sse.isFinite else { continue }
            // Parameters: α, the initial level, σ; plus β and the initial trend; plus φ.
            let k = Double(2 + (form == .none ? 0 : 2) + (form == .damped ? 1 : 0) + 1)
            // A constant series fits exactly (SSE 0): every form ties at the floor, and the fewest parameters win.
            let criterion = n * log(max(run.sse / n, 1e-300)) + 2 * k + (n - k - 1 > 0 ? 2 * k * (k + 1) / (n - k - 1) : .infinity)
            if best == nil || criterion < best!.aicc { best = (criterion, form, p, run) }
        }
        guard let b = best else { throw ForecastError.invalidOptions(model: name, detail: "no model form could be fitted (non-finite values?)") }
        trend = b.trend
        alpha = b.p.alpha
        beta = b.trend == .none ? 0 : b.p.beta
        phi = b.trend == .damped ? b.p.phi : 1
        aicc = b.aicc
        level = b.run.level * scale
        slope = b.run.slope * scale
        let k = b.trend == .none ? 2.0 : (b.trend == .damped ? 5 : 4)
        sigma = (b.run.sse / max(1, n - k)).squareRoot() * scale
        fitted = true
    }

    public func forecast(horizon: Int, level coverage: Double) throws -> Forecast {
        guard fitted else { throw ForecastError.notFitted(model: name) }
        let z = normalQuantile(0.5 + coverage / 2)
        var point: [Double] = [], lower: [Double] = [], upper: [Double] = []
        var damping = 0.0, power = 1.0  // φ + … + φ^h
        var variance = 0.0  // Σ_{j<h} c_j²
        for h in 1...max(1, horizon) where h <= horizon {
            let cj = alpha + beta * damping  // c_{h−1}, from the damping sum up to h − 1
            if h > 1 { variance += cj * cj }
            power *= phi
            damping += power
            let f = level + damping * slope
            let w = z * sigma * (1 + variance).squareRoot()
            point.append(f)
            lower.append(f - w)
            upper.append(f + w)
        }
        return Forecast(point: point, lower: lower, upper: upper, level: coverage)
    }

    public var summary: String {
        guard fitted else { return "\(name): not fitted" }
        var text = "ETS(A,\(trend.rawValue),N) alpha \(String(format: "%.4f", alpha))"
        if trend != .none { text += " beta \(String(format: "%.4f", beta))" }
        if trend == .damped { text += " phi \(String(format: "%.3f", phi))" }
        return text + ", AICc \(String(format: "%.1f", aicc))"
    }

    struct Parameters { var alpha: Double, beta: Double, phi: Double, level0: Double, slope0: Double }
    struct Run { var sse: Double, level: Double, slope: Double }

    /// One pass of the recursions: the sum of squared one-step errors and the final states.
    static func filter(_ form: Trend, _ p: Parameters, _ y: [Double]) -> Run {
        var l = p.level0, b = form == .none ? 0 : p.slope0
        let phi = form == .damped ? p.phi : 1
        let beta = form == .none ? 0 : p.beta
        var sse = 0.0
        for v in y {
            let e = v - (l + phi * b)
            sse += e * e
            l = l + phi * b + p.alpha * e
            b = phi * b + beta * e
        }
        return Run(sse: sse, level: l, slope: b)
    }

    /// Maximum likelihood by BFGS over unconstrained coordinates: α = 1e-4 + 0.9998 σ(u0) (R's bounds), β = α σ(u1),
    /// φ = 0.8 + 0.18 σ(u2).
    static func estimate(_ form: Trend, _ y: [Double]) -> Parameters {
        @Sendable func logistic(_ u: Double) -> Double { 1 / (1 + exp(-u)) }
        func logit(_ p: Double) -> Double { log(p / (1 - p)) }
        let head = Array(y.prefix(10))
        let level0 = head.reduce(0, +) / Double(head.count)
        let slope0 = y.count > 20 ? (y[10..<20].reduce(0, +) - y[0..<10].reduce(0, +)) / 100 : 0
        @Sendable func parameters(_ u: [Double]) -> Parameters {
            let a = 1e-4 + (0.9999 - 1e-4) * logistic(u[0])
            return Parameters(
                alpha: a, beta: form == .none ? 0 : a * logistic(u[1]), phi: form == .damped ? 0.8 + 0.18 * logistic(u[2]) : 1,
                level0: u[3], slope0: form == .none ? 0 : u[4])
        }
        @Sendable func objective(_ u: [Double]) -> Double {
            let sse = filter(form, parameters(u), y).sse
            return sse.isFinite ? Double(y.count) * log(max(sse / Double(y.count), 1e-300)) : .infinity
        }
        // Starts as R's forecast::ets: α 0.1 (and the larger 0.5 for a fast level), β a tenth of α, φ 0.978.
        var best: (value: Double, u: [Double])?
        for a in [0.1, 0.5] {
            let start = [logit((a - 1e-4) / (0.9999 - 1e-4)), logit(0.1), logit((0.978 - 0.8) / 0.18), level0, slope0]
            let u = BFGS.minimize(objective, from: start, maxIterations: 300)
            let v = objective(u)
            if v.isFinite, best == nil || v < best!.value { best = (v, u) }
        }
        return parameters(best?.u ?? [logit(0.1), logit(0.1), logit(0.99), level0, slope0])
    }
}
