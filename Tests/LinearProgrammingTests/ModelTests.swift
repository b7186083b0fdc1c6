import Testing
@testable import LinearProgramming

@Suite struct ModelTests {
    @Test func operatorsBuildRowsAndMergeDuplicates() {
        var m = Model()
        let x = m.addVariable(name: "x"), y = m.addVariable(name: "y")
        let row = m.add(2 * x + y - x + 3 <= 10 + 0 * y)  // x + y <= 7 after merge, 0*y dropped
        #expect(m.row(row).map { $0.column } == [x.index, y.index])
        #expect(m.row(row).map { $0.value } == [1, 1])
        #expect(m.rowUpper[row] == 7 && m.rowLower[row] == -.infinity)
        let eq = m.add(x - y == 2)
        #expect(m.rowLower[eq] == 2 && m.rowUpper[eq] == 2)
        let ge = m.add(3 * x >= y)
        #expect(m.row(ge).map { $0.value } == [3, -1] && m.rowLower[ge] == 0)
        let cancelled = m.add(x - x <= 1)
        #expect(m.row(cancelled).isEmpty)
        #expect(m.nonZeroCount == 6)
    }

    @Test func binaryBoundsAreClampedAndCountsAreRight() {
        var m = Model()
        let b = m.addVariable(lower: -3, upper: 5, kind: .binary)
        _ = m.addVariables(3, kind: .integer)
        #expect(m.columnLower[b.index] == 0 && m.columnUpper[b.index] == 1)
        #expect(m.integerCount == 4 && m.isMixedInteger)
    }

    /// min x + 2y s.t. x + y >= 1, x - y <= 0.5, 0 <= x, y <= 10: optimum 1.25 at (0.75, 0.25), duals 1.5 and -0.5.
    static func smallLP() -> Model {
        var m = Model()
        let x = m.addVariable(upper: 10), y = m.addVariable(upper: 10)
        m.add(x + y >= 1)
        m.add(x - y <= 0.5)
        m.setObjective(x + 2 * y, sense: .minimize)
        return m
    }

    /// Weak duality: the optimum's duals give the optimum, and any multipliers (a grid of 625 pairs) a bound below it.
    @Test func lagrangianBoundIsBelowTheOptimumForAnyMultipliers() throws {
        let m = Self.smallLP()
        let exact = try #require(m.lagrangianBound(rowDuals: [1.5, -0.5]))
        #expect(abs(exact - 1.25) < 1e-12)
        for a in stride(from: -3.0, through: 3.0, by: 0.25) {
            for b in stride(from: -3.0, through: 3.0, by: 0.25) {
                let bound = try #require(m.lagrangianBound(rowDuals: [a, b]))
                #expect(bound <= 1.25 + 1e-12, "multipliers \(a), \(b): bound \(bound)")
            }
        }
        var free = m
        free.setBounds(Variable(index: 0), lower: -.infinity, upper: .infinity)
        #expect(free.lagrangianBound(rowDuals: [0, 0]) == nil)  // reduced cost 1 on a column unbounded below
        var maximize = m
        maximize.setObjective(LinearExpression(), sense: .maximize)
        #expect(maximize.lagrangianBound(rowDuals: [0, 0]) == nil)
        #expect(m.lagrangianBound(rowDuals: [1]) == nil)
    }

    @Test func columnMajorIsTheTransposeOfTheRows() {
        var m = Model()
        let v = m.addVariables(3)
        m.add(v[0] + 2 * v[2] <= 1)
        m.add(3 * v[1] + 4 * v[2] >= 0)
        let c = m.columnMajor()
        #expect(c.starts == [0, 1, 2, 4])
        #expect(c.rows == [0, 1, 0, 1])
        #expect(c.values == [1, 3, 2, 4])
    }

    @Test func largeModelBuildsThroughTheBulkPath() {
        // 1,000 rows x 1,000 terms: a million non-zeros (the benchmark times this; the test checks the result).
        var m = Model()
        let vars = m.addVariables(1_000)
        let idx = vars.map(\.index)
        let coef = (0..<1_000).map { Double($0 % 7 + 1) }
        for _ in 0..<1_000 { m.addRow(indices: idx, coefficients: coef, lower: 0, upper: 10) }
        #expect(m.nonZeroCount == 1_000_000)
        #expect(throws: Never.self) { try m.validate() }
    }

    @Test func validateNamesTheProblem() {
        var m = Model()
        let x = m.addVariable(name: "x")
        m.setBounds(x, lower: 2, upper: 1)
        #expect(throws: ModelError.inconsistentBounds(field: "bounds of x", lower: 2, upper: 1)) { try m.validate() }
        m.setBounds(x, lower: .infinity, upper: .infinity)
        #expect(throws: ModelError.self) { try m.validate() }
    }
}
