import Foundation

/// Fourier terms `sin(2πkt/P)`, `cos(2πkt/P)`, k = 1…K, for one seasonal period P (in observations).
public struct FourierTerms: Codable, Hashable, Sendable {
    public var period: Double
    public var harmonics: Int

    public init(period: Double, harmonics: Int) {
        self.period = period
        self.harmonics = harmonics
    }

    /// The columns over time indices `range` (index 0 = the series' first observation). A sine that vanishes
    /// at every integer (k = P/2) is left out.
    public func columns(_ range: Range<Int>) -> [[Double]] {
        var out: [[Double]] = []
        for k in 1...max(1, harmonics) where k <= harmonics {
            let w = 2 * Double.pi * Double(k) / period
            if abs(2 * Double(k) - period) > 1e-9 { out.append(range.map { sin(w * Double($0)) }) }
            out.append(range.map { cos(w * Double($0)) })
        }
        return out
    }
}

/// Automatic ARIMA in the manner of Hyndman & Khandakar (2008): the seasonal difference from the seasonal
/// strength test, the number of first differences from repeated KPSS tests, then a stepwise search over
/// (p, q, P, Q) and the constant by AICc. The search estimates by conditional sum of squares on a common
/// conditioning sample (so that candidates' likelihoods compare); the chosen model is re-estimated by exact
/// maximum likelihood when its state is small enough (see ``exactMLStateLimit``), by CSS otherwise.
///
/// Defaults for sub-daily data (`periodsPerDay > 1`): the seasonal difference is weekly, the seasonal AR/MA
/// factors are daily. Multiple seasonality can instead enter as Fourier regressors with ARIMA errors
/// (``fourier``, and ``seasonal`` false), the `arima-fourier` model of ``ForecasterCatalog``.
public struct AutoARIMA: Forecaster, Codable {
    public var usesRegressors: Bool { true }
    public var name: String
    /// Search bounds (R's defaults).
    public var maxP = 5, maxQ = 5, maxSeasonalP = 2, maxSeasonalQ = 2
    /// Whether seasonal differences and seasonal AR/MA factors are considered.
    public var seasonal = true
    /// Fourier regressors (multiple seasonality), added to any user regressors.
    public var fourier: [FourierTerms] = []
    /// Exact ML is used for the final model when the state dimension `max(p + sP, q + sQ + 1)` is at most this.
    public var exactMLStateLimit = 16
    /// Fix the orders instead of searching (the search still runs the difference tests when nil).
    public var fixedSpec: ARIMASpec?
    /// Candidate models visited by the last search, with their AICc.
    public private(set) var searched: [SearchStep] = []
    /// The fitted model.
    public private(set) var model: ARIMAModel?
    var periodsPerDay = 1
    var fitCount = 0
    /// Exogenous regressors of the last fit and their values over the horizon.
    public private(set) var exogenousNames: [String] = []
    var futureExogenous: [[Double]] = []

    /// One candidate of the stepwise search.
    public struct SearchStep: Codable, Sendable {
        public var spec: ARIMASpec
        public var aicc: Double
    }

    public init(name: String = "arima", seasonal: Bool = true, fourier: [FourierTerms] = []) {
        self.name = name
        self.seasonal = seasonal
        self.fourier = fourier
    }

    /// Fits the model: the differences by unit-root tests, then Hyndman-Khandakar's stepwise search over the
    /// orders by AICc (CSS), then the chosen order estimated with the regressors.
    public mutating func fit(_ history: TimeSeries) throws {
        periodsPerDay = history.periodsPerDay
        let y = history.values
        fitCount = y.count
        guard history.regressorValues.allSatisfy({ $0.count >= y.count }) else {
            throw ForecastError.missingRegressors(model: name, needed: y.count, got: history.regressorValues.map(\.count).min() ?? 0)
        }
        exogenousNames = history.regressorNames
        futureExogenous = history.futureRegressors
        let regressors = fourier.flatMap { $0.columns(0..<y.count) } + history.regressorValues.map { Array($0.prefix(y.count)) }
        if fixedSpec == nil, let constant = Self.constantModel(y) {
            // A constant series (a stuck register, a month of zero PV) has no variance to estimate: R's
            // auto.arima returns its mean with a zero-width interval, and so does this.
            model = constant
            searched = []
            return
        }
        do {
            if let fixedSpec {
                model = try ARIMAModel.fit(y, spec: fixedSpec, regressors: regressors, method: method(for: fixedSpec))
                searched = [SearchStep(spec: fixedSpec, aicc: model!.aicc)]
                return
            }
            // With regressors, the tests and the search run on the series minus its OLS regression on them (as
            // R's auto.arima chooses d); the chosen model is then estimated jointly with the regressors.
            let target = regressors.isEmpty ? y : try Self.regressionResiduals(y, regressors)
            var search = OrderSearch(self, series: y, target: target)
            let (best, bestScore) = search.run()
            searched = search.searched
            guard bestScore.isFinite else { throw ARIMAError.estimationFailed("no candidate model could be estimated") }
            do {
                model = try ARIMAModel.fit(y, spec: best, regressors: regressors, method: method(for: best))
            } catch {
                model = try ARIMAModel.fit(y, spec: best, regressors: regressors, method: .css)
            }
        } catch let e as ARIMAError {
            if case let .tooShort(needed, got) = e { throw ForecastError.historyTooShort(model: name, needed: needed, got: got) }
            throw e
        }
    }

