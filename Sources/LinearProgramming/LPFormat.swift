import Foundation

/// Reading and writing the CPLEX LP text format.
///
/// Supported: `Minimize`/`Maximize` (and `min`, `max`, `minimum`, `maximum`) with an optional objective name and
/// constant; `Subject To` (`st`, `s.t.`, `such that`) with `<=`, `>=`, `=` (also `=<`, `=>`, `<`, `>`) and the
/// ranged form `name: lo <= expression <= hi`; expressions over several lines; `Bounds` (`x free`, `x >= l`,
/// `x <= u`, `x = v`, `l <= x <= u`, `-inf`/`+inf`/`infinity`); `General`/`Generals`/`Integers`, `Binary`/
/// `Binaries`; `End`; comments from a backslash to the end of a line. Variables are non-negative unless bounded
/// otherwise. Anything else throws ``ModelFileError`` with the line number.
public enum LPFormat {
    /// Reads an LP file.
    public static func read(contentsOf path: String) throws -> Model {
        try parse(ModelFile.readText(path), file: path)
    }

    /// Parses LP text; `file` only names the source in errors.
    public static func parse(_ text: String, file: String? = nil) throws -> Model {
        var parser = LPParser(file: file)
        return try parser.parse(text)
    }

    /// Writes `model` as LP text (numbers in shortest round-trip form).
    public static func write(_ model: Model) -> String { LPWriter(model: model).text() }

    /// Writes `model` to `path` atomically.
    public static func write(_ model: Model, to path: String) throws {
        try ModelFile.writeAtomically(write(model), to: path)
    }
}

struct LPToken {
    enum Kind: Equatable { case number(Double), name(String), comparison(String), plus, minus, colon }
    var kind: Kind
    var line: Int
}

struct LPParser {
    let file: String?
    enum Section { case objective, constraints, bounds, general, binary, end }

    var model = Model(name: "model")
    var columnIndex: [String: Int] = [:]
    var explicitLower = Set<Int>()

    init(file: String?) { self.file = file }

    func fail(_ line: Int?, _ message: String) -> ModelFileError { ModelFileError(file: file, line: line, message) }

    static func sectionKeyword(_ line: String) -> Section? {
        let words = line.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        switch words {
        case "minimize", "minimise", "minimum", "min", "maximize", "maximise", "maximum", "max": return .objective
        case "subject to", "such that", "st", "s.t.", "st.": return .constraints
        case "bounds", "bound": return .bounds
        case "general", "generals", "gen", "integer", "integers": return .general
        case "binary", "binaries", "bin": return .binary
        case "end": return .end
        default: return nil
        }
    }

    mutating func column(_ name: String) -> Variable {
        if let j = columnIndex[name] { return Variable(index: j) }
        let v = model.addVariable(lower: 0, upper: .infinity, name: name)
        columnIndex[name] = v.index
        return v
    }

