import Forecast
import DataIO
import Foundation
import Optimize

/// Which of a prosumer's two series.
public enum SeriesKind: String, Sendable, CaseIterable {
    case load, pv
}

/// One series to forecast: a prosumer's load or PV, and where its history is.
public struct SeriesSource: Sendable, Equatable {
    public var prosumer: String
    public var kind: SeriesKind
    public var file: String
    public var column: String
}

/// Where the metered history of every prosumer is.
///
/// A community file's `load_kw` / `pv_kw` may name the CSV column itself (`{"csv": ..., "column": ...}`).
/// Otherwise `--history` says where to look:
/// - a CSV file: columns `<id>_load_kw` and `<id>_pv_kw` next to a `timestamp` column;
/// - a directory: one file `<id>.csv` per prosumer with columns `timestamp`, `load_kw`, `pv_kw`.
public struct HistoryLocator: Sendable {
    /// `--history`, when given.
    public var history: String?

    public init(history: String?) { self.history = history }

    /// The source of each prosumer's load and PV, in prosumer order (load, then PV).
    public func sources(for template: Community) throws -> [SeriesSource] {
        var out: [SeriesSource] = []
        var isDirectory: ObjCBool = false
        let exists = history.map { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) } ?? false
        if let history, !exists { throw DayAheadError.badInput("--history \(history): no such file or directory") }
        for (i, p) in template.prosumers.enumerated() {
            for kind in SeriesKind.allCases {
                let ref = kind == .load ? p.loadSource : p.pvSource
                if let ref {
                    out.append(SeriesSource(prosumer: p.id, kind: kind, file: ref.path, column: ref.column))
                    continue
                }
                guard let history else {
                    throw DayAheadError.badInput(
                        "prosumers[\(i)].\(kind)_kw is an array; give --history (a CSV with column \(p.id)_\(kind)_kw, or a directory with \(p.id).csv) or name a CSV column in the community file"
                    )
                }
                if isDirectory.boolValue {
                    // The file must be <dir>/<id>.csv itself: an id such as ../outside must not reach other folders.
                    guard !p.id.contains("/"), !p.id.contains("\\"), p.id != "..", p.id != "." else {
                        throw DayAheadError.badInput(
                            "prosumers[\(i)].id '\(p.id)' cannot name a file in \(history): with --history DIR an id must not contain '/' or '\\' or be '.' or '..'"
                        )
                    }
                    out.append(SeriesSource(prosumer: p.id, kind: kind, file: history + "/" + p.id + ".csv", column: "\(kind)_kw"))
                } else {
                    out.append(SeriesSource(prosumer: p.id, kind: kind, file: history, column: "\(p.id)_\(kind)_kw"))
                }
            }
        }
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        if let history, !out.isEmpty, case let h = resolved(history),
            !out.contains(where: { source in
                let f = resolved(source.file)
                return f == h || f.hasPrefix(h + "/")
            })
        {
            // Given but not used: refused rather than dropped (the file's own CSV references win).
            throw DayAheadError.badInput(
                "--history \(history) would not be used: every prosumer's load_kw and pv_kw name their own CSV in the community file (\(out[0].file), ...); leave --history out, or give arrays in the community file"
            )
        }
        return out
    }
}

/// A series split at the forecast day: what may be used for fitting, and what happened on the day (when the
/// history covers it, for the report's forecast-against-actual comparison).
public struct SplitSeries: Sendable {
    public var source: SeriesSource
    /// Observations before the day.
    public var history: TimeSeries
    /// Steps between the last observation before the day and the day's start (0 when the history runs up to it).
    public var leadSteps: Int
    /// The day's observations at the history's own step (`nil` unless the file covers the whole day).
    public var actual: [Double]?
    /// Line of the last observation used (in the file, 1-based) for messages.
    public var lastLine: Int
}

enum HistoryReader {
    /// Reads `source` and splits it at `dayStart`; `dayLength` seconds of actuals are kept when present.
    /// `tables` keeps each file read so far: a community's series usually share one history file (the demo's 20
    /// series, the case study's 100), which is then read once.
    static func read(
        _ source: SeriesSource, dayStart: Date, dayLength: TimeInterval, timeZone: TimeZone?, tables: inout [String: CSVTable]
    ) throws -> SplitSeries {
        let full: TimeSeries
        do {
            let table = try tables[source.file] ?? TimeSeriesCSV.table(contentsOf: source.file)
            tables[source.file] = table
            full = try TimeSeriesCSV.parse(table: table, file: source.file, column: source.column, timeZone: timeZone)
        } catch let e as TimeSeriesError {
            throw DayAheadError.history(e)
        }
        let step = full.step
        guard full.start < dayStart else {
            throw DayAheadError.history(
                TimeSeriesError(
                    file: source.file, line: 2,
                    message:
                        "column \(source.column) starts at \(iso(full.start)), not before the forecast day \(iso(dayStart)); there is no history to forecast from"
                ))
        }
        let offset = dayStart.timeIntervalSince(full.start) / step
        guard abs(offset - offset.rounded()) < 1e-9 else {
            throw DayAheadError.history(
                TimeSeriesError(
                    file: source.file, line: 2,
                    message: "the forecast day \(iso(dayStart)) is not on the series' \(Int(step)) s grid starting \(iso(full.start))"))
        }
        let origin = Int(offset.rounded())
        let used = min(origin, full.count)
        var history = full.prefix(used)
        history.name = "\(source.prosumer) \(source.kind.rawValue)"
        let perDay = Int((dayLength / step).rounded())
        var actual: [Double]?
        if origin + perDay <= full.count { actual = Array(full.values[origin..<(origin + perDay)]) }
        // Lines: the header is line 1; without gaps (refused unless filled) observation k is on line k + 2.
        return SplitSeries(source: source, history: history, leadSteps: origin - used, actual: actual, lastLine: used + 1)
    }

    static func iso(_ d: Date) -> String { UTCTime.string(d) }
}
