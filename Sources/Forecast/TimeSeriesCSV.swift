import DataIO
import Foundation

/// A time series file that cannot be used as it is: file, 1-based line and the problem.
public struct TimeSeriesError: PeerGridError, Equatable {
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
    /// kept (``TimeSeries/regressorValues`` is longer than ``TimeSeries/values``) for forecasting. Without a
    /// `column`, the file's one column besides the timestamp and the regressors is read (a file with several is
    /// refused, naming them).
    public static func read(
        _ path: String, column: String?, timeZone: TimeZone? = nil, fill: GapFill? = nil,
        regressors: [String] = []
    ) throws -> TimeSeries {
        try parse(table: table(contentsOf: path), file: path, column: column, timeZone: timeZone, fill: fill, regressors: regressors)
    }

    /// The most observations a series may hold, gaps filled (a gap of centuries at a 30-minute step would
    /// otherwise allocate gigabytes; found by the fuzzer).
    public static let largestSeries = 10_000_000

    /// Parses CSV text; `file` names the source in errors. Steps: the columns, the rows (timestamps, values,
    /// regressors; future rows without a value last), then the regular series with its gaps filled.
    public static func parse(
        _ text: String, file: String, column: String?, timeZone: TimeZone? = nil,
        fill: GapFill? = nil, regressors: [String] = []
    ) throws -> TimeSeries {
        try parse(table: table(text, file: file), file: file, column: column, timeZone: timeZone, fill: fill, regressors: regressors)
    }

    /// The file's rows (DataIO's RFC 4180 reader: CRLF, a BOM and quoted fields, headers included, read like any
    /// other file), with its errors as ``TimeSeriesError``s. Read once, a table gives every column of the file
    /// (``parse(table:file:column:timeZone:fill:regressors:)``).
    public static func table(_ text: String, file: String) throws -> CSVTable {
        do { return try CSVTable(text: text, file: file) } catch let e as CSVError {
            throw TimeSeriesError(file: file, line: e.line > 0 ? e.line : nil, message: e.message)
        }
    }

    /// The file at `path` as a table (``table(_:file:)``).
    public static func table(contentsOf path: String) throws -> CSVTable {
        let text: String
        do { text = try InputFiles.text(path) } catch { throw TimeSeriesError(file: path, line: nil, message: error.description) }
        return try table(text, file: path)
    }

    /// One column of a table already read (``table(_:file:)``), as ``parse(_:file:column:timeZone:fill:regressors:)``.
    public static func parse(
        table: CSVTable, file: String, column: String?, timeZone: TimeZone? = nil, fill: GapFill? = nil, regressors: [String] = []
    ) throws -> TimeSeries {
        var reader = try RowReader(table: table, file: file, column: column, regressors: regressors, timeZone: timeZone)
        reader.fillsMissing = fill != nil
        for record in table.records { try reader.read(record) }
        return try reader.series(fill: fill)
    }

    /// The rows of a time-series table, checked one by one.
    struct RowReader {
        let file: String, column: String, regressors: [String]
        let timeZone: TimeZone?
        let col: Int, timeCol: Int, regressorCols: [Int]
        /// The clock-time column of a file whose timestamps are split into a `date` and a `time` column.
        let clockCol: Int?
        var stamps: [Date] = [], values: [Double] = [], lineOf: [Int] = []
        var regressorRows: [[Double]] = []
        /// The first row without a value (the future rows of a file with regressors).
        var futureFrom: Int?
        /// Whether missing readings (`NA`, `NaN`, `null`, an empty cell; with regressors, empty cells followed by
        /// a reading) are filled like gaps (`fill` given) rather than refused.
        var fillsMissing = false
        /// The cells read as a missing reading.
        static func isMissingMarker(_ cell: String) -> Bool { ["", "na", "n/a", "nan", "null", "none", "-"].contains(cell.lowercased()) }
        var parser: TimestampParser

        func fail(_ line: Int?, _ m: String) -> TimeSeriesError { TimeSeriesError(file: file, line: line, message: m) }
        static func short(_ cell: String) -> String { cell.count > 40 ? String(cell.prefix(40)) + "..." : cell }
        /// Column lists in messages are short and cut: a file that is not a time series (say /etc/passwd) is not echoed.
        static func shown(_ names: [String]) -> String {
            names.prefix(12).map { $0.count > 32 ? String($0.prefix(32)) + "..." : $0 }.joined(separator: ", ") + (names.count > 12 ? ", ..." : "")
        }

