import DataIO
import LinearProgramming

/// Text forms of a solver result for `peergrid solve`.
public enum SolutionReport {
    /// The JSON object of `peergrid solve --json`.
    public static func json(_ s: Solution, model: Model) -> JSON {
        .object([
            ("status", .string(s.status.rawValue)),
            ("objective", .number(s.objective)),
            ("best_bound", .number(s.bestBound)),
            ("gap", .number(s.gap)),
            ("solver", .string(s.solver)),
            ("solve_seconds", .number(s.solveSeconds)),
            ("handover_seconds", .number(s.handoverSeconds)),
            ("variables", .integer(model.variableCount)),
            ("integer_variables", .integer(model.integerCount)),
            ("constraints", .integer(model.constraintCount)),
            ("nonzeros", .integer(model.nonZeroCount)),
            ("sense", .string(model.sense.rawValue))
        ])
    }

    /// `variable,value` rows, one per column, in column order.
    public static func csv(_ s: Solution, model: Model) -> String {
        var out = "variable,value\n"
        for j in 0..<min(model.variableCount, s.values.count) {
            out += "\(CSV.field(model.columnName(j))),\(s.values[j])\n"
        }
        return out
    }

    /// A short human summary.
    public static func text(_ s: Solution, model: Model, file: String, readSeconds: Double) -> String {
        func f(_ x: Double?) -> String { TextNumber.fixed(x, decimals: 6) }
        let gap = s.gap.map { String(format: "%.4f%%", $0 * 100) } ?? "-"
        return """
            model     \(file): \(model.variableCount) variables (\(model.integerCount) integer), \(model.constraintCount) constraints, \(model.nonZeroCount) non-zeros, \(model.sense.rawValue)
            solver    \(s.solver)
            status    \(s.status.rawValue)\(s.message.isEmpty ? "" : " (\(s.message))")
            objective \(f(s.objective))
            bound     \(f(s.bestBound))   gap \(gap)
            time      read \(String(format: "%.3f", readSeconds)) s, hand-over \(String(format: "%.3f", s.handoverSeconds)) s, solve \(String(format: "%.3f", s.solveSeconds)) s
            """
    }
}

/// CSV quoting.
public enum CSV {
    /// A field quoted when it holds a comma, quote or line break (DataIO's one rule).
    public static func field(_ s: String) -> String { CSVText.field(s) }
}
