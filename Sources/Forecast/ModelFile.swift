import Foundation

/// Why a saved model cannot be loaded.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
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

    public init(forecaster: any Forecaster, fittedOn s: TimeSeries) {
        self.forecaster = forecaster
        series = s.name
        start = s.start
        step = s.step
        count = s.count
    }

    init(forecaster: any Forecaster, series: String, start: Date, step: TimeInterval, count: Int) {
        (self.forecaster, self.series, self.start, self.step, self.count) = (forecaster, series, start, step, count)
    }

    /// Timestamp of the `h`-th forecast (0-based).
    public func forecastTimestamp(_ h: Int) -> Date { start.addingTimeInterval(Double(count + h) * step) }
}

/// The model file: one JSON document `{"format": "peergrid-forecast-model", "version": 1, "kind", "series",
/// "start", "step", "count", "model": {…}}`. `kind` names the forecaster type; `model` is its full fitted state
/// (every coefficient as a round-tripping decimal, so a loaded model forecasts bit for bit as the saved one).
/// Files of another format or version are refused with a message, never guessed at.
public enum ModelFile {
    public static let format = "peergrid-forecast-model"
    public static let version = 1

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
        var model: M
    }

    /// The JSON of a fitted model.
    public static func encode(_ saved: SavedModel) throws -> Data {
        func document<M: Codable>(_ kind: String, _ m: M) throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return try encoder.encode(Document(format: format, version: version, kind: kind, series: saved.series,
                                               start: saved.start.timeIntervalSince1970, step: saved.step, count: saved.count, model: m))
        }
        switch saved.forecaster {
        case let m as NaiveForecaster: return try document("naive", m)
        case let m as SeasonalNaiveForecaster: return try document("seasonal-naive", m)
        case let m as SeasonalMeanForecaster: return try document("seasonal-mean", m)
        case let m as WeeklyDifferenceAR: return try document("ar-weekly", m)
        case let m as AutoARIMA: return try document("auto-arima", m)
        case let m as MSTLARIMA: return try document("mstl-arima", m)
        default: throw ModelFileError(file: "", message: "\(saved.forecaster.name) cannot be saved")
        }
    }

    /// A model from JSON; `file` names the source in errors.
    public static func decode(_ data: Data, file: String) throws -> SavedModel {
        let decoder = JSONDecoder()
        struct Probe: Codable { var format: String?; var version: Int? }
        guard let probe = try? decoder.decode(Probe.self, from: data) else {
            throw ModelFileError(file: file, message: "not a PeerGrid model file (invalid JSON)")
        }
        guard probe.format == format else { throw ModelFileError(file: file, message: "format is '\(probe.format ?? "missing")', expected '\(format)'") }
        guard probe.version == version else {
            throw ModelFileError(file: file, message: "model file version \(probe.version.map(String.init) ?? "missing"); this PeerGrid reads version \(version) (refit and save again)")
        }
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            throw ModelFileError(file: file, message: "incomplete model file (\(describe(error)))")
        }
        func model<M: Forecaster & Codable>(_ type: M.Type) throws -> any Forecaster {
            try decodeModel(type, data: data, file: file, kind: header.kind)
        }
        let forecaster: any Forecaster
        switch header.kind {
        case "naive": forecaster = try model(NaiveForecaster.self)
        case "seasonal-naive": forecaster = try model(SeasonalNaiveForecaster.self)
        case "seasonal-mean": forecaster = try model(SeasonalMeanForecaster.self)
        case "ar-weekly": forecaster = try model(WeeklyDifferenceAR.self)
        case "auto-arima": forecaster = try model(AutoARIMA.self)
        case "mstl-arima": forecaster = try model(MSTLARIMA.self)
        default: throw ModelFileError(file: file, message: "unknown model kind '\(header.kind)'")
        }
        guard header.step > 0, header.count > 0 else { throw ModelFileError(file: file, message: "step and count must be positive") }
        return SavedModel(forecaster: forecaster, series: header.series, start: Date(timeIntervalSince1970: header.start),
                          step: header.step, count: header.count)
    }

    static func decodeModel<M: Forecaster & Codable>(_ type: M.Type, data: Data, file: String, kind: String) throws -> any Forecaster {
        let document: Document<M>
        do { document = try JSONDecoder().decode(Document<M>.self, from: data) } catch {
            throw ModelFileError(file: file, message: "the \(kind) model is incomplete or corrupt (\(describe(error)))")
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