        /// Finds the value, timestamp and regressor columns in the header.
        init(table: CSVTable, file: String, column: String?, regressors: [String], timeZone: TimeZone?) throws {
            self.file = file
            self.regressors = regressors
            self.timeZone = timeZone
            parser = TimestampParser(timeZone: timeZone)
            let names = table.header
            func fail(_ m: String) -> TimeSeriesError { TimeSeriesError(file: file, line: 1, message: m) }
            let column = try column ?? Self.onlyValueColumn(names, regressors: regressors, fail: fail)
            self.column = column
            guard let col = names.firstIndex(of: column) else {
                let plain = names.allSatisfy { name in
                    name.count <= 64
                        && name.unicodeScalars.allSatisfy {
                            CharacterSet.alphanumerics.contains($0) || " _-.()%/".unicodeScalars.contains($0)
                        }
                }
                guard plain else { throw fail("no column '\(column)': line 1 does not look like a header of column names (is this a CSV time series?)") }
                throw fail("no column '\(column)' (columns: \(Self.shown(names)))")
            }
            self.col = col
            timeCol = Self.timeColumn(names)
            clockCol = Self.clockColumn(names)
            if let clockCol, col == clockCol || col == timeCol {
                throw fail("'\(column)' holds the timestamps (with '\(names[col == timeCol ? clockCol : timeCol])'); it cannot be the value column")
            }
            var regressorCols: [Int] = []
            for r in regressors {
                guard let c = names.firstIndex(of: r) else { throw fail("no regressor column '\(r)' (columns: \(Self.shown(names)))") }
                guard c != col else { throw fail("'\(r)' is the forecast column; it cannot also be a regressor") }
                guard c != timeCol, c != clockCol else { throw fail("'\(r)' holds the timestamps; it cannot be a regressor") }
                guard !regressorCols.contains(c) else { throw fail("regressor '\(r)' is named twice") }
                regressorCols.append(c)
            }
            self.regressorCols = regressorCols
        }

        /// The timestamp column: `timestamp`, else the first named `ds` (statsforecast's and Prophet's name),
        /// `datetime`, `time` or `date` in any case, else the first column.
        static func timeColumn(_ names: [String]) -> Int {
            if let k = names.firstIndex(of: "timestamp") { return k }
            let lower = names.map { $0.lowercased() }
            if clockColumn(names) != nil, let k = lower.firstIndex(of: "date") { return k }
            for name in ["timestamp", "ds", "datetime", "time", "date"] { if let k = lower.firstIndex(of: name) { return k } }
            return 0
        }

        /// A file without a `timestamp`, `ds` or `datetime` column whose header has both `date` and `time` (a
        /// spreadsheet's export) splits its timestamps in two: the `time` column's index, whose cells are read as
        /// the clock time of the `date` cells; nil otherwise.
        static func clockColumn(_ names: [String]) -> Int? {
            let lower = names.map { $0.lowercased() }
            guard !lower.contains(where: { ["timestamp", "ds", "datetime"].contains($0) }), lower.contains("date") else { return nil }
            return lower.firstIndex(of: "time")
        }

        /// The timestamp text of a row: one cell, or the date and time cells joined.
        func stampText(_ cells: [String]) -> String {
            guard let clockCol else { return cells[timeCol] }
            return cells[timeCol] + " " + cells[clockCol]
        }

        /// The one column that is neither the timestamp (``timeColumn(_:)``) nor a regressor.
        static func onlyValueColumn(_ names: [String], regressors: [String], fail: (String) -> TimeSeriesError) throws -> String {
            let time = timeColumn(names), clock = clockColumn(names)
            let values = names.indices.filter { $0 != time && $0 != clock && !regressors.contains(names[$0]) }.map { names[$0] }
            guard values.count == 1 else {
                throw fail(
                    values.isEmpty
                        ? "no value column besides the timestamp (columns: \(shown(names)))"
                        : "\(values.count) value columns (\(shown(values))): name the one to read with --column")
            }
            return values[0]
        }

        /// One row: its timestamp (after the previous one), its value (or none in a future row) and regressors.
        mutating func read(_ record: CSVTable.Record) throws {
            let n = record.line
            let cells = record.fields.map(CSVTable.trimmed)
            let stampText = stampText(cells)
            guard let stamp = parser.parse(stampText) else {
                if let problem = parser.problem { throw fail(n, problem) }
                throw fail(
                    n, "'\(Self.short(stampText))' is not an ISO 8601 timestamp\(timeZone == nil ? " (local times need --timezone Area/City)" : "")")
            }
            var v = Double.nan
            if !regressorCols.isEmpty && cells[col].isEmpty {
                if futureFrom == nil { futureFrom = stamps.count }
            } else {
                if futureFrom != nil {
                    // With --fill, empty cells between readings were missing readings, not the future.
                    guard fillsMissing else { throw fail(n, "a value in column \(column) after rows without one (future rows must come last)") }
                    futureFrom = nil
                }
                let missing = Self.isMissingMarker(cells[col])
                if !(missing && fillsMissing) {  // a missing reading stays NaN until the series fills it
                    let hint = missing ? " (a missing reading: use --fill linear|seasonal to fill it)" : ""
                    guard let x = Double(cells[col]) else { throw fail(n, "'\(Self.short(cells[col]))' in column \(column) is not a number\(hint)") }
                    guard x.isFinite else { throw fail(n, "\(Self.short(cells[col])) in column \(column) is not a finite number\(hint)") }
                    v = x
                }
            }
            var row: [Double] = []
            for (r, c) in zip(regressors, regressorCols) {
                if fillsMissing && futureFrom == nil && Self.isMissingMarker(cells[c]) {
                    row.append(.nan)
                    continue
                }
                guard let x = Double(cells[c]), x.isFinite else {
                    let hint =
                        Self.isMissingMarker(cells[c])
                        ? (futureFrom == nil ? " (use --fill linear|seasonal to fill it)" : " (the future rows need every regressor)") : ""
                    throw fail(n, "'\(Self.short(cells[c]))' in regressor column \(r) is not a finite number\(hint)")
                }
                row.append(x)
            }
            regressorRows.append(row)
            if let prev = stamps.last {
                if stamp == prev { throw fail(n, "duplicate timestamp \(Self.short(stampText)) (also on line \(lineOf.last!))") }
                if stamp < prev { throw fail(n, "timestamp \(Self.short(stampText)) is earlier than the one on line \(lineOf.last!) (not monotonic)") }
            }
            stamps.append(stamp); values.append(v); lineOf.append(n)
        }

