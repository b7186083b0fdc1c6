import DataIO
import Foundation

/// Why a saved model cannot be loaded.
public struct SavedModelError: PeerGridError, Equatable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// A fitted forecaster with the series it was fitted on (name, first timestamp, step, length), so that a
/// loaded model forecasts the same timestamps as the one that was saved.
public struct SavedModel {
    public var forecaster: any Forecaster
    public var series: String
    public var start: Date
    public var step: TimeInterval
    public var count: Int
    /// The bounds of the series it was fitted on, applied to its forecasts (``forecast(horizon:level:)``).
    public var bounds: PhysicalBounds
    /// Split-conformal half-widths per horizon step (``ConformalCalibration``) of each calibrated level (a fraction,
    /// 0.95 for the 95 % interval); empty when not calibrated.
    public var calibrations: [Double: [Double?]] = [:]
    /// The 95 % interval's half-widths (empty when that level was not calibrated).
    public var calibration: [Double?] {
        get { calibrations[0.95] ?? [] }
        set { calibrations[0.95] = newValue.isEmpty ? nil : newValue }
    }
    /// How ``calibration`` was made (nil when not calibrated, or in files written before it was recorded).
    public var calibrationRule: CalibrationRule?

    public init(forecaster: any Forecaster, fittedOn s: TimeSeries) {
        self.forecaster = forecaster
        series = s.name
        start = s.start
        step = s.step
        count = s.count
        bounds = PhysicalBounds(history: s)
    }

    init(
        forecaster: any Forecaster, series: String, start: Date, step: TimeInterval, count: Int, bounds: PhysicalBounds,
        calibrations: [Double: [Double?]], calibrationRule: CalibrationRule?
    ) {
        (self.forecaster, self.series, self.start, self.step, self.count, self.bounds) = (forecaster, series, start, step, count, bounds)
        (self.calibrations, self.calibrationRule) = (calibrations, calibrationRule)
    }

    /// The calibrated levels, lowest first (empty when not calibrated).
    public var calibratedLevels: [Double] { calibrations.keys.sorted() }

    /// The model's forecast with its calibrated interval (when it was calibrated, for the steps calibrated) and
    /// the series' physical bounds applied (no negative load or PV, zero PV at night). A calibrated model forecasts
    /// only the levels it was calibrated at (``ForecastError/levelNotCalibrated(level:calibrated:)`` otherwise):
    /// its own interval at another level would pass for a calibrated one.
    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        let f = try forecaster.forecast(horizon: horizon, level: level)
        guard !calibrations.isEmpty else { return bounds.apply(f) }
        guard let widths = calibrations[level] else { throw ForecastError.levelNotCalibrated(level: level, calibrated: calibratedLevels) }
        return bounds.apply(ConformalCalibration.apply(f, halfWidths: widths))
    }

    /// Timestamp of the `h`-th forecast (0-based).
    public func forecastTimestamp(_ h: Int) -> Date { start.addingTimeInterval(Double(count + h) * step) }
}

/// The rule that made a saved model's calibrated half-widths: split conformal over `days` rolling origins, the level
/// first adapted over `adaptiveDays` more with `adaptiveGamma` (``ConformalCalibration/halfWidths(model:series:horizon:days:level:pool:adaptiveDays:adaptiveGamma:)``).
public struct CalibrationRule: Codable, Equatable, Sendable {
    public var days: Int
    public var adaptiveDays: Int
    public var adaptiveGamma: Double

    public init(days: Int, adaptiveDays: Int = 0, adaptiveGamma: Double = 0) {
        (self.days, self.adaptiveDays, self.adaptiveGamma) = (days, adaptiveDays, adaptiveGamma)
    }

    /// `, level adapted over 14 days with gamma 0.5` when the level was adapted, else empty.
    public var adaptationNote: String {
        adaptiveDays > 0 && adaptiveGamma > 0 ? String(format: ", level adapted over %d days with gamma %g", adaptiveDays, adaptiveGamma) : ""
    }
}

