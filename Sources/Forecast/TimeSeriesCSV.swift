import DataIO
import Foundation

/// A time series file that cannot be used as it is: file, 1-based line and the problem.
public struct TimeSeriesError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
}

/// How to fill gaps, when the user asks for it (never silently).
public enum GapFill: String, Sendable, CaseIterable {
    /// Straight line between the neighbours.
    case linear
    /// The value one day earlier (or later, at the start).
    case seasonal
}

/// Reads one column of a CSV with ISO 8601 timestamps into a regular ``TimeSeries``.
///
/// Timestamps may be UTC (`Z`), carry an offset (`+01:00`), or be local clock time in `timeZone`
/// (`2000-10-29 01:30` with `Europe/London`): local stamps are converted to UTC, so a daylight-saving day
/// has 23 or 25 hours of local time and still forms a regular UTC series. A repeated local hour in the autumn
/// (01:00-01:59 twice) is read as the summer-time occurrence first and the standard-time one second.
/// The step is the most common difference between consecutive stamps; gaps, duplicates, non-monotonic stamps,
/// non-numeric cells and NaN are errors with the line, unless `fill` is given for gaps.
public enum TimeSeriesCSV {
    /// Reads `column` and, when asked, `regressors` (exogenous columns such as temperature or a holiday flag).
    /// With regressors, trailing rows whose `column` cell is empty are the future: their regressor values are
    /// kept (``TimeSeries/regressorValues`` is longer than ``TimeSeries/values``) for forecasting.
    public static func read(_ path: String, column: String, timeZone: TimeZone? = nil, fill: GapFill? = nil,
                            regressors: [String] = []) throws -> TimeSeries {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TimeSeriesError(file: path, line: nil, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TimeSeriesError(file: path, line: nil, message: "not UTF-8 text") }
        return try parse(text, file: path, column: column, timeZone: timeZone, fill: fill, regressors: regressors)
    }

    /// The most observations a series may hold, gaps filled (a gap of centuries at a 30-minute step would
    /// otherwise allocate gigabytes; found by the fuzzer).
    public static let largestSeries = 10_000_000