    /// The stepwise order search on one (regression-free) series: its differences and the candidates' AICc.
    struct OrderSearch {
        let target: [Double]
        let maxP: Int, maxQ: Int, maxSP: Int, maxSQ: Int
        let d: Int, bigD: Int
        let armaPeriod: Int, differencePeriod: Int
        let conditioning: Int
        let allowConstant: Bool
        var cache: [ARIMASpec: Double] = [:]
        var searched: [SearchStep] = []

        /// The differences: seasonal (weekly, else daily) by the seasonal strength test, then ordinary ones by
        /// KPSS; the seasonal ARMA period is a day for sub-daily data, a week for daily data.
        init(_ auto: AutoARIMA, series y: [Double], target: [Double]) {
            self.target = target
            let n = target.count
            let day = max(1, auto.periodsPerDay)
            let week = auto.periodsPerDay > 1 ? 7 * day : 7
            armaPeriod = auto.periodsPerDay > 1 ? day : 7
            var differencePeriod = week
            var bigD = 0
            if auto.seasonal {
                if n >= 3 * week { bigD = UnitRoot.seasonalDifferences(target, period: week) }
                if bigD == 0, n >= 3 * armaPeriod, armaPeriod != week {
                    bigD = UnitRoot.seasonalDifferences(target, period: armaPeriod)
                    if bigD == 1 { differencePeriod = armaPeriod }
                }
            }
            var w = target
            // The ordinary differences are tested on the seasonally differenced series itself (not on its
            // regression residuals), as before the search was a type of its own.
            if bigD == 1 { w = (differencePeriod..<n).map { y[$0] - y[$0 - differencePeriod] } }
            d = UnitRoot.differences(w, max: 2 - bigD)
            self.bigD = bigD
            self.differencePeriod = differencePeriod
            let seasonalARMA = auto.seasonal && armaPeriod > 1
            maxP = auto.maxP
            maxQ = auto.maxQ
            maxSP = seasonalARMA ? auto.maxSeasonalP : 0
            maxSQ = seasonalARMA ? auto.maxSeasonalQ : 0
            conditioning = maxP + armaPeriod * maxSP
            allowConstant = d + bigD <= 1
        }

        mutating func score(_ s: ARIMASpec) -> Double {
            if let v = cache[s] { return v }
            let v = (try? ARIMAModel.fit(target, spec: s, method: .css, conditioning: conditioning).aicc) ?? .infinity
            cache[s] = v
            searched.append(SearchStep(spec: s, aicc: v))
            return v
        }

        func spec(_ p: Int, _ q: Int, _ sp: Int, _ sq: Int, _ c: Bool) -> ARIMASpec {
            ARIMASpec(p: p, d: d, q: q, P: sp, D: bigD, Q: sq, period: armaPeriod, differencePeriod: differencePeriod, constant: c && allowConstant)
        }

