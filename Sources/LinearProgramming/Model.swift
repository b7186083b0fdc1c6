/// A solver-agnostic linear or mixed-integer model: `min/max c·x + c0` subject to `rowLower <= A x <= rowUpper`
/// and `columnLower <= x <= columnUpper`, some columns integer.
///
/// The constraint matrix is stored sparse by rows (compressed sparse row: ``rowStarts``, ``rowColumns``,
/// ``rowValues``) as it is built, so a model of a million non-zeros is built in well under a second and handed to
/// a solver in one bulk call. Duplicate terms in a row are merged when the row is added; exact zeros are dropped.
/// Names are optional (`nil`); file writers invent `x<j>` / `r<i>` for missing ones.
public struct Model: Sendable {
    /// The model's name (MPS `NAME`).
    public var name: String
    /// Minimize or maximize.
    public var sense: ObjectiveSense = .minimize
    /// Constant added to the objective.
    public var objectiveConstant: Double = 0
    /// The objective's name (the MPS `N` row); `nil` means `OBJ`.
    public var objectiveName: String?

    // Columns
    public private(set) var columnLower: [Double] = []
    public private(set) var columnUpper: [Double] = []
    public private(set) var objective: [Double] = []
    public private(set) var kinds: [VariableKind] = []
    public private(set) var columnNames: [String?] = []

    // Rows (CSR)
    public private(set) var rowStarts: [Int] = [0]
    public private(set) var rowColumns: [Int32] = []
    public private(set) var rowValues: [Double] = []
    public private(set) var rowLower: [Double] = []
    public private(set) var rowUpper: [Double] = []
    public private(set) var rowNames: [String?] = []

    /// Scratch map column -> position in the row being merged (-1 when absent).
    private var position: [Int32] = []

    /// An empty model.
    public init(name: String = "model") { self.name = name }

    /// Number of variables (columns).
    public var variableCount: Int { kinds.count }
    /// Number of integer or binary variables.
    public var integerCount: Int { kinds.reduce(0) { $0 + ($1 == .continuous ? 0 : 1) } }
    /// Number of constraints (rows).
    public var constraintCount: Int { rowLower.count }
    /// Number of non-zeros in the constraint matrix.
    public var nonZeroCount: Int { rowValues.count }
    /// Whether any variable is integer or binary.
    public var isMixedInteger: Bool { kinds.contains { $0 != .continuous } }

    // MARK: Variables

    /// Adds a variable. A binary variable's bounds are intersected with [0, 1].
    @discardableResult
    public mutating func addVariable(
        lower: Double = 0, upper: Double = .infinity, kind: VariableKind = .continuous,
        objective: Double = 0, name: String? = nil
    ) -> Variable {
        let index = kinds.count
        columnLower.append(kind == .binary ? max(lower, 0) : lower)
        columnUpper.append(kind == .binary ? min(upper, 1) : upper)
        self.objective.append(objective)
        kinds.append(kind)
        columnNames.append(name)
        position.append(-1)
        return Variable(index: index)
    }

    /// Adds `count` variables with the same bounds and kind.
    public mutating func addVariables(
        _ count: Int, lower: Double = 0, upper: Double = .infinity,
        kind: VariableKind = .continuous, objective: Double = 0
    ) -> [Variable] {
        let start = kinds.count
        let n = max(0, count)
        let lo = kind == .binary ? max(lower, 0) : lower
        let up = kind == .binary ? min(upper, 1) : upper
        columnLower.append(contentsOf: repeatElement(lo, count: n))
        columnUpper.append(contentsOf: repeatElement(up, count: n))
        self.objective.append(contentsOf: repeatElement(objective, count: n))
        kinds.append(contentsOf: repeatElement(kind, count: n))
        columnNames.append(contentsOf: repeatElement(nil, count: n))
        position.append(contentsOf: repeatElement(-1, count: n))
        return (start..<(start + n)).map(Variable.init(index:))
    }

    /// Changes a variable's bounds.
    public mutating func setBounds(_ v: Variable, lower: Double, upper: Double) {
        columnLower[v.index] = lower
        columnUpper[v.index] = upper
    }

