import DataIO
import Foundation

/// Reading and writing MPS files, free and fixed format.
///
/// Reading honours what GLPK's and CBC's own MPS readers ignore or get wrong: the `OBJSENSE` section (`MAX`,
/// `MAXIMIZE`, `MIN`, `MINIMIZE`, on the header line or the next), `OBJSENSE MAX` in one line, an RHS on the
/// objective row (the negated objective constant, as CPLEX and Gurobi write it), `RANGES` (with the sign rules
/// for `E` rows), every `BOUNDS` type (`UP LO FX FR MI PL BV LI UI`) and `MARKER` integer blocks. Integer columns
/// without bounds are in [0, +inf) (GLPK's convention). A negative `UP` bound on a column whose lower bound is 0
/// makes the lower bound -inf (the CPLEX convention; not when the file gave that lower bound explicitly). Values of magnitude 1e30 or more in bounds, RHS and ranges
/// mean infinity. Anything malformed throws ``ModelFileError`` with the line number.
public enum MPS {
    /// Fixed (fields by column position, names up to 8 characters) or free (fields split by white space).
    public enum Format: String, Sendable, CaseIterable {
        case free, fixed
    }

    /// Reads an MPS file.
    public static func read(contentsOf path: String, format: Format = .free) throws -> Model {
        let text = try ModelFile.readText(path)
        return try parse(text, file: path, format: format)
    }

    /// Parses MPS text; `file` only names the source in errors.
    public static func parse(_ text: String, file: String? = nil, format: Format = .free) throws -> Model {
        var parser = MPSParser(file: file, format: format)
        return try parser.parse(text)
    }

    /// Writes `model` as MPS text. Free format keeps full precision (shortest round-trip decimal); fixed format
    /// fits every number in 12 characters and uses generated names when a name is longer than 8 characters.
    public static func write(_ model: Model, format: Format = .free) -> String {
        MPSWriter(model: model, format: format).text()
    }

    /// Writes `model` to `path` atomically (temporary file, then rename).
    public static func write(_ model: Model, to path: String, format: Format = .free) throws {
        try ModelFile.writeAtomically(write(model, format: format), to: path)
    }
}

/// File helpers shared by the MPS and LP readers and writers.
public enum ModelFile {
    /// The lines of a model file: split at any line break (LF, CRLF, CR), a leading UTF-8 byte-order mark dropped.
    static func lines(_ text: String) -> [Substring] {
        let body = text.first == "\u{FEFF}" ? text.dropFirst() : Substring(text)
        return body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// Reads a UTF-8 text file; errors name the file.
    public static func readText(_ path: String) throws -> String {
        do { return try InputFiles.text(path) } catch { throw ModelFileError(file: path, error.description) }
    }

    /// Writes text to a temporary file beside `path` and renames it into place, so that no reader ever sees a
    /// half-written file.
    public static func writeAtomically(_ text: String, to path: String) throws {
        do { try OutputFiles.write(text, to: path) } catch {
            throw ModelFileError(file: path, "cannot write: \((error as? OutputFileError)?.message ?? error.localizedDescription)")
        }
    }

    /// Reads an `.mps` or `.lp` file by its extension (`.mps.gz` is not supported).
    public static func read(_ path: String, mpsFormat: MPS.Format = .free) throws -> Model {
        let lower = path.lowercased()
        if lower.hasSuffix(".lp") { return try LPFormat.read(contentsOf: path) }
        if lower.hasSuffix(".mps") || lower.hasSuffix(".fmps") || lower.hasSuffix(".fixed") { return try MPS.read(contentsOf: path, format: mpsFormat) }
        _ = try readText(path)  // a file that is not there, or a directory, says so before its name is judged
        throw ModelFileError(file: path, "unknown model file type (expected .mps or .lp)")
    }

    /// Writes `.mps` or `.lp` by the extension, atomically.
    public static func write(_ model: Model, to path: String) throws {
        let lower = path.lowercased()
        if lower.hasSuffix(".lp") {
            try LPFormat.write(model, to: path)
        } else if lower.hasSuffix(".mps") {
            try MPS.write(model, to: path)
        } else {
            throw ModelFileError(file: path, "unknown model file type (expected .mps or .lp)")
        }
    }
}

struct MPSParser {
    let file: String?
    let format: MPS.Format
    var lineNumber = 0