    /// Parses CSV text; `file` names the source in errors.
    public static func parse(_ text: String, file: String, column: String, timeZone: TimeZone? = nil,
                             fill: GapFill? = nil, regressors: [String] = []) throws -> TimeSeries {
        func fail(_ line: Int?, _ m: String) -> TimeSeriesError { TimeSeriesError(file: file, line: line, message: m) }
        // DataIO's RFC 4180 reader: CRLF, a BOM and quoted fields (headers included) read like any other file.
        let table: CSVTable
        do { table = try CSVTable(text: text, file: file) } catch let e as CSVError { throw fail(e.line > 0 ? e.line : nil, e.message) }
        let names = table.header
        func short(_ cell: String) -> String { cell.count > 40 ? String(cell.prefix(40)) + "..." : cell }
        // Column lists in messages are short and cut: a file that is not a time series (say /etc/passwd) is not echoed.
        func shown(_ names: [String]) -> String {
            names.prefix(12).map { $0.count > 32 ? String($0.prefix(32)) + "..." : $0 }.joined(separator: ", ") + (names.count > 12 ? ", ..." : "")
        }
        guard let col = names.firstIndex(of: column) else {
            let plain = names.allSatisfy { name in name.count <= 64 && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || " _-.()%/".unicodeScalars.contains($0) } }
            guard plain else { throw fail(1, "no column '\(column)': line 1 does not look like a header of column names (is this a CSV time series?)") }
            throw fail(1, "no column '\(column)' (columns: \(shown(names)))")
        }
        let timeCol = names.firstIndex(of: "timestamp") ?? 0
        var regressorCols: [Int] = []
        for r in regressors {
            guard let c = names.firstIndex(of: r) else { throw fail(1, "no regressor column '\(r)' (columns: \(shown(names)))") }
            guard c != col else { throw fail(1, "'\(r)' is the forecast column; it cannot also be a regressor") }
            regressorCols.append(c)
        }
        var stamps: [Date] = [], values: [Double] = [], lineOf: [Int] = []
        var regressorRows: [[Double]] = []
        var futureFrom: Int?
        var parser = StampParser(timeZone: timeZone)
        for record in table.records {
            let n = record.line
            let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let stamp = parser.parse(cells[timeCol]) else {
                if let problem = parser.problem { throw fail(n, problem) }
                throw fail(n, "'\(short(cells[timeCol]))' is not an ISO 8601 timestamp\(timeZone == nil ? " (local times need --timezone Area/City)" : "")")
            }
            var v = Double.nan
            if !regressorCols.isEmpty && cells[col].isEmpty {
                if futureFrom == nil { futureFrom = stamps.count }
            } else {
                if futureFrom != nil { throw fail(n, "a value in column \(column) after rows without one (future rows must come last)") }
                guard let x = Double(cells[col]) else { throw fail(n, "'\(short(cells[col]))' in column \(column) is not a number") }
                guard x.isFinite else { throw fail(n, "\(short(cells[col])) in column \(column) is not a finite number") }
                v = x
            }
            var row: [Double] = []
            for (r, c) in zip(regressors, regressorCols) {
                guard let x = Double(cells[c]), x.isFinite else { throw fail(n, "'\(short(cells[c]))' in regressor column \(r) is not a finite number") }
                row.append(x)
            }
            regressorRows.append(row)
            if let prev = stamps.last {
                if stamp == prev { throw fail(n, "duplicate timestamp \(short(cells[timeCol])) (also on line \(lineOf.last!))") }
                if stamp < prev { throw fail(n, "timestamp \(short(cells[timeCol])) is earlier than the one on line \(lineOf.last!) (not monotonic)") }
            }
            stamps.append(stamp); values.append(v); lineOf.append(n)
        }
        let observed = futureFrom ?? stamps.count
        guard observed >= 2 else { throw fail(nil, "fewer than two observations") }
        var counts: [TimeInterval: Int] = [:]
        for k in 1..<stamps.count { counts[stamps[k].timeIntervalSince(stamps[k - 1]), default: 0] += 1 }
        let step = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
        var series = TimeSeries(name: column, start: stamps[0], step: step, values: [values[0]])
        series.regressorNames = regressors
        var columns = regressors.indices.map { [regressorRows[0][$0]] }
        for k in 1..<stamps.count {
            let d = stamps[k].timeIntervalSince(stamps[k - 1])
            let ratio = d / step
            guard abs(ratio - ratio.rounded()) < 1e-9 else {
                throw fail(lineOf[k], "irregular step: \(Int(d)) s after line \(lineOf[k - 1]), the series' step is \(Int(step)) s")
            }
            guard ratio < Double(Self.largestSeries) else {
                throw fail(lineOf[k], "a gap of \(Int(d)) s after line \(lineOf[k - 1]) would need more than \(Self.largestSeries) observations at the series' step of \(Int(step)) s")
            }
            let missing = Int(ratio.rounded()) - 1
            guard series.values.count + missing < Self.largestSeries else {
                throw fail(lineOf[k], "the series would hold more than \(Self.largestSeries) observations once its gaps are filled")
            }
            if missing > 0 {
                guard fill != nil else {
                    throw fail(lineOf[k], "gap: \(missing) missing observation(s) between line \(lineOf[k - 1]) and this line (use --fill linear|seasonal to fill)")
                }
                guard k < observed else { throw fail(lineOf[k], "gap in the future rows (regressors are never filled there)") }
                for m in 1...missing {
                    let share = Double(m) / Double(missing + 1)
                    series.filled.append(series.values.count)
                    series.values.append(values[k - 1] + (values[k] - values[k - 1]) * share)
                    for r in columns.indices { columns[r].append(regressorRows[k - 1][r] + (regressorRows[k][r] - regressorRows[k - 1][r]) * share) }
                }
            }
            if k < observed { series.values.append(values[k]) }
            for r in columns.indices { columns[r].append(regressorRows[k][r]) }
        }
        series.regressorValues = columns
        if fill == .seasonal {
            let day = series.periodsPerDay
            for i in series.filled {
                if i >= day { series.values[i] = series.values[i - day] }
                else if i + day < series.count, !series.filled.contains(i + day) { series.values[i] = series.values[i + day] }
            }
        }
        return series
    }
}

/// ISO 8601 with `Z` or an offset, or local time in a zone (`2000-06-05 00:00`, `2000-06-05T00:00:00`).
struct StampParser {
    let timeZone: TimeZone?
    let iso = ISO8601DateFormatter()
    var lastLocal: Date?
    /// Why the last stamp was refused, when it is more than "not a timestamp".
    var problem: String?

    init(timeZone: TimeZone?) {
        self.timeZone = timeZone
        iso.formatOptions = [.withInternetDateTime]
    }

    mutating func parse(_ s: String) -> Date? {
        if let d = iso.date(from: s) { return d }
        let withT = s.replacingOccurrences(of: " ", with: "T")
        if let d = iso.date(from: withT) { return d }
        guard let tz = timeZone else { return nil }
        let parts = withT.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        var c = DateComponents()
        c.year = parts[0]; c.month = parts[1]; c.day = parts[2]; c.hour = parts[3]; c.minute = parts[4]
        c.second = parts.count > 5 ? parts[5] : 0
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        guard var d = cal.date(from: c) else { return nil }
        let back = cal.dateComponents([.year, .month, .day, .hour, .minute], from: d)
        if back.hour != c.hour || back.minute != c.minute || back.day != c.day {
            problem = "local time \(s) does not exist in \(tz.identifier): the clocks jump forward at the daylight-saving change (write UTC or an offset, or drop the row)"
            return nil
        }
        // An ambiguous autumn hour: the second occurrence of a local time is one hour later in UTC.
        if let last = lastLocal, d <= last, tz.isDaylightSavingTime(for: d), !tz.isDaylightSavingTime(for: d.addingTimeInterval(3600)) {
            d = d.addingTimeInterval(3600)
        }
        lastLocal = d
        return d
    }
}