    func tokenize(_ line: Substring, number lineNumber: Int) throws -> [LPToken] {
        var tokens: [LPToken] = []
        let chars = Array(line)
        var k = 0
        let nameChars = Set("!\"#$%&()/,.;?@_`'{}|~[]^")
        while k < chars.count {
            let c = chars[k]
            if c == " " || c == "\t" || c == "\r" { k += 1; continue }
            if c == "\\" { break }
            if c == "+" { tokens.append(LPToken(kind: .plus, line: lineNumber)); k += 1; continue }
            if c == "-" { tokens.append(LPToken(kind: .minus, line: lineNumber)); k += 1; continue }
            if c == ":" { tokens.append(LPToken(kind: .colon, line: lineNumber)); k += 1; continue }
            if c == "<" || c == ">" || c == "=" {
                var op = String(c)
                if k + 1 < chars.count, chars[k + 1] == "=" || chars[k + 1] == "<" || chars[k + 1] == ">" { op.append(chars[k + 1]); k += 1 }
                k += 1
                let normal: String
                switch op {
                case "<", "<=", "=<": normal = "<="
                case ">", ">=", "=>": normal = ">="
                case "=", "==": normal = "="
                default: throw fail(lineNumber, "unknown operator '\(op)'")
                }
                tokens.append(LPToken(kind: .comparison(normal), line: lineNumber))
                continue
            }
            if c.isNumber || c == "." {
                var s = ""
                while k < chars.count, chars[k].isNumber || chars[k] == "." { s.append(chars[k]); k += 1 }
                if k < chars.count, chars[k] == "e" || chars[k] == "E" {
                    var t = String(chars[k]); var m = k + 1
                    if m < chars.count, chars[m] == "+" || chars[m] == "-" { t.append(chars[m]); m += 1 }
                    if m < chars.count, chars[m].isNumber {
                        while m < chars.count, chars[m].isNumber { t.append(chars[m]); m += 1 }
                        s += t; k = m
                    }
                }
                guard let v = Double(s), v.isFinite else { throw fail(lineNumber, "'\(s)' is not a number") }
                tokens.append(LPToken(kind: .number(v), line: lineNumber))
                continue
            }
            if c.isLetter || nameChars.contains(c) {
                var s = ""
                while k < chars.count, chars[k].isLetter || chars[k].isNumber || nameChars.contains(chars[k]) { s.append(chars[k]); k += 1 }
                let lower = s.lowercased()
                if lower == "inf" || lower == "infinity" {
                    tokens.append(LPToken(kind: .number(.infinity), line: lineNumber))
                } else if lower == "nan" {
                    throw fail(lineNumber, "NaN is not a number PeerGrid accepts")
                } else {
                    tokens.append(LPToken(kind: .name(s), line: lineNumber))
                }
                continue
            }
            throw fail(lineNumber, "unexpected character '\(c)'")
        }
        return tokens
    }

    /// Reads `[sign] [coef] name` terms and constants until a comparison or the end; returns the expression.
    mutating func expression(_ t: [LPToken], _ k: inout Int) throws -> LinearExpression {
        var e = LinearExpression()
        var sawTerm = false
        while k < t.count {
            var sign = 1.0
            var signed = false
            while k < t.count, t[k].kind == .plus || t[k].kind == .minus {
                if t[k].kind == .minus { sign = -sign }
                signed = true
                k += 1
            }
            if k >= t.count { if signed { throw fail(t[k - 1].line, "expression ends with a sign") }; break }
            if !signed && sawTerm, case .comparison = t[k].kind { break }
            if !signed && sawTerm { throw fail(t[k].line, "expected + or - between terms") }
            switch t[k].kind {
            case let .number(v):
                guard v.isFinite else { throw fail(t[k].line, "infinite coefficient") }
                k += 1
                if k < t.count, case let .name(n) = t[k].kind { e.add(sign * v, column(n)); k += 1 } else { e.constant += sign * v }
            case let .name(n): e.add(sign, column(n)); k += 1
            case .comparison:
                if signed { throw fail(t[k].line, "a sign before a comparison") }
                return e
            default: throw fail(t[k].line, "unexpected token in an expression")
            }
            sawTerm = true
        }
        return e
    }

    func signedNumber(_ t: [LPToken], _ k: inout Int) throws -> Double {
        var sign = 1.0
        while k < t.count, t[k].kind == .plus || t[k].kind == .minus { if t[k].kind == .minus { sign = -sign }; k += 1 }
        guard k < t.count, case let .number(v) = t[k].kind else {
            throw fail(k < t.count ? t[k].line : t.last?.line, "expected a number")
        }
        k += 1
        return sign * v
    }

