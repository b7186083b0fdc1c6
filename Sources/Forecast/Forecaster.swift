import DataIO
import Foundation

/// A point forecast with a central prediction interval.
public struct Forecast: Sendable {
    public var point: [Double]
    public var lower: [Double]
    public var upper: [Double]
    /// Nominal coverage of `[lower, upper]` (e.g. 0.95).
    public var level: Double
}

/// A forecasting method: fitted on a history, asked for the next `horizon` values.
public protocol Forecaster: Sendable {
    /// Name used on the command line and in reports (`seasonal-naive`, `arima`, ...).
    var name: String { get }
    /// Fits the method to `history`; throws when the history is too short.
    mutating func fit(_ history: TimeSeries) throws
    /// Forecasts the next `horizon` values with a `level` prediction interval.
    func forecast(horizon: Int, level: Double) throws -> Forecast
    /// One line on the fitted model (orders, estimation method, criteria); the name by default.
    var summary: String { get }
    /// Whether the method uses the history's exogenous regressors (``TimeSeries/regressorNames``); false by default.
    var usesRegressors: Bool { get }
}

extension Forecaster {
    public var summary: String { name }
    public var usesRegressors: Bool { false }
}

/// Why a forecaster cannot be fitted or used.
public enum ForecastError: PeerGridError, Equatable {
    case historyTooShort(model: String, needed: Int, got: Int)
    case notFitted(model: String)
    case unknownModel(String, available: [String])
    /// Regressor values are missing: fewer than `needed` (observations or future periods) were given.
    case missingRegressors(model: String, needed: Int, got: Int)
    /// Settings that cannot train (a zero window, a negative learning rate, ...).
    case invalidOptions(model: String, detail: String)
    /// The loss became NaN or infinite (a learning rate too high for the data, or non-finite inputs).
    case trainingDiverged(model: String, epoch: Int)
    /// A calibrated saved model was asked for an interval at a level it was not calibrated at.
    case levelNotCalibrated(level: Double, calibrated: [Double])

    public var description: String {
        switch self {
        case let .historyTooShort(m, needed, got): return "\(m) needs at least \(needed) observations, the history has \(got)"
        case let .notFitted(m): return "\(m) is not fitted"
        case let .unknownModel(m, available): return "unknown model '\(m)' (available: \(available.joined(separator: ", ")))"
        case let .missingRegressors(m, needed, got):
            return "\(m) needs regressor values for \(needed) periods, the data has \(got) (future rows: leave the forecast column empty, fill the regressors)"
        case let .invalidOptions(m, detail): return "\(m): \(detail)"
        case let .trainingDiverged(m, epoch): return "\(m): training diverged at epoch \(epoch) (loss not finite); lower the learning rate"
        case let .levelNotCalibrated(level, calibrated):
            let list = calibrated.map { "\(percentLabel($0)) %" }.joined(separator: ", ")
            return
                "the model's intervals were calibrated at \(list), not at \(percentLabel(level)) % (fit it again with --calibration-days and --level \(percentLabel(level)))"
        }
    }
}

/// A level as a percentage for labels and column names: 0.95 -> "95", 0.995 -> "99.5" (at most six significant
/// digits).
public func percentLabel(_ level: Double) -> String { String(format: "%g", level * 100) }

/// The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
public func normalQuantile(_ p: Double) -> Double {
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low { return -normalQuantile(1 - p) }
    let q = p - 0.5, r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

extension ForecastError {
    /// Bad input: the series, the model file or the options.
    public var kind: FailureKind { .badInput }
}