    enum Section: String {
        case name = "NAME", objsense = "OBJSENSE", objname = "OBJNAME", rows = "ROWS", columns = "COLUMNS",
            rhs = "RHS", ranges = "RANGES", bounds = "BOUNDS", endata = "ENDATA"
    }
    enum RowType { case objective, equal, less, greater, free }

    init(file: String?, format: MPS.Format) {
        self.file = file
        self.format = format
    }

    func fail(_ message: String) -> ModelFileError { ModelFileError(file: file, line: lineNumber, message) }

    func number(_ token: String, _ what: String, infinityAllowed: Bool) throws -> Double {
        guard let v = Double(token) else { throw fail("\(what) '\(token)' is not a number") }
        if v.isNaN { throw fail("\(what) is NaN") }
        if infinityAllowed { return v >= 1e30 ? .infinity : (v <= -1e30 ? -.infinity : v) }
        guard v.isFinite, abs(v) < 1e30 else { throw fail("\(what) '\(token)' is not finite") }
        return v
    }

    /// Splits a data line into fields.
    func fields(_ line: Substring) -> [String] {
        if format == .free { return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
        let chars = Array(line)
        func slice(_ a: Int, _ b: Int) -> String {
            guard a < chars.count else { return "" }
            return String(chars[a..<min(b, chars.count)]).trimmingCharacters(in: .whitespaces)
        }
        // MPS fixed fields (1-based columns): 2-3, 5-12, 15-22, 25-36, 40-47, 50-61.
        let parts = [slice(1, 3), slice(4, 12), slice(14, 22), slice(24, 36), slice(39, 47), slice(49, 61)]
        var result = parts
        while let last = result.last, last.isEmpty { result.removeLast() }
        return result.enumerated().filter { $0.offset > 0 || !$0.element.isEmpty }.map { $0.element }
    }

    // What the sections have declared so far (the parser's state between lines).
    var model = Model(name: "model")
    var section: Section?
    var seenSections = Set<String>()
    var objectiveRow: String?
    var rowIndex: [String: Int] = [:]
    var rowTypes: [RowType] = []
    var rowNames: [String] = []
    var rhs: [Double?] = []
    var ranges: [Double?] = []
    var columnIndex: [String: Int] = [:]
    var columnNames: [String] = []
    var isInteger: [Bool] = []
    var lower: [Double] = [], upper: [Double] = []
    var objective: [Double] = []
    var entries: [[(column: Int, value: Double, line: Int)]] = []
    var objectiveEntries = Set<Int>()
    var inIntegerBlock = false
    var objectiveConstant = 0.0
    var boundsSeen = Set<String>()
    var lowerGiven = Set<Int>()
    var sense: ObjectiveSense = .minimize
    var ended = false

    /// Reads every line (one method per section), then builds the model.
    mutating func parse(_ text: String) throws -> Model {
        var sawData = false
        var lastContentLine = 0
        // Any line break (CRLF is one Character in Swift: splitting at "\n" would leave a Windows file one line).
        for line in ModelFile.lines(text) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "*" { continue }
            sawData = true
            lastContentLine = lineNumber
            if ended { throw fail("content after ENDATA") }
            if line.first != " " && line.first != "\t" {
                try header(line)
            } else {
                try data(fields(line))
            }
        }
        if !sawData { throw ModelFileError(file: file, line: nil, "empty file") }
        if !ended { throw ModelFileError(file: file, line: lastContentLine, "file ends without ENDATA (truncated?)") }
        if !seenSections.contains("ROWS") { throw ModelFileError(file: file, line: lineNumber, "no ROWS section") }
        if !seenSections.contains("COLUMNS") { throw ModelFileError(file: file, line: lineNumber, "no COLUMNS section") }
        return try build()
    }

