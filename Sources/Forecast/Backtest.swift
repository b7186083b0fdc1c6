import DataIO
import Foundation

/// Scores of one model over a rolling-origin backtest.
public struct BacktestScore: Sendable {
    public var model: String
    public var mae: Double
    public var rmse: Double
    /// Percent.
    public var mape: Double
    /// Scaled by the weekly seasonal naive's in-sample MAE on each training window.
    public var mase: Double
    /// Share of actuals inside the prediction interval (the calibrated one when the backtest calibrates).
    public var coverage: Double
    /// The interval's nominal level (``Backtest/level``).
    public var level = 0.95
    /// Mean width of that interval.
    public var width: Double = .nan
    /// Mean scaled interval score (MSIS, the M4 competition's interval measure): the interval score of
    /// ``Metrics/intervalScores(_:lower:upper:level:)`` at each test observation divided by the same scale as MASE.
    /// It weighs width against misses in one number: lower is better.
    public var msis: Double = .nan
    /// Pinball loss of the interval's lower end at 0.025, the point at 0.5 and the upper end at 0.975 (for a
    /// 95 % interval; at (1 - level) / 2, 0.5 and (1 + level) / 2 in general).
    public var pinball: (lower: Double, median: Double, upper: Double) = (.nan, .nan, .nan)
    /// Coverage and mean width of the model's own interval, before calibration (equal to the above without it).
    public var rawCoverage: Double = .nan
    public var rawWidth: Double = .nan
    /// Whether the intervals were calibrated (split conformal).
    public var calibrated = false
    /// Coverage and mean width of the interval over the observations outside the dark slots (``PhysicalBounds``:
    /// PV at night, forecast 0 with a [0, 0] interval, which covers a zero reading trivially and so inflates
    /// ``coverage``); nil when no test observation fell in a dark slot.
    public var daylightCoverage: Double?
    public var daylightWidth: Double?
    /// How many test observations those two are over (0 when they are nil).
    public var daylightObservations = 0
    /// What the dark slots are forecast: 0, or a PV meter's standby ``PhysicalBounds/floor``.
    public var darkValue = 0.0
    /// Seconds spent fitting, over all origins.
    public var fitSeconds: Double
    /// Each test day's forecast and what happened, for reports.
    public var days: [BacktestDay] = []
}

extension BacktestScore {
    /// Sets the daylight figures from the test observations and whether each fell in a dark slot (left nil when
    /// none or all did).
    mutating func scoreDaylight(actual: [Double], lower: [Double], upper: [Double], dark: [Bool]) {
        guard dark.contains(true), dark.contains(false) else { return }
        let lit = dark.indices.filter { !dark[$0] }
        daylightCoverage = Metrics.coverage(lit.map { actual[$0] }, lower: lit.map { lower[$0] }, upper: lit.map { upper[$0] })
        daylightWidth = Metrics.mean(lit.map { upper[$0] - lower[$0] })
        daylightObservations = lit.count
    }
}

/// One origin of a backtest: the forecast from `origin` and the actual values.
public struct BacktestDay: Sendable {
    /// Index of the first forecast observation in the series.
    public var origin: Int
    public var actual: [Double]
    public var point: [Double]
    public var lower: [Double]
    public var upper: [Double]
}

/// Rolling-origin evaluation: for each of the last `testDays` days, fit on everything before the day, forecast
/// `horizon` observations, score against what happened. Every forecast keeps the ``PhysicalBounds`` of the
/// history it was fitted on (no negative values for a series that never had one, zero in dark slots).
public struct Backtest: Sendable {
    public var horizon: Int
    public var testDays: Int
    public var level = 0.95
    /// Split-conformal calibration: the rolling origins of the `calibrationDays` days before each test day give
    /// the absolute errors that set its interval (0: the models' own intervals). The calibration origins come
    /// before the test days, so a test day's interval never sees its own errors.
    public var calibrationDays = 0
    /// Horizon steps pooled on each side of a step when calibrating it (errors of neighbouring steps, so that a
    /// few days give enough errors for a 95 % quantile).
    public var calibrationPool = 2
    /// Adaptive conformal inference (Gibbs and Candes 2021) on top of the calibration: after each test day the
    /// miscoverage level moves by `gamma * ((1 - level) - the day's miss rate)`, so a stretch of over- or
    /// under-coverage is corrected on the next days (0: plain split conformal). The quantile level is kept in
    /// [0.5, 0.999]. The miss rate counts the steps outside the dark hours only (PV at night is covered by [0, 0]
    /// by construction, and counting it would narrow the daylight interval). `peergrid backtest` uses
    /// ``recommendedAdaptiveGamma`` with `--calibration-days` unless told otherwise.
    public var adaptiveGamma = 0.0

