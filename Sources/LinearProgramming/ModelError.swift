import DataIO
/// A model that no solver may be given. ``Model/validate()`` finds these before any C call: GLPK aborts the
/// whole process on an out-of-range index or inconsistent bounds, so every solver validates first.
public enum ModelError: PeerGridError, Equatable {
    case columnIndexOutOfRange(row: String, column: Int, columnCount: Int)
    case notFinite(field: String, value: Double)
    case inconsistentBounds(field: String, lower: Double, upper: Double)
    case tooLarge(detail: String)
    case tooLargeMagnitude(field: String, value: Double, limit: Double)
    /// A solver option out of its range (a time limit of 0, a negative gap).
    case invalidOption(String)
    /// An edit of a solver's problem kept between solves (a column or row index out of range, a bad number).
    case invalid(String)

    public var description: String {
        switch self {
        case let .columnIndexOutOfRange(row, column, count):
            return "row \(row) refers to column \(column), but the model has \(count) columns"
        case let .notFinite(field, value): return "\(field) is \(value); it must be a finite number"
        case let .inconsistentBounds(field, lower, upper): return "\(field): lower bound \(lower) is above upper bound \(upper)"
        case let .tooLarge(detail): return "model too large: \(detail)"
        case let .invalidOption(message): return message
        case let .invalid(message): return message
        case let .tooLargeMagnitude(field, value, limit):
            return
                "\(field) is \(value); magnitudes above \(String(format: "%g", limit)) are refused (the solvers lose precision there: CBC calls feasible models infeasible, GLPK aborts); rescale the model, or write an infinite bound as inf (LP) or 1e30 (MPS)"
        }
    }
}

extension Model {
    /// Checks everything a C solver would choke on: column indices in range, finite coefficients, objective and
    /// bounds not NaN, lower bounds not above upper bounds, bounds not +inf below / -inf above, sizes that fit
    /// in 32-bit C indices.
    public func validate() throws {
        let n = variableCount
        guard n < Int(Int32.max) - 1, constraintCount < Int(Int32.max) - 1, nonZeroCount < Int(Int32.max) - 1 else {
            throw ModelError.tooLarge(detail: "\(n) columns, \(constraintCount) rows, \(nonZeroCount) non-zeros")
        }
        guard objectiveConstant.isFinite else { throw ModelError.notFinite(field: "objective constant", value: objectiveConstant) }
        try Self.checkMagnitude(objectiveConstant, field: "objective constant")
        for j in 0..<n {
            guard objective[j].isFinite else { throw ModelError.notFinite(field: "objective coefficient of \(columnName(j))", value: objective[j]) }
            try Self.checkMagnitude(objective[j], field: "objective coefficient of \(columnName(j))")
            try Self.checkBounds(columnLower[j], columnUpper[j], field: "bounds of \(columnName(j))")
        }
        for i in 0..<constraintCount {
            try Self.checkBounds(rowLower[i], rowUpper[i], field: "bounds of row \(rowName(i))")
            for k in rowStarts[i]..<rowStarts[i + 1] {
                let j = Int(rowColumns[k])
                guard j >= 0 && j < n else { throw ModelError.columnIndexOutOfRange(row: rowName(i), column: j, columnCount: n) }
                guard rowValues[k].isFinite else {
                    throw ModelError.notFinite(field: "coefficient of \(columnName(j)) in row \(rowName(i))", value: rowValues[k])
                }
                try Self.checkMagnitude(rowValues[k], field: "coefficient of \(columnName(j)) in row \(rowName(i))")
            }
        }
    }

    /// The largest magnitude of a coefficient or a finite bound the solvers are handed. Beyond it they fail in
    /// ways that look like answers: CBC calls feasible models with coefficients of 1e26 infeasible, Clp aborts,
    /// GLPK aborts the process on 1e300 (`glp_set_sjj: invalid scale factor`), and both take a finite bound of
    /// 1e20 or more for infinity.
    public static let largestMagnitude = 1e15

    private static func checkMagnitude(_ v: Double, field: String) throws {
        if abs(v) > largestMagnitude { throw ModelError.tooLargeMagnitude(field: field, value: v, limit: largestMagnitude) }
    }

    private static func checkBounds(_ lo: Double, _ up: Double, field: String) throws {
        if lo.isNaN || lo == .infinity { throw ModelError.notFinite(field: "lower " + field, value: lo) }
        if up.isNaN || up == -.infinity { throw ModelError.notFinite(field: "upper " + field, value: up) }
        if lo.isFinite { try checkMagnitude(lo, field: "lower " + field) }
        if up.isFinite { try checkMagnitude(up, field: "upper " + field) }
        if lo > up { throw ModelError.inconsistentBounds(field: field, lower: lo, upper: up) }
    }
}

extension ModelError {
    /// A model or an option no solver may be given: bad input.
    public var kind: FailureKind { .badInput }
}