    /// Splits a token stream into `name:`-prefixed or bare statements for the constraints section. A statement
    /// ends after its right-hand side number.
    mutating func constraints(_ t: [LPToken]) throws {
        var k = 0
        while k < t.count {
            let startLine = t[k].line
            var name: String?
            if k + 1 < t.count, case let .name(n) = t[k].kind, t[k + 1].kind == .colon { name = n; k += 2 }
            // Ranged form: number <= expr <= number.
            var save = k
            if let lo = try? signedNumber(t, &save), save < t.count, case .comparison(let op1) = t[save].kind,
                save + 1 < t.count, !isNumberStart(t, save + 1)
            {
                k = save + 1
                let e = try expression(t, &k)
                guard k < t.count, case .comparison(let op2) = t[k].kind, op1 == op2, op1 != "=" else {
                    throw fail(startLine, "a ranged constraint needs the form lo <= expression <= hi")
                }
                k += 1
                let hi = try signedNumber(t, &k)
                let (l, u) = op1 == "<=" ? (lo, hi) : (hi, lo)
                model.add(LinearConstraint(e, lower: l, upper: u), name: name)
                continue
            }
            let e = try expression(t, &k)
            guard k < t.count, case .comparison(let op) = t[k].kind else {
                throw fail(k < t.count ? t[k].line : startLine, "constraint \(name ?? "") has no comparison")
            }
            k += 1
            let rhs = try signedNumber(t, &k)
            switch op {
            case "<=": model.add(e <= rhs, name: name)
            case ">=": model.add(e >= rhs, name: name)
            default:
                guard rhs.isFinite else { throw fail(startLine, "equality with an infinite right-hand side") }
                model.add(e == rhs, name: name)
            }
        }
    }

    func isNumberStart(_ t: [LPToken], _ k: Int) -> Bool {
        var m = k
        while m < t.count, t[m].kind == .plus || t[m].kind == .minus { m += 1 }
        guard m < t.count, case .number = t[m].kind else { return false }
        // "3 x" is a term, "3" followed by a comparison or end is a number.
        if m + 1 < t.count, case .name = t[m + 1].kind { return false }
        return true
    }

    mutating func bound(_ t: [LPToken]) throws {
        guard let line = t.first?.line else { return }
        func setLower(_ j: Int, _ v: Double) { model.setBounds(Variable(index: j), lower: v, upper: model.columnUpper[j]); explicitLower.insert(j) }
        func setUpper(_ j: Int, _ v: Double) {
            model.setBounds(Variable(index: j), lower: model.columnLower[j], upper: v)
        }
        // x free
        if t.count == 2, case let .name(n) = t[0].kind, case let .name(f) = t[1].kind, f.lowercased() == "free" {
            let j = column(n).index
            model.setBounds(Variable(index: j), lower: -.infinity, upper: .infinity)
            return
        }
        var k = 0
        if case let .name(n) = t[0].kind {
            // x op v
            k = 1
            guard k < t.count, case .comparison(let op) = t[k].kind else { throw fail(line, "a bound needs a comparison") }
            k += 1
            let v = try signedNumber(t, &k)
            guard k == t.count else { throw fail(line, "unexpected text after the bound") }
            let j = column(n).index
            switch op {
            case "<=": setUpper(j, v)
            case ">=": setLower(j, v)
            default: setLower(j, v); setUpper(j, v)
            }
        } else {
            // v op x [op w]
            let v = try signedNumber(t, &k)
            guard k < t.count, case .comparison(let op) = t[k].kind else { throw fail(line, "a bound needs a comparison") }
            k += 1
            guard k < t.count, case let .name(n) = t[k].kind else { throw fail(line, "a bound needs a variable") }
            k += 1
            let j = column(n).index
            switch op {
            case "<=": setLower(j, v)
            case ">=": setUpper(j, v)
            default: setLower(j, v); setUpper(j, v)
            }
            if k < t.count {
                guard case .comparison(let op2) = t[k].kind, op2 == op, op != "=" else { throw fail(line, "malformed double bound") }
                k += 1
                let w = try signedNumber(t, &k)
                if op == "<=" { setUpper(j, w) } else { setLower(j, w) }
                guard k == t.count else { throw fail(line, "unexpected text after the bound") }
            }
        }
        for j in 0..<model.variableCount where model.columnLower[j] > model.columnUpper[j] {
            throw fail(line, "variable \(model.columnName(j)): lower bound \(model.columnLower[j]) is above upper bound \(model.columnUpper[j])")
        }
        for j in 0..<model.variableCount where model.columnLower[j] == .infinity || model.columnUpper[j] == -.infinity {
            throw fail(line, "variable \(model.columnName(j)) gets an infinite bound on the wrong side")
        }
    }