        /// Four (five) starting orders, then single moves from the best while one improves the AICc.
        mutating func run() -> (best: ARIMASpec, score: Double) {
            var starts = [
                spec(2, 2, min(1, maxSP), min(1, maxSQ), true), spec(0, 0, 0, 0, true),
                spec(1, 0, min(1, maxSP), 0, true), spec(0, 1, 0, min(1, maxSQ), true)
            ]
            if allowConstant { starts.append(spec(0, 0, 0, 0, false)) }
            var best = starts[0], bestScore = Double.infinity
            for s in starts where !cache.keys.contains(s) {
                let v = score(s)
                if v < bestScore { (best, bestScore) = (s, v) }
            }
            var improved = true
            while improved && cache.count < 94 {
                improved = false
                for s in moves(from: best) where !cache.keys.contains(s) {
                    let v = score(s)
                    if v < bestScore {
                        (best, bestScore) = (s, v)
                        improved = true
                        break
                    }
                }
            }
            return (best, bestScore)
        }

        /// The orders one step from `b`: seasonal and non-seasonal AR and MA up or down (alone and together), and
        /// the constant switched.
        func moves(from b: ARIMASpec) -> [ARIMASpec] {
            var moves: [ARIMASpec] = []
            for (dp, dq, dsp, dsq) in [
                (0, 0, -1, 0), (0, 0, 1, 0), (0, 0, 0, -1), (0, 0, 0, 1), (0, 0, -1, -1), (0, 0, 1, 1),
                (-1, 0, 0, 0), (1, 0, 0, 0), (0, -1, 0, 0), (0, 1, 0, 0), (-1, -1, 0, 0), (1, 1, 0, 0),
                (1, -1, 0, 0), (-1, 1, 0, 0)
            ] {
                let p = b.p + dp, q = b.q + dq, sp = b.P + dsp, sq = b.Q + dsq
                guard (0...maxP).contains(p), (0...maxQ).contains(q), (0...maxSP).contains(sp), (0...maxSQ).contains(sq) else { continue }
                moves.append(spec(p, q, sp, sq, b.constant))
            }
            if allowConstant { moves.append(spec(b.p, b.q, b.P, b.Q, !b.constant)) }
            return moves
        }
    }

    /// ARIMA(0,0,0) with mean and zero variance when every value of `y` is the same (to 1e-12 of its size).
    static func constantModel(_ y: [Double]) -> ARIMAModel? {
        guard let low = y.min(), let high = y.max(), high - low <= 1e-12 * max(1, abs(high), abs(low)) else { return nil }
        let mean = y.reduce(0, +) / Double(y.count)
        return ARIMAModel(
            spec: ARIMASpec(p: 0, d: 0, q: 0), method: .css, coefficients: [], beta: [mean], sigma2: 0, logLikelihood: 0,
            observations: y.count, aicc: 0, y: y, regressors: [])
    }

    /// `y` minus its least-squares fit on the regressors (without the intercept's share).
    static func regressionResiduals(_ y: [Double], _ regressors: [[Double]]) throws -> [Double] {
        let beta = try ARIMAModel.ols(y, [[Double](repeating: 1, count: y.count)] + regressors)
        return (0..<y.count).map { t in y[t] - regressors.indices.reduce(0) { $0 + beta[$1 + 1] * regressors[$1][t] } }
    }

    func method(for s: ARIMASpec) -> ARIMAMethod {
        max(s.arLags, s.maLags + 1) <= exactMLStateLimit ? .exactML : .css
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard let model else { throw ForecastError.notFitted(model: name) }
        // The constant model of a constant series has no regressor columns and needs none over the horizon.
        if model.regressors.isEmpty { return try model.forecast(horizon: horizon, level: level) }
        if let short = futureExogenous.map(\.count).min(), short < horizon {
            throw ForecastError.missingRegressors(model: name, needed: horizon, got: short)
        }
        let future = fourier.flatMap { $0.columns(fitCount..<(fitCount + horizon)) } + futureExogenous.map { Array($0.prefix(horizon)) }
        return try model.forecast(horizon: horizon, level: level, futureRegressors: future)
    }

    /// A one-line description of the chosen model.
    public var summary: String {
        guard let model else { return "\(name): not fitted" }
        if model.sigma2 == 0 && searched.isEmpty { return "\(model.spec): a constant series, forecast with a zero-width interval" }
        let fourierText = fourier.isEmpty ? "" : " + Fourier " + fourier.map { "K=\($0.harmonics)@\(Int($0.period))" }.joined(separator: ", ")
        let exogText = exogenousNames.isEmpty ? "" : " + regressors " + exogenousNames.joined(separator: ", ")
        return
            "\(model.spec)\(fourierText)\(exogText), \(model.method == .exactML ? "exact ML" : "CSS"), AICc \(String(format: "%.1f", model.aicc)), \(searched.count) candidates"
    }
}