    /// A section header line (it starts in the first column).
    mutating func header(_ line: Substring) throws {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let s = Section(rawValue: parts[0].uppercased()) else {
            throw fail("unknown section '\(parts[0])'")
        }
        if s != .endata && seenSections.contains(s.rawValue) { throw fail("section \(s.rawValue) appears twice") }
        seenSections.insert(s.rawValue)
        section = s
        switch s {
        case .name: model.name = parts.count > 1 ? parts[1...].joined(separator: " ") : "model"
        case .objsense:
            if parts.count > 1 { sense = try parseSense(parts[1]) }
        case .objname:
            if parts.count > 1 { objectiveRow = parts[1] }
        case .columns, .rhs, .ranges, .bounds:
            if !seenSections.contains("ROWS") { throw fail("section \(s.rawValue) before ROWS") }
        case .endata: ended = true
        case .rows: break
        }
    }

    /// A data line of the current section.
    mutating func data(_ f: [String]) throws {
        guard let section else { throw fail("data before any section header") }
        switch section {
        case .name, .endata:
            throw fail("unexpected data in section \(section.rawValue)")
        case .objsense:
            guard f.count == 1 else { throw fail("OBJSENSE takes one value (MAX or MIN)") }
            sense = try parseSense(f[0])
        case .objname:
            guard f.count == 1 else { throw fail("OBJNAME takes one name") }
            objectiveRow = f[0]
        case .rows: try rowLine(f)
        case .columns: try columnLine(f)
        case .rhs, .ranges: try rhsOrRangeLine(f, section: section)
        case .bounds: try boundLine(f)
        }
    }

    /// `ROWS`: a type (N, E, L, G) and a name.
    mutating func rowLine(_ f: [String]) throws {
        guard f.count == 2 else { throw fail("a ROWS line needs a type and a name, got \(f.count) fields") }
        let name = f[1]
        if rowIndex[name] != nil || name == objectiveRow { throw fail("row '\(name)' is defined twice") }
        switch f[0].uppercased() {
        case "N":
            if objectiveRow == nil {
                objectiveRow = name
            } else if name != objectiveRow {
                // Further free rows are kept as unconstrained rows.
                rowIndex[name] = rowTypes.count
                rowTypes.append(.free); rowNames.append(name); rhs.append(nil); ranges.append(nil); entries.append([])
            }
        case "E", "L", "G":
            rowIndex[name] = rowTypes.count
            rowTypes.append(f[0].uppercased() == "E" ? .equal : (f[0].uppercased() == "L" ? .less : .greater))
            rowNames.append(name); rhs.append(nil); ranges.append(nil); entries.append([])
        default: throw fail("unknown row type '\(f[0])' (expected N, E, L or G)")
        }
    }

    /// `COLUMNS`: an integer marker, or a column with one or two (row, value) pairs.
    mutating func columnLine(_ f: [String]) throws {
        if f.count >= 3 && f[1].uppercased() == "'MARKER'" {
            switch (f.last { !$0.isEmpty } ?? "").uppercased() {
            case "'INTORG'": inIntegerBlock = true
            case "'INTEND'": inIntegerBlock = false
            default: throw fail("unknown marker \(f.last ?? "") (expected 'INTORG' or 'INTEND')")
            }
            return
        }
        guard f.count == 3 || f.count == 5 else {
            throw fail("a COLUMNS line needs a column and one or two (row, value) pairs, got \(f.count) fields")
        }
        let name = f[0]
        let j: Int
        if let existing = columnIndex[name] {
            j = existing
        } else {
            j = columnNames.count
            columnIndex[name] = j
            columnNames.append(name)
            isInteger.append(inIntegerBlock)
            lower.append(0); upper.append(.infinity); objective.append(0)
        }
        for p in stride(from: 1, to: f.count, by: 2) {
            let rowName = f[p]
            let v = try number(f[p + 1], "coefficient of \(name) in \(rowName)", infinityAllowed: false)
            if rowName == objectiveRow {
                if !objectiveEntries.insert(j).inserted { throw fail("duplicate entry for column '\(name)' in the objective") }
                objective[j] = v
            } else if let i = rowIndex[rowName] {
                entries[i].append((j, v, lineNumber))
            } else {
                throw fail("unknown row '\(rowName)'")
            }
        }
    }