    /// Changes a variable's kind (binary also clamps its bounds to [0, 1]).
    public mutating func setKind(_ v: Variable, _ kind: VariableKind) {
        kinds[v.index] = kind
        if kind == .binary {
            columnLower[v.index] = max(columnLower[v.index], 0)
            columnUpper[v.index] = min(columnUpper[v.index], 1)
        }
    }

    /// Changes a variable's name.
    public mutating func setName(_ v: Variable, _ name: String?) { columnNames[v.index] = name }

    // MARK: Objective

    /// Replaces the objective by `expression` (duplicates summed) and sets the sense.
    public mutating func setObjective(_ expression: LinearExpression, sense: ObjectiveSense) {
        self.sense = sense
        objective = Array(repeating: 0, count: kinds.count)
        for (j, a) in zip(expression.indices, expression.coefficients) where j >= 0 && j < objective.count {
            objective[j] += a
        }
        objectiveConstant = expression.constant
    }

    /// Sets one objective coefficient.
    public mutating func setObjectiveCoefficient(_ v: Variable, _ value: Double) { objective[v.index] = value }

    // MARK: Constraints

    /// Adds `constraint` as a row; the expression's constant moves to the bounds. Returns the row index.
    @discardableResult
    public mutating func add(_ constraint: LinearConstraint, name: String? = nil) -> Int {
        let c = constraint.expression.constant
        return addRow(
            indices: constraint.expression.indices, coefficients: constraint.expression.coefficients,
            lower: constraint.lower - c, upper: constraint.upper - c, name: name)
    }

    /// Adds the row `lower <= sum coefficients[k] * x[indices[k]] <= upper`: the bulk path for generators.
    /// Duplicate indices are summed and zero coefficients dropped. Indices outside the model are kept so that
    /// ``validate()`` can report them; solvers validate before any C call.
    @discardableResult
    public mutating func addRow(
        indices: [Int], coefficients: [Double], lower: Double, upper: Double,
        name: String? = nil
    ) -> Int {
        let begin = rowColumns.count
        let n = min(indices.count, coefficients.count)
        let columnCount = kinds.count
        for k in 0..<n {
            let j = indices[k], a = coefficients[k]
            if j >= 0 && j < columnCount {
                let p = position[j]
                if p >= 0 { rowValues[Int(p)] += a; continue }
                position[j] = Int32(rowColumns.count)
            }
            rowColumns.append(Int32(truncatingIfNeeded: j))
            rowValues.append(a)
        }
        // Reset the scratch map and drop exact zeros (a NaN is kept: validate() names it).
        var write = begin
        for k in begin..<rowColumns.count {
            let j = Int(rowColumns[k])
            if j >= 0 && j < columnCount { position[j] = -1 }
            if rowValues[k] != 0 {
                rowColumns[write] = rowColumns[k]
                rowValues[write] = rowValues[k]
                write += 1
            }
        }
        rowColumns.removeLast(rowColumns.count - write)
        rowValues.removeLast(rowValues.count - write)
        rowStarts.append(write)
        rowLower.append(lower)
        rowUpper.append(upper)
        rowNames.append(name)
        return rowLower.count - 1
    }

    /// Changes a row's bounds.
    public mutating func setRowBounds(_ row: Int, lower: Double, upper: Double) {
        rowLower[row] = lower
        rowUpper[row] = upper
    }

    /// The terms of row `i` as (column, coefficient) pairs.
    public func row(_ i: Int) -> [(column: Int, value: Double)] {
        (rowStarts[i]..<rowStarts[i + 1]).map { (Int(rowColumns[$0]), rowValues[$0]) }
    }

    /// The name of column `j`, or `x<j>` when it has none.
    public func columnName(_ j: Int) -> String { columnNames[j] ?? "x\(j)" }
    /// The name of row `i`, or `r<i>` when it has none.
    public func rowName(_ i: Int) -> String { rowNames[i] ?? "r\(i)" }

    /// The objective value `c·x + c0` of the given column values.
    public func objectiveValue(_ values: [Double]) -> Double {
        var s = objectiveConstant
        for j in 0..<min(values.count, objective.count) { s += objective[j] * values[j] }
        return s
    }

    /// The activity `A_i · x` of every row for the given column values.
    public func rowActivities(_ values: [Double]) -> [Double] {
        (0..<constraintCount).map { i in
            var s = 0.0
            for k in rowStarts[i]..<rowStarts[i + 1] { s += rowValues[k] * values[Int(rowColumns[k])] }
            return s
        }
    }