/// The model file: a one-line JSON header `{"format": "peergrid-forecast-model", "version": 1, "kind", "series",
/// "start", "step", "count", "model": {…}}`. `kind` names the forecaster type; `model` is its full fitted state
/// (every coefficient as a round-tripping decimal, so a loaded model forecasts bit for bit as the saved one).
/// Neural models (`kind` `neural`) follow the header with a newline and their weights as little-endian float32,
/// tensor after tensor (`model.state.weightCounts` gives the sizes, `model.state.weightsChecksum` their FNV-1a hash).
/// Files of another format or version, truncated weights or a wrong checksum are refused with a message, never
/// guessed at. A model fitted with a holiday calendar (``HolidayForecaster``) is written as version 2 with a
/// `holidays` field, so that a PeerGrid that cannot apply it refuses the file instead of forecasting without it.
/// A model calibrated at levels other than 95 % (`forecast --level 80,95 --calibration-days`) is written as
/// version 3 with those levels' half-widths in `calibrationLevels` (the 95 % ones stay in `calibration`), so that an
/// older PeerGrid refuses it rather than giving its own uncalibrated interval. Every other model is still written
/// as version 1, and all three are read.
public enum ModelFile {
    public static let format = "peergrid-forecast-model"
    /// The newest version written (a model calibrated at levels other than 95 %; ``version(holidays:otherLevels:)``).
    public static let version = 3
    /// The versions read.
    public static let readableVersions = 1...3

    /// The document without its model (read first, to know which model type to decode).
    typealias Header = Document<Skipped>

    struct Skipped: Codable {
        init(from decoder: Decoder) throws {}
        func encode(to encoder: Encoder) throws {}
    }

    struct Document<M: Codable>: Codable {
        var format: String
        var version: Int
        var kind: String
        var series: String
        var start: Double
        var step: Double
        var count: Int
        /// Absent in files written before the bounds were kept: no bounds.
        var bounds: PhysicalBounds?
        /// The 95 % half-widths; absent when that level was not calibrated.
        var calibration: [Double?]?
        /// The half-widths of the other calibrated levels (version 3); absent when there are none.
        var calibrationLevels: [LevelHalfWidths]?
        /// How `calibration` was made; absent when not calibrated and in files written before 2026-12-05.
        var calibrationRule: CalibrationRule?
        /// The holiday calendar and its fitted profile (``HolidayForecaster``); absent without `--holidays`.
        var holidays: HolidayForecaster.Saved?
        var model: M
    }

    /// One calibrated level other than 95 % and its half-widths per horizon step.
    struct LevelHalfWidths: Codable {
        var level: Double
        var halfWidths: [Double?]
    }

    /// The version a file needs: 3 with levels other than 95 % calibrated, else 2 with a holiday calendar, else 1.
    static func version(holidays: Bool, otherLevels: Bool) -> Int { otherLevels ? 3 : holidays ? 2 : 1 }