    /// `RHS` and `RANGES`: an optional set name, then one or two (row, value) pairs.
    mutating func rhsOrRangeLine(_ f: [String], section: Section) throws {
        guard f.count == 2 || f.count == 3 || f.count == 4 || f.count == 5 else {
            throw fail("a \(section.rawValue) line needs one or two (row, value) pairs")
        }
        // The set name is optional when a line has an even count of fields (row value [row value]).
        let start = f.count % 2 == 1 ? 1 : 0
        for p in stride(from: start, to: f.count, by: 2) {
            let rowName = f[p]
            let v = try number(f[p + 1], "\(section.rawValue) value of \(rowName)", infinityAllowed: true)
            if rowName == objectiveRow {
                guard section == .rhs else { throw fail("RANGES on the objective row '\(rowName)'") }
                objectiveConstant = -v
                continue
            }
            guard let i = rowIndex[rowName] else { throw fail("unknown row '\(rowName)'") }
            if section == .rhs {
                if rhs[i] != nil { throw fail("duplicate RHS for row '\(rowName)'") }
                rhs[i] = v
            } else {
                if rowTypes[i] == .free { throw fail("RANGES on free row '\(rowName)'") }
                if ranges[i] != nil { throw fail("duplicate RANGES entry for row '\(rowName)'") }
                guard v.isFinite else { throw fail("range of row '\(rowName)' is not finite") }
                ranges[i] = v
            }
        }
    }

    /// `BOUNDS`: `TYPE SET COL [VALUE]` or, without a set name, `TYPE COL [VALUE]`.
    mutating func boundLine(_ f: [String]) throws {
        guard f.count >= 2 else { throw fail("a BOUNDS line needs a type, a set name and a column") }
        let type = f[0].uppercased()
        let needsValue = ["UP", "LO", "FX", "LI", "UI"].contains(type)
        let noValue = ["FR", "MI", "PL", "BV"].contains(type)
        guard needsValue || noValue else {
            throw fail("unknown bound type '\(f[0])' (expected UP, LO, FX, FR, MI, PL, BV, LI or UI)")
        }
        let columnName: String
        var valueToken: String?
        if needsValue {
            guard f.count == 3 || f.count == 4 else { throw fail("bound \(type) needs a column and a value") }
            columnName = f[f.count - 2]; valueToken = f[f.count - 1]
        } else {
            guard f.count == 2 || f.count == 3 || f.count == 4 else { throw fail("bound \(type) takes a column") }
            // BV may carry a (ignored) value 1 in some writers.
            columnName = f.count == 2 ? f[1] : f[2]
        }
        guard let j = columnIndex[columnName] else { throw fail("unknown column '\(columnName)' in BOUNDS") }
        if !boundsSeen.insert("\(type)\u{0}\(columnName)").inserted { throw fail("duplicate \(type) bound for column '\(columnName)'") }
        let value = try valueToken.map { try number($0, "bound of \(columnName)", infinityAllowed: true) }
        try applyBound(type, value, column: j, name: columnName)
    }

    /// Sets column `j`'s bounds (and integrality) by one bound type; refuses crossed or wrong-side infinite bounds.
    mutating func applyBound(_ type: String, _ value: Double?, column j: Int, name columnName: String) throws {
        switch type {
        case "UP", "UI":
            upper[j] = value!
            if type == "UI" { isInteger[j] = true }
            // The CPLEX convention applies to the default lower bound only, not to an explicit LO 0.
            if value! < 0 && lower[j] == 0 && !lowerGiven.contains(j) { lower[j] = -.infinity }
        case "LO", "LI":
            lowerGiven.insert(j)
            lower[j] = value!
            if type == "LI" { isInteger[j] = true }
        case "FX":
            guard value!.isFinite else { throw fail("FX bound of '\(columnName)' is not finite") }
            lowerGiven.insert(j)
            lower[j] = value!; upper[j] = value!
        case "FR": lower[j] = -.infinity; upper[j] = .infinity
        case "MI": lower[j] = -.infinity
        case "PL": upper[j] = .infinity
        case "BV": lower[j] = 0; upper[j] = 1; isInteger[j] = true
        default: break
        }
        if lower[j] == .infinity || upper[j] == -.infinity {
            throw fail("column '\(columnName)' gets an infinite bound on the wrong side")
        }
        if lower[j] > upper[j] {
            throw fail("column '\(columnName)': lower bound \(lower[j]) is above upper bound \(upper[j])")
        }
    }