        /// The regular series at the most common step; gaps are refused, or filled linearly (then seasonally when
        /// asked) where `fill` is given.
        func series(fill: GapFill?) throws -> TimeSeries {
            let observed = futureFrom ?? stamps.count
            guard observed >= 2 else { throw fail(nil, "fewer than two observations") }
            var counts: [TimeInterval: Int] = [:]
            for k in 1..<stamps.count { counts[stamps[k].timeIntervalSince(stamps[k - 1]), default: 0] += 1 }
            let step = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            guard step <= 86_400 else {
                throw fail(
                    nil,
                    "the step is \(String(format: "%g", step / 86_400)) days: the models need at least one observation a day (a daily season); aggregate to days or finer"
                )
            }
            var series = TimeSeries(name: column, start: stamps[0], step: step, values: [values[0]])
            series.regressorNames = regressors
            var columns = regressors.indices.map { [regressorRows[0][$0]] }
            for k in 1..<stamps.count {
                let missing = try missingBefore(k, step: step, count: series.values.count)
                if missing > 0 {
                    guard fill != nil else {
                        throw fail(
                            lineOf[k], "gap: \(missing) missing observation(s) between line \(lineOf[k - 1]) and this line (use --fill linear|seasonal to fill)"
                        )
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
            if series.values.contains(where: { !$0.isFinite }) {
                var filled = Set(series.filled)
                series.values = try interpolated(series.values, filled: &filled, what: "column \(column)")
                series.filled = filled.sorted()
            }
            for (r, name) in regressors.enumerated() where series.regressorValues[r].contains(where: { !$0.isFinite }) {
                var ignored = Set<Int>()
                series.regressorValues[r] = try interpolated(series.regressorValues[r], filled: &ignored, what: "regressor column \(name)")
            }
            if fill == .seasonal {
                let day = series.periodsPerDay
                for i in series.filled {
                    if i >= day {
                        series.values[i] = series.values[i - day]
                    } else if i + day < series.count, !series.filled.contains(i + day) {
                        series.values[i] = series.values[i + day]
                    }
                }
            }
            return series
        }

        /// `y` with its missing values (NaN: missing cells, and gap fills next to them) filled linearly between the
        /// nearest values on either side, or with the nearest one at the ends; their indices go into `filled`.
        func interpolated(_ y: [Double], filled: inout Set<Int>, what: String) throws -> [Double] {
            guard y.contains(where: \.isFinite) else { throw fail(nil, "no value in \(what): every cell is missing") }
            var next = [Int](repeating: -1, count: y.count)
            var after = -1
            for i in y.indices.reversed() {
                if y[i].isFinite { after = i }
                next[i] = after
            }
            var out = y
            var before = -1
            for i in y.indices {
                if y[i].isFinite {
                    before = i
                    continue
                }
                let a = next[i]
                if before < 0 {
                    out[i] = y[a]
                } else if a < 0 {
                    out[i] = y[before]
                } else {
                    out[i] = y[before] + (y[a] - y[before]) * Double(i - before) / Double(a - before)
                }
                filled.insert(i)
            }
            return out
        }

        /// The observations missing between row `k - 1` and row `k`; refuses irregular steps and gaps that would
        /// make the series too long.
        func missingBefore(_ k: Int, step: TimeInterval, count: Int) throws -> Int {
            let d = stamps[k].timeIntervalSince(stamps[k - 1])
            let ratio = d / step
            guard abs(ratio - ratio.rounded()) < 1e-9 else {
                throw fail(lineOf[k], "irregular step: \(Int(d)) s after line \(lineOf[k - 1]), the series' step is \(Int(step)) s")
            }
            guard ratio < Double(TimeSeriesCSV.largestSeries) else {
                throw fail(
                    lineOf[k],
                    "a gap of \(Int(d)) s after line \(lineOf[k - 1]) would need more than \(TimeSeriesCSV.largestSeries) observations at the series' step of \(Int(step)) s"
                )
            }
            let missing = Int(ratio.rounded()) - 1
            guard count + missing < TimeSeriesCSV.largestSeries else {
                throw fail(lineOf[k], "the series would hold more than \(TimeSeriesCSV.largestSeries) observations once its gaps are filled")
            }
            return missing
        }
    }
}

extension TimeSeriesError {
    /// Bad input: the series, the model file or the options.
    public var kind: FailureKind { .badInput }
}