    /// The JSON of a fitted model.
    public static func encode(_ saved: SavedModel) throws -> Data {
        let others = saved.calibratedLevels.filter { $0 != 0.95 }.map { LevelHalfWidths(level: $0, halfWidths: saved.calibrations[$0] ?? []) }
        func document<M: Codable>(_ kind: String, _ m: M) throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return try encoder.encode(
                Document(
                    format: format, version: version(holidays: holidays != nil, otherLevels: !others.isEmpty), kind: kind, series: saved.series,
                    start: saved.start.timeIntervalSince1970, step: saved.step, count: saved.count, bounds: saved.bounds,
                    calibration: saved.calibration.isEmpty ? nil : saved.calibration, calibrationLevels: others.isEmpty ? nil : others,
                    calibrationRule: saved.calibrations.isEmpty ? nil : saved.calibrationRule, holidays: holidays, model: m))
        }
        let wrapper = saved.forecaster as? HolidayForecaster
        if let wrapper, wrapper.saved == nil { throw SavedModelError(file: "", message: "\(wrapper.name) is not fitted") }
        let holidays = wrapper?.saved
        switch HolidayForecaster.unwrapped(saved.forecaster) {
        case let m as NaiveForecaster: return try document("naive", m)
        case let m as SeasonalNaiveForecaster: return try document("seasonal-naive", m)
        case let m as SeasonalMeanForecaster: return try document("seasonal-mean", m)
        case let m as WeeklyDifferenceAR: return try document("ar-weekly", m)
        case let m as AutoARIMA: return try document("auto-arima", m)
        case let m as MSTLARIMA: return try document("mstl-arima", m)
        case let m as MSTLETS: return try document("mstl-ets", m)
        case let m as EnsembleForecaster: return try document("ensemble", m)
        case let m as ClearSkyForecaster: return try document("clear-sky", m)
        case let m as AutoSelectForecaster: return try document("auto", m)
        case var m as NeuralForecaster:
            let weights = m.weightBytes()
            m.state?.weightsChecksum = fnv1a(weights)
            return try document("neural", m) + Data([0x0A]) + weights
        default: throw SavedModelError(file: "", message: "\(saved.forecaster.name) cannot be saved")
        }
    }

    /// A model from JSON; `file` names the source in errors.
    public static func decode(_ file_data: Data, file: String) throws -> SavedModel {
        // The header is the first line; neural models carry their weights after it.
        let newline = file_data.firstIndex(of: 0x0A)
        let data = newline.map { file_data[file_data.startIndex..<$0] } ?? file_data
        let binary = newline.map { file_data[($0 + 1)...] } ?? Data()
        let decoder = JSONDecoder()
        struct Probe: Codable { var format: String?; var version: Int? }
        guard let probe = try? decoder.decode(Probe.self, from: data) else {
            // A JSON file of another kind (a community file, pretty-printed over many lines) is not "invalid JSON".
            if (try? JSONSerialization.jsonObject(with: file_data)) != nil {
                throw SavedModelError(
                    file: file,
                    message:
                        "is JSON, but not a PeerGrid model file (no \"format\": \"\(format)\" on its first line; model files are written by forecast --save-model)"
                )
            }
            throw SavedModelError(file: file, message: "not a PeerGrid model file (its first line is not JSON)")
        }
        guard probe.format == format else { throw SavedModelError(file: file, message: "format is '\(probe.format ?? "missing")', expected '\(format)'") }
        guard let v = probe.version, readableVersions.contains(v) else {
            throw SavedModelError(
                file: file,
                message:
                    "model file version \(probe.version.map(String.init) ?? "missing"); this PeerGrid reads versions \(readableVersions.lowerBound) to \(readableVersions.upperBound) (refit and save again)"
            )
        }
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            throw SavedModelError(file: file, message: "incomplete model file (\(describe(error)))")
        }
        func model<M: Forecaster & Codable>(_ type: M.Type) throws -> any Forecaster {
            try decodeModel(type, data: data, file: file, kind: header.kind)
        }
        var forecaster: any Forecaster
        switch header.kind {
        case "naive": forecaster = try model(NaiveForecaster.self)
        case "seasonal-naive": forecaster = try model(SeasonalNaiveForecaster.self)
        case "seasonal-mean": forecaster = try model(SeasonalMeanForecaster.self)
        case "ar-weekly": forecaster = try model(WeeklyDifferenceAR.self)
        case "auto-arima": forecaster = try model(AutoARIMA.self)
        case "mstl-arima": forecaster = try model(MSTLARIMA.self)
        case "mstl-ets": forecaster = try model(MSTLETS.self)
        case "ensemble": forecaster = try model(EnsembleForecaster.self)
        case "clear-sky": forecaster = try model(ClearSkyForecaster.self)
        case "auto": forecaster = try model(AutoSelectForecaster.self)
        case "neural":
            guard var m = try model(NeuralForecaster.self) as? NeuralForecaster else { throw SavedModelError(file: file, message: "not a neural model") }
            do { try m.loadWeights(binary) } catch let e as ForecastError { throw SavedModelError(file: file, message: e.description) }
            forecaster = m
        default: throw SavedModelError(file: file, message: "unknown model kind '\(header.kind)'")
        }
        if header.kind != "neural", binary.contains(where: { !(" \t\r\n".utf8.contains($0)) }) {
            throw SavedModelError(file: file, message: "unexpected data after the JSON header")
        }
        let calibrations = try Self.checkHeader(header, file: file)
        if let checked = forecaster as? any DecodedModelCheck, let problem = checked.decodedModelProblem() {
            throw SavedModelError(file: file, message: "the \(header.kind) model cannot be used: \(problem)")
        }
        if let holidays = header.holidays {
            do { forecaster = try HolidayForecaster(base: forecaster, saved: holidays) } catch let e as ForecastError {
                throw SavedModelError(file: file, message: e.description)
            }
        }
        return SavedModel(
            forecaster: forecaster, series: header.series, start: Date(timeIntervalSince1970: header.start),
            step: header.step, count: header.count, bounds: header.bounds ?? .none, calibrations: calibrations,
            calibrationRule: calibrations.isEmpty ? nil : header.calibrationRule)
    }

    /// The header's rules beside the model (positive step and count, a standby floor below 0, a calibration rule in
    /// range, the version its fields need); returns the calibrated half-widths by level.
    static func checkHeader(_ header: Header, file: String) throws -> [Double: [Double?]] {
        guard header.step > 0, header.count > 0 else { throw SavedModelError(file: file, message: "step and count must be positive") }
        let calibrations = try Self.calibrations(header, file: file)
        if let f = header.bounds?.floor, !(f.isFinite && f < 0) {
            throw SavedModelError(file: file, message: "bounds.floor \(f) is not a standby draw (a finite value below 0)")
        }
        if let r = header.calibrationRule, !(r.days >= 1 && r.adaptiveDays >= 0 && r.adaptiveGamma >= 0 && r.adaptiveGamma.isFinite) {
            throw SavedModelError(file: file, message: "calibrationRule is out of range (days >= 1, adaptiveDays >= 0, a finite adaptiveGamma >= 0)")
        }
        let needed = version(holidays: header.holidays != nil, otherLevels: header.calibrationLevels != nil)
        guard header.version == needed else {
            let holds = [header.holidays != nil ? "a holidays field" : nil, header.calibrationLevels != nil ? "calibrationLevels" : nil].compactMap { $0 }
            throw SavedModelError(
                file: file,
                message:
                    "a version \(header.version) model file with \(holds.isEmpty ? "neither holidays nor calibrationLevels" : holds.joined(separator: " and ")) (that is version \(needed))"
            )
        }
        return calibrations
    }

    /// The calibrated half-widths of a file by level: every width non-negative and finite, every level above 0
    /// and below 1, once, with 0.95 only in `calibration`.
    static func calibrations(_ header: Header, file: String) throws -> [Double: [Double?]] {
        func check(_ widths: [Double?], _ field: String) throws {
            if let bad = widths.firstIndex(where: { w in w.map { !($0 >= 0 && $0.isFinite) } ?? false }) {
                throw SavedModelError(file: file, message: "\(field)[\(bad)] is not a non-negative half-width")
            }
        }
        var byLevel: [Double: [Double?]] = [:]
        if let c = header.calibration {
            try check(c, "calibration")
            byLevel[0.95] = c
        }
        for (i, l) in (header.calibrationLevels ?? []).enumerated() {
            guard l.level > 0, l.level < 1, l.level != 0.95 else {
                throw SavedModelError(
                    file: file, message: "calibrationLevels[\(i)].level \(l.level) is not a level above 0 and below 1 other than 0.95 (kept in calibration)")
            }
            guard byLevel[l.level] == nil else { throw SavedModelError(file: file, message: "calibrationLevels[\(i)].level \(l.level) is given twice") }
            try check(l.halfWidths, "calibrationLevels[\(i)].halfWidths")
            byLevel[l.level] = l.halfWidths
        }
        return byLevel
    }

    static func decodeModel<M: Forecaster & Codable>(_ type: M.Type, data: Data, file: String, kind: String) throws -> any Forecaster {
        let document: Document<M>
        do { document = try JSONDecoder().decode(Document<M>.self, from: data) } catch {
            throw SavedModelError(file: file, message: "the \(kind) model is incomplete or corrupt (\(describe(error)))")
        }
        return document.model
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty ? "invalid JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// FNV-1a (64 bit) of `data`, as 16 hexadecimal digits: detects truncated or altered weight files, and tells
/// whether a day-ahead run's inputs changed. Not a cryptographic hash.
public func fnv1a(_ data: Data) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return String(hash, radix: 16).leftPadded(to: 16)
}

extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

extension SavedModelError {
    /// Bad input: the series, the model file or the options.
    public var kind: FailureKind { .badInput }
}