    mutating func parse(_ text: String) throws -> Model {
        var section: Section?
        var sense: ObjectiveSense?
        var objectiveTokens: [LPToken] = []
        var constraintTokens: [LPToken] = []
        var boundLines: [[LPToken]] = []
        var integerNames: [(String, Int)] = [], binaryNames: [(String, Int)] = []
        var lineNumber = 0
        var sawContent = false
        var lastContentLine = 0
        for raw in ModelFile.lines(text) {
            lineNumber += 1
            let stripped = raw.split(separator: "\\", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if stripped.allSatisfy({ $0.isWhitespace }) { continue }
            sawContent = true
            lastContentLine = lineNumber
            if let s = LPParser.sectionKeyword(String(stripped)) {
                if section == .end { throw fail(lineNumber, "content after End") }
                if s == .objective {
                    if sense != nil { throw fail(lineNumber, "a second objective section") }
                    sense = stripped.lowercased().contains("max") ? .maximize : .minimize
                }
                if s != .objective && sense == nil { throw fail(lineNumber, "the file must start with Minimize or Maximize") }
                section = s
                continue
            }
            guard let section else { throw fail(lineNumber, "text before the Minimize/Maximize section") }
            let tokens = try tokenize(stripped, number: lineNumber)
            switch section {
            case .objective: objectiveTokens += tokens
            case .constraints: constraintTokens += tokens
            case .bounds: boundLines.append(tokens)
            case .general, .binary:
                for tok in tokens {
                    guard case let .name(n) = tok.kind else { throw fail(lineNumber, "expected variable names") }
                    if section == .general { integerNames.append((n, lineNumber)) } else { binaryNames.append((n, lineNumber)) }
                }
            case .end: throw fail(lineNumber, "content after End")
            }
        }
        guard sawContent else { throw fail(nil, "empty file") }
        guard let sense else { throw fail(lineNumber, "no Minimize or Maximize section") }
        guard section == .end else { throw fail(lastContentLine, "file ends without End (truncated?)") }
        var k = 0
        var objName: String?
        if objectiveTokens.count >= 2, case let .name(n) = objectiveTokens[0].kind, objectiveTokens[1].kind == .colon {
            objName = n; k = 2
        }
        let objective = try expression(objectiveTokens, &k)
        if k < objectiveTokens.count { throw fail(objectiveTokens[k].line, "unexpected comparison in the objective") }
        try constraints(constraintTokens)
        for b in boundLines { try bound(b) }
        for (n, _) in integerNames { model.setKind(column(n), .integer) }
        for (n, line) in binaryNames {
            let v = column(n)
            model.setKind(v, .binary)
            if model.columnLower[v.index] > model.columnUpper[v.index] { throw fail(line, "binary \(n) has bounds outside [0, 1]") }
        }
        model.setObjective(objective, sense: sense)
        model.objectiveName = objName
        return model
    }
}

struct LPWriter {
    let model: Model

    func names(count: Int, prefix: String, _ name: (Int) -> String?) -> [String] {
        var used = Set<String>()
        var result: [String] = []
        for k in 0..<count {
            guard let n = name(k), LPWriter.valid(n), used.insert(n).inserted else {
                return (0..<count).map { "\(prefix)\($0)" }
            }
            result.append(n)
        }
        return result
    }

