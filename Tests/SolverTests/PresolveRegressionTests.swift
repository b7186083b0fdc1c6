import CbcSolver
import GLPKSolver
import LinearProgramming
import Testing

/// GLPK 5.0's LP and MIP presolvers return x = 0.212 for max x with x <= 0.212 and x <= 0.211 (two singleton rows
/// on one column): a point that breaks a row. Found by the market's property tests (bilateral LP). The backend
/// checks every answer and solves again without the presolver.
struct PresolveRegressionTests {
    static func model(withBinary: Bool) -> Model {
        var m = Model(name: "singletons")
        let x = m.addVariable(lower: 0, objective: 0.115)
        if withBinary { m.addVariable(lower: 0, upper: 1, kind: .binary, objective: 0.001) }
        m.add(LinearExpression(x) <= 0.212)
        m.add(LinearExpression(x) <= 0.211)
        m.sense = .maximize
        return m
    }

    @Test(arguments: [false, true]) func twoSingletonRowsOnOneColumnKeepTheTighterBound(withBinary: Bool) throws {
        for solver in [GLPKSolver() as any LinearSolver, CbcSolver()] {
            let m = Self.model(withBinary: withBinary)
            let s = try solver.solve(m, options: SolverOptions())
            #expect(s.status == .optimal)
            #expect(abs(s.values[0] - 0.211) < 1e-9, "\(solver.name): x = \(s.values[0])")
            #expect(m.maxViolation(s.values) <= 1e-9)
        }
    }

    @Test func maxViolationNamesBrokenRowsBoundsAndIntegrality() {
        let m = Self.model(withBinary: true)
        #expect(m.maxViolation([0.2, 1]) == 0)
        #expect(m.maxViolation([0.212, 1]) > 1e-4)
        #expect(m.maxViolation([0.1, 0.5]) == 0.5)
        #expect(m.maxViolation([-1, 0]) > 0.9)
        #expect(m.maxViolation([0.1]) == .infinity)
    }
}
