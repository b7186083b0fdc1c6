import Foundation

/// A forecast combination (the lesson of the M4 and M5 competitions): the weekly seasonal naive, `ar-weekly`,
/// `arima`, `mstl-arima` and `mstl-ets` (and, for a generation series such as PV, yesterday's profile and the 7-day mean:
/// ``generationMemberNames``), weighted from their forecasts on a rolling-origin validation over the last days of
/// the history (``validationDays``; each member refitted before each validation day, as in a backtest):
/// a constrained least-squares stack by default, or the inverse of their mean squared errors. Its 95 % interval is split conformal from the combination's own validation errors, per horizon
/// step with two neighbouring steps pooled on each side (``Backtest/conformalHalfWidths(errors:horizon:level:pool:)``).
/// Past the validated day (a horizon longer than a day) each step takes the width of the same step of that day,
/// times the growth of the members' own weighted half-width from that step to this one (never narrower).
public struct EnsembleForecaster: Forecaster, Codable {
    /// Through its `arima` and `mstl-arima` members.
    public var usesRegressors: Bool { true }
    public let name: String
    /// Rolling-origin validation days (the weights and the interval come from them). `nil`, the default, chooses
    /// by series: ``loadValidationDays`` for a series without dark hours (load, demand), fewer (down to 7) when
    /// the history is short; ``generationValidationDays`` for a generation series.
    public var validationDays: Int?
    /// Members, by catalog name; weights in the same order (they sum to 1).
    public private(set) var members: [String] = []
    public private(set) var weights: [Double] = []
    var naive: SeasonalNaiveForecaster?
    var arWeekly: WeeklyDifferenceAR?
    var arima: AutoARIMA?
    var mstl: MSTLARIMA?
    /// Absent from files written before `mstl-ets` became a member (2026-12-04).
    var mstlETS: MSTLETS?
    var naiveDay: SeasonalNaiveForecaster?
    var meanDay: SeasonalMeanForecaster?
    /// The combination's validation errors, one array per validation day.
    var errors: [[Double]] = []
    var fallbackSigma = 0.0

    public static let memberNames = ["seasonal-naive", "ar-weekly", "arima", "mstl-arima", "mstl-ets"]
    /// Members added for a generation series: one whose history has a time of day that was zero on each of the
    /// last 14 days (``PhysicalBounds``; PV at night). Its output follows the days' weather, not the week, and
    /// the weekly members alone trail yesterday's profile by a fifth on PV (README, `ensemble`); on a load
    /// series, yesterday's profile is wrong after every weekend, so they are not added there.
    public static let generationMemberNames = ["seasonal-naive-day", "seasonal-mean-day"]
    /// Validation days of a load series: two weeks, so each weekday is validated twice (since 2026-12-05; it was
    /// 7). Replayed on 18 series (`Benchmarks/ensemble_window.py`, README `ensemble`): the two weeks were better
    /// on 9 of the 13 load series (all three demand series, Victoria by 7 %) and at most 1.1 % worse on the others.
    public static let loadValidationDays = 14
    /// Validation days of a generation series: one week, as PV follows the recent weather (two weeks were 4-6 %
    /// worse on the three metered PV series of the same replay).
    public static let generationValidationDays = 7

    /// The candidate members for `history`, in the order their weights are kept.
    public static func candidates(for history: TimeSeries) -> [String] {
        memberNames + (PhysicalBounds(history: history).darkSlots.isEmpty ? [] : generationMemberNames)
    }

    /// How the members' validation forecasts become weights.
    public enum Weighting: String, Codable, Sendable {
        /// w ∝ 1 / MSE.
        case inverseMSE = "inverse-mse"
        /// Least squares of the actuals on the members' forecasts with w >= 0 and sum w = 1 (a constrained stack).
        case stack
    }
    public var weighting: Weighting

    public init(name: String = "ensemble", validationDays: Int? = nil, weighting: Weighting = .stack) {
        self.name = name
        self.validationDays = validationDays
        self.weighting = weighting
    }