    /// The `gamma` `peergrid backtest` uses with `--calibration-days` unless told otherwise:
    /// on 20 series (national, regional, household and PV, 14 calibration and 14 test days, six statistical
    /// models; PV's coverage outside the dark hours) it put 98 of the 120 coverages within 93-97 %, against 60 with
    /// plain split conformal (README, *Adaptive conformal by default*; `scripts/conformal-default-check.sh`).
    public static let recommendedAdaptiveGamma = 0.5

    /// One step of adaptive conformal inference: `alpha` moved by `gamma * ((1 - level) - the miss rate)` of a
    /// day's interval, the miss rate counted outside the dark hours of `bounds` (unchanged when every step is dark).
    public static func adaptedMiscoverage(
        _ alpha: Double, gamma: Double, level: Double, actual: [Double], lower: [Double], upper: [Double], bounds: PhysicalBounds
    ) -> Double {
        let lit = actual.indices.filter { $0 < lower.count && $0 < upper.count && !(bounds.hasDarkHours && bounds.isDark(step: $0)) }
        guard !lit.isEmpty else { return alpha }
        let misses = lit.filter { actual[$0] < lower[$0] || actual[$0] > upper[$0] }.count
        return alpha + gamma * ((1 - level) - Double(misses) / Double(lit.count))
    }

    /// The conformal quantile level for a miscoverage `alpha`, kept in [0.5, 0.999].
    public static func quantileLevel(_ alpha: Double) -> Double { min(0.999, max(0.5, 1 - alpha)) }

    public init(horizon: Int, testDays: Int, level: Double = 0.95, calibrationDays: Int = 0) {
        self.horizon = horizon
        self.testDays = testDays
        self.level = level
        self.calibrationDays = calibrationDays
    }

    /// The conformal half-width of each horizon step from earlier origins' errors: with the `n` absolute errors
    /// of step `h` and its pooled neighbours, the ceil((n + 1) level)-th smallest (the largest when that
    /// exceeds n); nil for a step without errors.
    public static func conformalHalfWidths(errors: [[Double]], horizon: Int, level: Double, pool: Int) -> [Double?] {
        (0..<horizon).map { h in
            var r: [Double] = []
            for e in errors { for j in max(0, h - pool)...min(horizon - 1, h + pool) where j < e.count { r.append(abs(e[j])) } }
            guard !r.isEmpty else { return nil }
            r.sort()
            let k = Int((Double(r.count + 1) * level).rounded(.up))
            return r[min(r.count, max(1, k)) - 1]
        }
    }

    /// Fit the origins side by side on every core (DataIO's ``concurrentOutcomes``). Each origin's fit is a
    /// function of its history prefix alone, so the scores are those of one origin after another; only the wall
    /// time changes (`fitSeconds` still sums each fit's own time). Off by default, so that `benchmark forecast` fits one
    /// origin at a time beside its single-threaded references (within a fit, `ensemble`'s and `auto`'s validation
    /// and the BFGS gradients of the exact-ML and ETS fits still use every core); `peergrid backtest` turns it on
    /// where ``fitsOriginsConcurrently(_:)`` says.
    public var concurrentOrigins = false

    /// Whether a model's origins may be fitted side by side: not `ensemble` and `auto`, which spread their own
    /// validation fits over the cores and reuse the previous origin's (``ForecastCache``), nor the networks, which
    /// train over every core and draw their epochs on the terminal.
    public static func fitsOriginsConcurrently(_ model: any Forecaster) -> Bool {
        let model = HolidayForecaster.unwrapped(model)
        return !(model is EnsembleForecaster || model is AutoSelectForecaster || model is NeuralForecaster)
    }

    /// One origin's fit: the forecast (physical bounds applied), the bounds, the fit's seconds and the MASE scale.
    struct OriginFit: Sendable {
        var forecast: Forecast
        var bounds: PhysicalBounds
        var seconds: Double
        var scale: Double
    }