    static func valid(_ n: String) -> Bool {
        guard let f = n.first, f.isLetter || f == "_" else { return false }
        let lower = n.lowercased()
        if ["inf", "infinity", "free", "nan", "st", "end", "bounds", "min", "max", "bin", "gen"].contains(lower) { return false }
        if lower.first == "e" && n.dropFirst().allSatisfy({ $0.isNumber }) && n.count > 1 { return false }
        return n.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "[" || $0 == "]" }
    }

    func terms(_ pairs: [(Int, Double)], _ cols: [String]) -> String {
        var parts: [String] = []
        for (j, a) in pairs {
            let sign = a < 0 ? "-" : "+"
            parts.append("\(parts.isEmpty && a >= 0 ? "" : sign + " ")\(abs(a)) \(cols[j])")
        }
        return parts.isEmpty ? "0 \(cols.first ?? "")" : parts.joined(separator: " ")
    }

    func text() -> String {
        let cols = names(count: model.variableCount, prefix: "x") { model.columnNames[$0] }
        let rows = names(count: model.constraintCount, prefix: "r") { model.rowNames[$0] }
        var out: [String] = ["\\ Problem: \(model.name)", model.sense == .maximize ? "Maximize" : "Minimize"]
        var obj = " obj: " + terms((0..<model.variableCount).filter { model.objective[$0] != 0 }.map { ($0, model.objective[$0]) }, cols)
        if model.variableCount == 0 { obj = " obj: 0" }
        if model.objectiveConstant != 0 { obj += " \(model.objectiveConstant < 0 ? "-" : "+") \(abs(model.objectiveConstant))" }
        out.append(obj)
        out.append("Subject To")
        for i in 0..<model.constraintCount {
            let lhs = model.row(i).isEmpty ? "0 \(cols.first ?? "x")" : terms(model.row(i).map { ($0.column, $0.value) }, cols)
            let lo = model.rowLower[i], up = model.rowUpper[i]
            switch (lo.isFinite, up.isFinite) {
            case (true, true) where lo == up: out.append(" \(rows[i]): \(lhs) = \(lo)")
            case (true, true): out.append(" \(rows[i]): \(lo) <= \(lhs) <= \(up)")
            case (true, false): out.append(" \(rows[i]): \(lhs) >= \(lo)")
            case (false, true): out.append(" \(rows[i]): \(lhs) <= \(up)")
            case (false, false): out.append(" \(rows[i]): -inf <= \(lhs) <= inf")
            }
        }
        out.append("Bounds")
        for j in 0..<model.variableCount {
            let lo = model.columnLower[j], up = model.columnUpper[j]
            if model.kinds[j] == .binary && lo == 0 && up == 1 { continue }
            if !lo.isFinite && !up.isFinite { out.append(" \(cols[j]) free"); continue }
            if lo == up { out.append(" \(cols[j]) = \(lo)"); continue }
            if lo == 0 && !up.isFinite { continue }
            out.append(" \(lo.isFinite ? "\(lo)" : "-inf") <= \(cols[j]) <= \(up.isFinite ? "\(up)" : "inf")")
        }
        let generals = (0..<model.variableCount).filter {
            model.kinds[$0] == .integer || (model.kinds[$0] == .binary && !(model.columnLower[$0] == 0 && model.columnUpper[$0] == 1))
        }
        let binaries = (0..<model.variableCount).filter { model.kinds[$0] == .binary && model.columnLower[$0] == 0 && model.columnUpper[$0] == 1 }
        if !generals.isEmpty { out.append("General"); out.append(" " + generals.map { cols[$0] }.joined(separator: " ")) }
        if !binaries.isEmpty { out.append("Binary"); out.append(" " + binaries.map { cols[$0] }.joined(separator: " ")) }
        out.append("End")
        return out.joined(separator: "\n") + "\n"
    }
}