    /// argmin ||target - sum_k w_k columns[k]||^2 over the simplex (w >= 0, sum w = 1), by projected gradient on
    /// the Gram matrix (a few members: exact to well below forecast noise after the fixed iteration count).
    static func simplexLeastSquares(columns: [[Double]], target: [Double]) -> [Double] {
        let k = columns.count
        guard k > 1 else { return [Double](repeating: 1, count: k) }
        // Centred on the target's scale so the step size does not depend on the units.
        var gram = [Double](repeating: 0, count: k * k), b = [Double](repeating: 0, count: k)
        for i in 0..<k {
            for j in 0..<k { gram[i * k + j] = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            b[i] = zip(columns[i], target).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let lipschitz = max(1e-300, 2 * (0..<k).reduce(0) { $0 + gram[$1 * k + $1] })
        var w = [Double](repeating: 1 / Double(k), count: k)
        for _ in 0..<20_000 {
            var step = w
            for i in 0..<k {
                var g = -2 * b[i]
                for j in 0..<k { g += 2 * gram[i * k + j] * w[j] }
                step[i] -= g / lipschitz
            }
            w = projectOntoSimplex(step)
        }
        return w
    }

    /// Euclidean projection onto {w >= 0, sum w = 1} (Held, Wolfe and Crowder's sort-based rule).
    static func projectOntoSimplex(_ v: [Double]) -> [Double] {
        let u = v.sorted(by: >)
        var sum = 0.0, theta = 0.0
        for (i, x) in u.enumerated() {
            sum += x
            let t = (sum - 1) / Double(i + 1)
            if x - t > 0 { theta = t }
        }
        return v.map { max(0, $0 - theta) }
    }

    /// The validation days a fit on `history` uses: `requested` when given; otherwise by the kind of series, a load
    /// series' two weeks cut to the whole days that leave more than a week of history before the first origin
    /// (but not below a generation series' week, so a history too short for that is refused as before).
    static func validationDays(requested: Int?, generation: Bool, history: TimeSeries) -> Int {
        if let requested { return requested }
        if generation { return generationValidationDays }
        let available = (history.count - 1) / max(1, history.periodsPerDay) - 7
        return min(loadValidationDays, max(available, generationValidationDays))
    }

    /// How many of the newest validation days a member fitted, when its failures are all on the oldest days (a
    /// history too short there); 0 when it failed on a day after one it fitted.
    static func newestRun(_ fitted: [Bool]) -> Int {
        let run = fitted.reversed().prefix { $0 }.count
        return fitted.filter { $0 }.count == run ? run : 0
    }

    var fittedMembers: [any Forecaster] {
        var all: [any Forecaster] = []
        if let naive { all.append(naive) }
        if let arWeekly { all.append(arWeekly) }
        if let arima { all.append(arima) }
        if let mstl { all.append(mstl) }
        if let mstlETS { all.append(mstlETS) }
        if let naiveDay { all.append(naiveDay) }
        if let meanDay { all.append(meanDay) }
        return all
    }

    /// The members' weights from their validation forecasts (`forecasts[member][day]`) and the actual days.
    static func weights(_ forecasts: [[[Double]]], actual: [[Double]], weighting: Weighting) -> [Double] {
        switch weighting {
        case .inverseMSE:
            let mse = forecasts.map { f -> Double in
                var sum = 0.0, n = 0
                for d in actual.indices { for j in actual[d].indices { sum += (actual[d][j] - f[d][j]) * (actual[d][j] - f[d][j]); n += 1 } }
                return max(1e-12, sum / Double(max(1, n)))
            }
            let total = mse.reduce(0) { $0 + 1 / $1 }
            return mse.map { 1 / $0 / total }
        case .stack:
            return simplexLeastSquares(columns: forecasts.map { Array($0.joined()) }, target: Array(actual.joined()))
        }
    }

    public mutating func fit(_ history: TimeSeries) throws {
        let day = history.periodsPerDay
        let candidates = Self.candidates(for: history)
        let validationDays = Self.validationDays(requested: validationDays, generation: candidates.count > Self.memberNames.count, history: history)
        guard validationDays >= 1 else { throw ForecastError.invalidOptions(model: name, detail: "validation days must be at least 1") }
        let firstOrigin = history.count - validationDays * day
        guard firstOrigin > 7 * day else {
            throw ForecastError.historyTooShort(model: name, needed: validationDays * day + 7 * day + 1, got: history.count)
        }
        // Validation: every member that fits on every origin takes part. The (day, member) fits are independent and
        // run on every core; each is memoized (in a backtest the next origin's fit validates on all but one of these
        // days again).
        let origins = (0..<validationDays).map { firstOrigin + $0 * day }
        let pasts = origins.map { history.prefix($0) }
        let fingerprints = pasts.map(ForecastCache.fingerprint)
        let horizons = origins.map { min(history.count, $0 + day) - $0 }
        let actual = zip(origins, horizons).map { Array(history.values[$0..<($0 + $1)]) }
        let outcomes = ForecastCache.concurrently(validationDays * candidates.count) { job in
            let d = job / candidates.count, member = candidates[job % candidates.count]
            return try ForecastCache.shared.point(model: member, history: pasts[d], fingerprint: fingerprints[d], horizon: horizons[d], bounded: false) {
                var m = try ForecasterCatalog.make(member, periodsPerDay: day)
                try m.fit(pasts[d])
                return Array(try m.forecast(horizon: horizons[d], level: 0.95).point)
            }
        }
        // A member that needs more history than the oldest validation days have (MSTL wants two weeks) fails on
        // those days only. It still takes part when it fits on at least a week of the newest days (or on all of
        // them, when fewer are validated); the weights are then learned on the newest days every member fitted.
        // On a long history every member fits every day and all of them are used, as before 2026-12-05; a member
        // that fails on a day after one it fitted is left out, as before.
        let runs = candidates.indices.map { k in
            Self.newestRun((0..<validationDays).map { (try? outcomes[$0 * candidates.count + k].get()) != nil })
        }
        let minimum = min(validationDays, Self.generationValidationDays)
        let usable = candidates.indices.filter { runs[$0] >= minimum }
        guard let window = usable.map({ runs[$0] }).min() else {
            throw ForecastError.historyTooShort(model: name, needed: firstOrigin + 1, got: history.count)
        }
        let days = (validationDays - window)..<validationDays
        let memberForecasts: [[[Double]]] = try usable.map { k in try days.map { try outcomes[$0 * candidates.count + k].get() } }
        let scored = Array(actual[days])
        members = usable.map { candidates[$0] }
        weights = Self.weights(memberForecasts, actual: scored, weighting: weighting)
        errors = []
        for d in 0..<window {
            var e = scored[d]
            for (k, w) in weights.enumerated() { for j in e.indices { e[j] -= w * memberForecasts[k][d][j] } }
            errors.append(e)
        }
        let all = errors.joined()
        fallbackSigma = (all.reduce(0) { $0 + $1 * $1 } / Double(max(1, all.count))).squareRoot()
        // The members again on the whole history.
        (naive, arWeekly, arima, mstl, mstlETS, naiveDay, meanDay) = (nil, nil, nil, nil, nil, nil, nil)
        let fingerprint = ForecastCache.fingerprint(history)
        for member in members {
            var m = try ForecasterCatalog.make(member, periodsPerDay: day)
            try m.fit(history)
            // The next day's forecast is the newest validation day of a fit one day later.
            if let next = try? m.forecast(horizon: day, level: 0.95).point {
                ForecastCache.shared.store(Array(next), model: member, history: history, fingerprint: fingerprint, horizon: day, bounded: false)
            }
            switch member {
            case "seasonal-naive": naive = m as? SeasonalNaiveForecaster
            case "ar-weekly": arWeekly = m as? WeeklyDifferenceAR
            case "arima": arima = m as? AutoARIMA
            case "mstl-arima": mstl = m as? MSTLARIMA
            case "mstl-ets": mstlETS = m as? MSTLETS
            case "seasonal-naive-day": naiveDay = m as? SeasonalNaiveForecaster
            default: meanDay = m as? SeasonalMeanForecaster
            }
        }
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        let fitted = fittedMembers
        guard !fitted.isEmpty, fitted.count == weights.count else { throw ForecastError.notFitted(model: name) }
        var point = [Double](repeating: 0, count: horizon)
        // The members' own half-widths, weighted: how their intervals grow with the lead time.
        var memberHalf = [Double](repeating: 0, count: horizon)
        for (m, w) in zip(fitted, weights) {
            let f = try m.forecast(horizon: horizon, level: level)
            for j in 0..<horizon {
                point[j] += w * f.point[j]
                memberHalf[j] += w * (f.upper[j] - f.lower[j]) / 2
            }
        }
        let validated = errors.map(\.count).max() ?? 0
        let widths = Backtest.conformalHalfWidths(errors: errors, horizon: min(horizon, validated), level: level, pool: 2)
        let z = normalQuantile(0.5 + level / 2)
        let half = (0..<horizon).map { j -> Double in
            let base = validated > 0 ? (widths[j % validated] ?? z * fallbackSigma) : z * fallbackSigma
            // Past the validated day the same step of that day, widened as the members' intervals widen from it.
            guard validated > 0, j >= validated else { return base }
            let growth = memberHalf[j] / memberHalf[j % validated]
            return growth.isFinite && growth > 1 ? base * growth : base
        }
        return Forecast(point: point, lower: zip(point, half).map { $0 - $1 }, upper: zip(point, half).map { $0 + $1 }, level: level)
    }

    public var summary: String {
        members.isEmpty
            ? "\(name): not fitted"
            : "ensemble of " + zip(members, weights).map { String(format: "%@ %.2f", $0 as NSString, $1) }.joined(separator: ", ")
                + " (\(weighting == .stack ? "constrained least-squares stack" : "inverse MSE") on \(errors.count) validation days)"
    }
}