    /// Runs `model` over the series; `progress` is called after each origin (from the workers, one call at a time,
    /// with the number done so far, when ``concurrentOrigins`` is on).
    public func run(
        _ model: any Forecaster, on series: TimeSeries,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> BacktestScore {
        let day = series.periodsPerDay
        let week = 7 * day
        let calibration = max(0, calibrationDays)
        let firstOrigin = series.count - (testDays + calibration) * day
        guard horizon > 0, testDays > 0, firstOrigin > week else {
            throw ForecastError.historyTooShort(model: model.name, needed: (testDays + calibration) * day + week + 1, got: series.count)
        }
        let total = testDays + calibration
        let fits = try fitOrigins(model, on: series, firstOrigin: firstOrigin, total: total, calibration: calibration, progress: progress)
        var errors: [[Double]] = []
        var rawLower: [Double] = [], rawUpper: [Double] = []
        var actual: [Double] = [], predicted: [Double] = [], lower: [Double] = [], upper: [Double] = [], dark: [Bool] = []
        var scaledErrors: [Double] = [], scaledIntervalScores: [Double] = []
        var fitSeconds = 0.0, darkValue = 0.0
        var days: [BacktestDay] = []
        var alpha = 1 - level
        for d in 0..<total {
            let origin = firstOrigin + d * day
            let (f, bounds, scale) = (fits[d].forecast, fits[d].bounds, fits[d].scale)
            fitSeconds += fits[d].seconds
            let n = min(horizon, series.count - origin)
            let y = Array(series.values[origin..<(origin + n)])
            let point = Array(f.point.prefix(n))
            defer { errors.append(zip(y, point).map { $0 - $1 }) }
            if d < calibration { continue }
            var lo = Array(f.lower.prefix(n)), hi = Array(f.upper.prefix(n))
            rawLower += lo
            rawUpper += hi
            if calibration > 0 {
                let widths = Self.conformalHalfWidths(
                    errors: Array(errors.suffix(calibration)), horizon: n, level: Self.quantileLevel(alpha), pool: calibrationPool)
                for j in 0..<n {
                    if let w = widths[j] { (lo[j], hi[j]) = (point[j] - w, point[j] + w) }
                }
                let bounded = bounds.apply(Forecast(point: point, lower: lo, upper: hi, level: level))
                (lo, hi) = (bounded.lower, bounded.upper)
                if adaptiveGamma > 0 {
                    alpha = Self.adaptedMiscoverage(alpha, gamma: adaptiveGamma, level: level, actual: y, lower: lo, upper: hi, bounds: bounds)
                }
            }
            actual += y
            dark += (0..<n).map { bounds.hasDarkHours && bounds.isDark(step: $0) }
            if let floor = bounds.floor, bounds.hasDarkHours { darkValue = floor }
            predicted += point
            lower += lo
            upper += hi
            days.append(BacktestDay(origin: origin, actual: y, point: point, lower: lo, upper: hi))
            scaledErrors += zip(y, f.point).map { abs($0 - $1) / scale }
            scaledIntervalScores += Metrics.intervalScores(y, lower: lo, upper: hi, level: level).map { $0 / scale }
        }
        var score = BacktestScore(
            model: model.name, mae: Metrics.mae(actual, predicted), rmse: Metrics.rmse(actual, predicted),
            mape: Metrics.mape(actual, predicted), mase: Metrics.mean(scaledErrors),
            coverage: Metrics.coverage(actual, lower: lower, upper: upper), fitSeconds: fitSeconds, days: days)
        let tail = (1 - level) / 2
        score.width = Metrics.mean(zip(upper, lower).map { $0 - $1 })
        score.msis = Metrics.mean(scaledIntervalScores)
        score.pinball = (
            Metrics.pinball(actual, lower, quantile: tail), Metrics.pinball(actual, predicted, quantile: 0.5),
            Metrics.pinball(actual, upper, quantile: 1 - tail)
        )
        score.darkValue = darkValue
        score.level = level
        score.rawCoverage = Metrics.coverage(actual, lower: rawLower, upper: rawUpper)
        score.rawWidth = Metrics.mean(zip(rawUpper, rawLower).map { $0 - $1 })
        score.calibrated = calibration > 0
        score.scoreDaylight(actual: actual, lower: lower, upper: upper, dark: dark)
        return score
    }

    /// Each origin's fit and forecast (physical bounds applied), one after another or side by side
    /// (``concurrentOrigins``); calibration origins (the first `calibration`) get a MASE scale of 1.
    func fitOrigins(
        _ model: any Forecaster, on series: TimeSeries, firstOrigin: Int, total: Int, calibration: Int,
        progress: (@Sendable (Int, Int) -> Void)?
    ) throws -> [OriginFit] {
        let day = series.periodsPerDay, week = 7 * series.periodsPerDay
        let (horizon, level) = (self.horizon, self.level)
        let fit: @Sendable (Int) throws -> OriginFit = { d in
            var m = model
            let history = series.prefix(firstOrigin + d * day)
            let start = DispatchTime.now().uptimeNanoseconds
            try m.fit(history)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let bounds = PhysicalBounds(history: history)
            let f = bounds.apply(try m.forecast(horizon: horizon, level: level))
            // Calibration origins only record their errors; test origins are also scaled for MASE.
            let scale = d < calibration ? 1 : Metrics.seasonalNaiveScale(history.values, period: week)
            return OriginFit(forecast: f, bounds: bounds, seconds: seconds, scale: scale)
        }
        guard concurrentOrigins && total > 1 else {
            var fits: [OriginFit] = []
            for d in 0..<total {
                fits.append(try fit(d))
                progress?(d + 1, total)
            }
            return fits
        }
        let reported = ProgressCounter()
        return try concurrentOutcomes(total) { d in
            let r = try fit(d)
            if let progress { reported.next { progress($0, total) } }
            return r
        }.map { try $0.get() }
    }
}