    /// The model from what the sections declared: columns, then rows with their RHS and ranges.
    mutating func build() throws -> Model {
        model.sense = sense
        model.objectiveConstant = objectiveConstant
        model.objectiveName = objectiveRow
        for j in 0..<columnNames.count {
            let kind: VariableKind = isInteger[j] ? (lower[j] == 0 && upper[j] == 1 ? .binary : .integer) : .continuous
            model.addVariable(lower: lower[j], upper: upper[j], kind: kind, objective: objective[j], name: columnNames[j])
        }
        var stamp = [Int](repeating: -1, count: columnNames.count)
        for i in 0..<rowTypes.count {
            for e in entries[i] {
                if stamp[e.column] == i {
                    lineNumber = e.line
                    throw fail("duplicate entry for column '\(columnNames[e.column])' in row '\(rowNames[i])'")
                }
                stamp[e.column] = i
            }
            let (lo, up) = rowBounds(i)
            model.addRow(
                indices: entries[i].map { $0.column }, coefficients: entries[i].map { $0.value },
                lower: lo, upper: up, name: rowNames[i])
        }
        return model
    }

    /// Row `i`'s bounds from its type, RHS and range (with the sign rules for `E` rows).
    func rowBounds(_ i: Int) -> (Double, Double) {
        let b = rhs[i] ?? 0
        var lo: Double, up: Double
        switch rowTypes[i] {
        case .equal: lo = b; up = b
        case .less: lo = -.infinity; up = b
        case .greater: lo = b; up = .infinity
        case .free, .objective: lo = -.infinity; up = .infinity
        }
        if let r = ranges[i] {
            switch rowTypes[i] {
            case .equal: if r >= 0 { up = b + r } else { lo = b + r }
            case .less: lo = b - abs(r)
            case .greater: up = b + abs(r)
            default: break
            }
        }
        return (lo, up)
    }

    func parseSense(_ token: String) throws -> ObjectiveSense {
        switch token.uppercased() {
        case "MAX", "MAXIMIZE", "MAXIMISE": return .maximize
        case "MIN", "MINIMIZE", "MINIMISE": return .minimize
        default: throw fail("unknown objective sense '\(token)' (expected MAX or MIN)")
        }
    }
}

struct MPSWriter {
    let model: Model
    let format: MPS.Format

    /// Names safe to write: the model's own when unique, non-empty, without white space (and at most 8
    /// characters in fixed format); otherwise generated ones.
    func names(count: Int, prefix: String, _ name: (Int) -> String?) -> [String] {
        var used = Set<String>()
        var result: [String] = []
        result.reserveCapacity(count)
        var ok = true
        for k in 0..<count {
            guard let n = name(k), !n.isEmpty, !n.contains(where: { $0.isWhitespace }), !n.hasPrefix("*"),
                format == .free || n.count <= 8, used.insert(n).inserted
            else { ok = false; break }
            result.append(n)
        }
        if ok { return result }
        return (0..<count).map { format == .fixed ? prefix + String($0, radix: 36).uppercased() : "\(prefix.lowercased())\($0)" }
    }

    func num(_ x: Double) -> String {
        if format == .free { return "\(x)" }
        for p in stride(from: 12, through: 1, by: -1) {
            let s = String(format: "%.\(p)g", x)
            if s.count <= 12 { return s }
        }
        return String(format: "%.1g", x)
    }

    func line(_ fields: [String]) -> String {
        if format == .free { return "    " + fields.joined(separator: " ") }
        // Columns (0-based starts): 1, 4, 14, 24, 39, 49.
        let starts = [1, 4, 14, 24, 39, 49]
        var s = ""
        for (k, f) in fields.enumerated() {
            let pad = max(0, starts[k] - s.count)
            s += String(repeating: " ", count: pad) + f
        }
        return s
    }

    func marker(_ kind: String) -> String {
        format == .free ? "    MARKER 'MARKER' \(kind)" : line(["", "MARKER", "'MARKER'", "", kind])
    }