    /// The largest violation of a column bound, row bound or integrality by `values`, each scaled by
    /// `1 + |bound|` (0 when every rule holds): a check of what a solver returned.
    public func maxViolation(_ values: [Double]) -> Double {
        guard values.count == variableCount else { return .infinity }
        var worst = 0.0
        for j in 0..<variableCount {
            let x = values[j]
            worst = max(worst, (columnLower[j] - x) / (1 + abs(columnLower[j])), (x - columnUpper[j]) / (1 + abs(columnUpper[j])))
            if kinds[j] != .continuous { worst = max(worst, abs(x - x.rounded())) }
        }
        for (i, a) in rowActivities(values).enumerated() {
            worst = max(worst, (rowLower[i] - a) / (1 + abs(rowLower[i])), (a - rowUpper[i]) / (1 + abs(rowUpper[i])))
        }
        return worst.isNaN ? .infinity : worst
    }

    /// A lower bound on a minimization LP's optimum from any row multipliers `y` (weak duality), with the
    /// integrality of every column relaxed: the minimum over the column bounds of `(c - A'y)·x`, plus that over the
    /// row bounds of `y·r`, plus `c0`. It is valid for every `y`, so an interior-point method's approximate duals
    /// give a proven bound, not only the optimum's estimate. A multiplier whose sign points at an infinite row
    /// bound is taken as 0, which keeps the bound valid; `nil` when a reduced cost points at an infinite column
    /// bound (the bound would be -infinity), when the model maximizes or when `y` has the wrong length.
    public func lagrangianBound(rowDuals y: [Double]) -> Double? {
        guard sense == .minimize, y.count == constraintCount else { return nil }
        var bound = objectiveConstant
        var reduced = objective
        for i in 0..<constraintCount {
            var yi = y[i]
            if (yi > 0 && !rowLower[i].isFinite) || (yi < 0 && !rowUpper[i].isFinite) || !yi.isFinite { yi = 0 }
            guard yi != 0 else { continue }
            bound += yi * (yi > 0 ? rowLower[i] : rowUpper[i])
            for k in rowStarts[i]..<rowStarts[i + 1] { reduced[Int(rowColumns[k])] -= yi * rowValues[k] }
        }
        for j in 0..<variableCount where reduced[j] != 0 {
            let b = reduced[j] > 0 ? columnLower[j] : columnUpper[j]
            guard b.isFinite else { return nil }
            bound += reduced[j] * b
        }
        return bound.isFinite ? bound : nil
    }

    /// The matrix by columns (compressed sparse column), as CBC's `Cbc_loadProblem` takes it.
    public func columnMajor() -> (starts: [Int32], rows: [Int32], values: [Double]) {
        let n = kinds.count
        var counts = [Int32](repeating: 0, count: n + 1)
        for j in rowColumns { counts[Int(j) + 1] += 1 }
        for j in 0..<n { counts[j + 1] += counts[j] }
        var next = counts
        var rows = [Int32](repeating: 0, count: rowColumns.count)
        var values = [Double](repeating: 0, count: rowColumns.count)
        for i in 0..<constraintCount {
            for k in rowStarts[i]..<rowStarts[i + 1] {
                let j = Int(rowColumns[k])
                let p = Int(next[j])
                rows[p] = Int32(i)
                values[p] = rowValues[k]
                next[j] += 1
            }
        }
        return (counts, rows, values)
    }
}

extension Model {
    /// The solution of a model without variables (solvers refuse empty problems): optimal with the objective
    /// constant when every row admits activity 0, infeasible otherwise. `nil` when the model has variables.
    public func solutionWithoutVariables(solver: String) -> Solution? {
        guard variableCount == 0 else { return nil }
        let feasible = (0..<constraintCount).allSatisfy { rowLower[$0] <= 0 && rowUpper[$0] >= 0 }
        return feasible
            ? Solution(
                status: .optimal, objective: objectiveConstant, bestBound: objectiveConstant,
                rowDuals: Array(repeating: 0, count: constraintCount), solver: solver)
            : Solution(status: .infeasible, solver: solver, message: "a row without variables excludes 0")
    }
}