    func text() -> String {
        let cols = names(count: model.variableCount, prefix: "C") { model.columnNames[$0] }
        var rows = names(count: model.constraintCount, prefix: "R") { model.rowNames[$0] }
        var obj = model.objectiveName ?? "OBJ"
        if obj.contains(where: { $0.isWhitespace }) || obj.isEmpty || (format == .fixed && obj.count > 8) { obj = "OBJ" }
        if rows.contains(obj) { obj = "OBJ_\(UUID().uuidString.prefix(4))"; if format == .fixed { obj = "OBJROW" } }
        if rows.contains(obj) { rows = (0..<model.constraintCount).map { "R\(String($0, radix: 36).uppercased())" } }
        var out: [String] = []
        out.reserveCapacity(model.nonZeroCount + model.variableCount * 2 + model.constraintCount * 2 + 16)
        out.append("NAME          \(model.name.isEmpty ? "model" : model.name.replacingOccurrences(of: " ", with: "_"))")
        out.append("OBJSENSE")
        out.append("    \(model.sense == .maximize ? "MAX" : "MIN")")
        out.append("ROWS")
        out.append(" N  \(obj)")
        var rangeValues: [(Int, Double)] = []
        var rhsValues: [(Int, Double)] = []
        for i in 0..<model.constraintCount {
            let lo = model.rowLower[i], up = model.rowUpper[i]
            let type: String
            switch (lo.isFinite, up.isFinite) {
            case (true, true) where lo == up: type = "E"; rhsValues.append((i, lo))
            case (true, true): type = "G"; rhsValues.append((i, lo)); rangeValues.append((i, up - lo))
            case (true, false): type = "G"; rhsValues.append((i, lo))
            case (false, true): type = "L"; rhsValues.append((i, up))
            case (false, false): type = "L"; rhsValues.append((i, 1e30))  // a free row, kept as a row
            }
            out.append(" \(type)  \(rows[i])")
        }
        out.append("COLUMNS")
        let csc = model.columnMajor()
        var inInteger = false
        for j in 0..<model.variableCount {
            let integer = model.kinds[j] != .continuous
            if integer != inInteger {
                out.append(marker(integer ? "'INTORG'" : "'INTEND'"))
                inInteger = integer
            }
            var wrote = false
            if model.objective[j] != 0 { out.append(line(["", cols[j], obj, num(model.objective[j])])); wrote = true }
            for k in Int(csc.starts[j])..<Int(csc.starts[j + 1]) {
                out.append(line(["", cols[j], rows[Int(csc.rows[k])], num(csc.values[k])]))
                wrote = true
            }
            if !wrote { out.append(line(["", cols[j], obj, "0"])) }  // declare an empty column
        }
        if inInteger { out.append(marker("'INTEND'")) }
        out.append("RHS")
        if model.objectiveConstant != 0 { out.append(line(["", "RHS", obj, num(-model.objectiveConstant)])) }
        for (i, v) in rhsValues where v != 0 { out.append(line(["", "RHS", rows[i], num(v)])) }
        if !rangeValues.isEmpty {
            out.append("RANGES")
            for (i, r) in rangeValues { out.append(line(["", "RNG", rows[i], num(r)])) }
        }
        out.append("BOUNDS")
        for j in 0..<model.variableCount {
            let lo = model.columnLower[j], up = model.columnUpper[j]
            if model.kinds[j] == .binary && lo == 0 && up == 1 { out.append(line(["BV", "BND", cols[j]])); continue }
            if lo == up { out.append(line(["FX", "BND", cols[j], num(lo)])); continue }
            if !lo.isFinite && !up.isFinite { out.append(line(["FR", "BND", cols[j]])); continue }
            if !lo.isFinite { out.append(line(["MI", "BND", cols[j]])) } else if lo != 0 { out.append(line(["LO", "BND", cols[j], num(lo)])) }
            if up.isFinite {
                out.append(line(["UP", "BND", cols[j], num(up)]))
            } else if model.kinds[j] != .continuous {
                out.append(line(["PL", "BND", cols[j]]))
            }
        }
        out.append("ENDATA")
        return out.joined(separator: "\n") + "\n"
    }
}
