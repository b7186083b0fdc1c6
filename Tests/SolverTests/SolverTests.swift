import Foundation
import Numerics
import Testing
import CbcSolver
import GLPKSolver
import LinearProgramming
import TestFixtures

let solvers: [any LinearSolver] = [GLPKSolver(), CbcSolver()]

func expectMatches(_ s: Solution, _ known: KnownModel, _ context: String, tolerance: Double = 1e-6) {
    #expect(s.status == known.status, "\(context): status \(s.status) (\(s.message)), expected \(known.status)")
    if let expected = known.objective {
        let got = s.objective ?? .nan
        #expect(
            abs(got - expected) <= tolerance * max(1, abs(expected)),
            "\(context): objective \(got), expected \(expected)")
        if s.status.hasSolution {
            // The values reproduce the objective and satisfy every row and bound.
            let m = known.model
            #expect(m.objectiveValue(s.values).isApproximatelyEqual(to: got, absoluteTolerance: 1e-6))
            for (i, a) in m.rowActivities(s.values).enumerated() {
                #expect(a >= m.rowLower[i] - 1e-6 && a <= m.rowUpper[i] + 1e-6, "\(context): row \(i) activity \(a)")
            }
            for j in 0..<m.variableCount {
                #expect(s.values[j] >= m.columnLower[j] - 1e-6 && s.values[j] <= m.columnUpper[j] + 1e-6)
                if m.kinds[j] != .continuous { #expect(abs(s.values[j] - s.values[j].rounded()) < 1e-6) }
            }
        }
    }
}

@Suite(.serialized) struct KnownOptimaTests {
    @Test(arguments: KnownModel.all)
    func bothSolversFindTheKnownOptimum(_ known: KnownModel) throws {
        for solver in solvers {
            let s = try solver.solve(known.model, options: SolverOptions())
            expectMatches(s, known, "\(solver.name) on \(known.name)")
        }
    }

    @Test(arguments: KnownModel.all)
    func writeThenReadRoundTripsGiveTheSameOptimum(_ known: KnownModel) throws {
        let texts: [(String, Model)] = [
            ("free MPS", try MPS.parse(MPS.write(known.model, format: .free))),
            ("fixed MPS", try MPS.parse(MPS.write(known.model, format: .fixed), format: .fixed)),
            ("LP", try LPFormat.parse(LPFormat.write(known.model)))
        ]
        for (format, model) in texts {
            #expect(model.variableCount == known.model.variableCount)
            #expect(model.constraintCount == known.model.constraintCount)
            #expect(model.sense == known.model.sense)
            for solver in solvers {
                let s = try solver.solve(model, options: SolverOptions())
                expectMatches(
                    s, KnownModel(name: known.name, model: model, status: known.status, objective: known.objective),
                    "\(solver.name) on \(known.name) via \(format)")
            }
        }
    }

    /// CLP's barrier, with and without crossover, finds the known optimum of every LP (a MIP ignores the option).
    @Test(arguments: KnownModel.all)
    func cbcBarrierFindsTheKnownOptimum(_ known: KnownModel) throws {
        for method in [LPMethod.barrier, .barrierWithoutCrossover] {
            var options = SolverOptions()
            options.lpMethod = method
            let s = try CbcSolver().solve(known.model, options: options)
            expectMatches(s, known, "cbc \(method.rawValue) on \(known.name)")
        }
    }

    /// GLPK's interior-point method (``LPMethod/barrierWithoutCrossover``) finds every known optimum; where it
    /// cannot prove one (a maximization, a free column, an infeasible or unbounded LP) the simplex answers, and a
    /// MIP ignores the option.
    @Test(arguments: KnownModel.all)
    func glpkInteriorPointFindsTheKnownOptimum(_ known: KnownModel) throws {
        var options = SolverOptions()
        options.lpMethod = .barrierWithoutCrossover
        let s = try GLPKSolver().solve(known.model, options: options)
        expectMatches(s, known, "glpk interior point on \(known.name)")
        if let bound = s.bestBound, let objective = s.objective, !known.model.isMixedInteger {
            #expect(known.model.sense == .minimize ? bound <= objective + 1e-9 : bound >= objective - 1e-9, "\(known.name)")
        }
    }

    /// GLPK with its cuts on (``SolverOptions/moreCuts``, as the community schedule asks) finds every known optimum
    /// and the same statuses (infeasible, unbounded) as without them.
    @Test(arguments: KnownModel.all)
    func glpkWithItsCutsFindsTheKnownOptimum(_ known: KnownModel) throws {
        var options = SolverOptions()
        options.moreCuts = true
        expectMatches(try GLPKSolver().solve(known.model, options: options), known, "glpk with cuts on \(known.name)")
    }

    /// On a bounded minimization the interior point answers, with a proven bound from its duals.
    @Test func glpkInteriorPointAnswersWithABoundFromItsDuals() throws {
        var m = Model()
        let x = m.addVariable(upper: 10), y = m.addVariable(upper: 10)
        m.add(x + y >= 1)
        m.add(x - y <= 0.5)
        m.setObjective(x + 2 * y, sense: .minimize)
        var options = SolverOptions()
        options.lpMethod = .barrierWithoutCrossover
        let s = try GLPKSolver().solve(m, options: options)
        #expect(s.status == .optimal && s.message.hasPrefix("interior point"), "\(s.status): \(s.message)")
        let objective = try #require(s.objective), bound = try #require(s.bestBound)
        #expect(abs(objective - 1.25) < 1e-6 && bound <= 1.25 + 1e-12 && bound >= 1.25 - 1e-6, "\(objective) \(bound)")
        // Too little time for the estimate: the simplex answers.
        options.timeLimit = 1e-9
        let quick = try GLPKSolver().solve(m, options: options)
        #expect(!quick.message.hasPrefix("interior point"), "\(quick.message)")
    }

    @Test func glpkReportsLPDuals() throws {
        let s = try GLPKSolver().solve(KnownModel.lp.model, options: SolverOptions())
        let duals = try #require(s.rowDuals)
        for (d, e) in zip(duals, [2.0, 0, 1]) { #expect(d.isApproximatelyEqual(to: e, absoluteTolerance: 1e-9)) }
        #expect(s.bestBound == s.objective && s.gap == 0)
    }

    @Test func emptyModelIsSolvedWithoutCallingTheSolver() throws {
        var m = Model()
        m.objectiveConstant = 4
        for solver in solvers {
            let s = try solver.solve(m, options: SolverOptions())
            #expect(s.status == .optimal && s.objective == 4)
        }
    }

    @Test func invalidModelsAreRefusedBeforeAnyCCall() throws {
        var m = Model()
        let x = m.addVariable()
        m.addRow(indices: [x.index, 7], coefficients: [1, 1], lower: 0, upper: 1)  // column 7 does not exist
        var nan = Model()
        let y = nan.addVariable()
        nan.add(Double.nan * y <= 1)
        var bounds = Model()
        bounds.addVariable(lower: 3, upper: 1)
        var rowBounds = Model()
        let z = rowBounds.addVariable()
        rowBounds.add(LinearConstraint(LinearExpression(z), lower: 5, upper: 4))
        for solver in solvers {
            for bad in [m, nan, bounds, rowBounds] {
                #expect(throws: ModelError.self) { try solver.solve(bad, options: SolverOptions()) }
            }
            #expect(throws: ModelError.self) { try solver.solve(KnownModel.lp.model, options: SolverOptions(timeLimit: -1)) }
        }
    }

    @Test func fractionalBoundsOnIntegersAreRoundedInward() throws {
        var m = Model()
        let x = m.addVariable(lower: 0.2, upper: 0.8, kind: .integer)
        m.setObjective(LinearExpression(x), sense: .minimize)
        for solver in solvers { #expect(try solver.solve(m, options: SolverOptions()).status == .infeasible) }
    }
}

/// The MPS files of spec/examples/mps with the objectives in their EXPECTED.json.
@Suite(.serialized) struct ExampleFileTests {
    static let directory = TestFixtures.directory.appendingPathComponent("mps")

    struct Expected: Decodable { let status: String; let objective: Double?; let sense: String }

    @Test func bothSolversReproduceExpectedResults() throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("EXPECTED.json"))
        let expected = try JSONDecoder().decode([String: Expected].self, from: data)
        #expect(expected.count == 5)
        for (file, e) in expected.sorted(by: { $0.key < $1.key }) {
            let model = try MPS.read(contentsOf: Self.directory.appendingPathComponent(file).path)
            #expect(model.sense.rawValue.hasPrefix(e.sense))
            let status: SolutionStatus = e.status == "Optimal" ? .optimal : .infeasible
            for solver in solvers {
                let s = try solver.solve(model, options: SolverOptions(relativeGap: 1e-9))
                expectMatches(s, KnownModel(name: file, model: model, status: status, objective: e.objective), "\(solver.name) on \(file)")
            }
        }
    }

    @Test func objsenseMaxIsHonouredNotMinimized() throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("mknap-1.mps"), encoding: .utf8)
        let max = try MPS.parse(text)
        let min = try MPS.parse(text.replacingOccurrences(of: "OBJSENSE\n    MAX", with: "OBJSENSE\n    MIN"))
        let sameLine = try MPS.parse(text.replacingOccurrences(of: "OBJSENSE\n    MAX", with: "OBJSENSE MAXIMIZE"))
        #expect(max.sense == .maximize && sameLine.sense == .maximize && min.sense == .minimize)
        let solver = CbcSolver()
        #expect(try solver.solve(max, options: SolverOptions()).objective == 1056)
        #expect(try solver.solve(min, options: SolverOptions()).objective == 0)
    }
}

@Suite(.serialized) struct SolverBehaviourTests {
    /// A multi-knapsack big enough that a tiny limit stops the search.
    static func hardKnapsack() -> Model {
        var m = Model()
        var rng = SplitMix(seed: 7)
        let n = 120
        let x = m.addVariables(n, kind: .binary)
        var obj = LinearExpression()
        for j in 0..<n { obj.add(Double(rng.next() % 1000 + 1), x[j]) }
        for _ in 0..<15 {
            var w = LinearExpression()
            var total = 0.0
            for j in 0..<n { let a = Double(rng.next() % 1000 + 1); total += a; w.add(a, x[j]) }
            m.add(w <= total / 2)
        }
        m.setObjective(obj, sense: .maximize)
        return m
    }

    @Test func timeLimitGivesFeasibleOrNoSolutionNeverAnError() throws {
        let m = Self.hardKnapsack()
        for solver in solvers {
            let s = try solver.solve(m, options: SolverOptions(timeLimit: 0.05, relativeGap: 0))
            #expect([.optimal, .feasible, .timeLimitNoSolution].contains(s.status), "\(solver.name): \(s.status) \(s.message)")
            if s.status == .feasible, let o = s.objective, let b = s.bestBound { #expect(b >= o - 1e-6) }
        }
    }

    /// A search stopped by the limit is not optimal and reports either no bound or a finite one: GLPK gives
    /// -DBL_MAX for a node whose LP has not bounded it yet, and with no bound at all the incumbent was once taken
    /// as the bound (gap 0, "optimal").
    @Test(arguments: [1e-6, 0.001, 0.02])
    func glpkStoppedByTheLimitClaimsNoProofAndNoFakeBound(_ limit: Double) throws {
        let m = Self.hardKnapsack()
        let s = try GLPKSolver().solve(m, options: SolverOptions(timeLimit: limit, relativeGap: 0))
        #expect([.feasible, .timeLimitNoSolution].contains(s.status), "\(s.status) \(s.message)")
        if let b = s.bestBound {
            #expect(b.isFinite && abs(b) < 1e300)
            if let o = s.objective { #expect(b >= o - 1e-6) }
        }
    }

    @Test func glpkReportsProgressThroughTheCallback() throws {
        final class Count: @unchecked Sendable { var n = 0; let lock = NSLock() }
        let count = Count()
        var options = SolverOptions(timeLimit: 2, relativeGap: 0)
        options.progress = { _ in count.lock.withLock { count.n += 1 } }
        _ = try GLPKSolver().solve(Self.hardKnapsack(), options: options)
        #expect(count.n > 0)
    }

    /// CBC's search reports through its event handler (`peergrid schedule`, `price` and `solve` draw it on a
    /// terminal). The values are the model's, in its sense and with its constant: on a maximization with a
    /// constant of 1000, every incumbent reported is at most the final objective and every bound at least it.
    @Test(arguments: [true, false])
    func cbcReportsProgressInTheModelsSense(_ maximize: Bool) throws {
        final class Reports: @unchecked Sendable { var all: [SolveProgress] = []; let lock = NSLock() }
        let reports = Reports()
        var m = Self.hardKnapsack()
        var objective = m.objective.enumerated().reduce(into: LinearExpression()) { e, c in e.add(maximize ? c.element : -c.element, Variable(index: c.offset))
        }
        objective.constant = 1000
        m.setObjective(objective, sense: maximize ? .maximize : .minimize)
        var options = SolverOptions(timeLimit: 2, relativeGap: 0)
        options.progress = { p in reports.lock.withLock { reports.all.append(p) } }
        let s = try CbcSolver().solve(m, options: options)
        let final = try #require(s.objective)
        #expect(!reports.all.isEmpty)
        for r in reports.all {
            let sign = maximize ? 1.0 : -1.0  // the reports in "larger is better" terms
            if let i = r.incumbent { #expect(sign * i <= sign * final + 1e-6, "incumbent \(i), final \(final)") }
            if let b = r.bound { #expect(sign * b >= sign * final - 1e-6, "bound \(b), final \(final)") }
        }
        #expect(reports.all.contains { $0.incumbent != nil && abs($0.incumbent! - final) < 1e-6 * max(1, abs(final)) } || s.status == .feasible)
    }

    @Test func concurrentCbcSolvesAreSerializedAndCorrect() async throws {
        let known = KnownModel.assignment
        try await withThrowingTaskGroup(of: Double?.self) { group in
            for _ in 0..<8 { group.addTask { try CbcSolver().solve(known.model, options: SolverOptions()).objective } }
            for try await v in group { #expect(v == 5) }
        }
    }
}

/// A small deterministic generator for test data (Knuth's MMIX linear congruential step).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 17
    }
}

@Suite(.serialized) struct LeakTests {
    @Test func glpkFreesEveryProblemItCreates() throws {
        _ = try GLPKSolver().solve(KnownModel.knapsack.model, options: SolverOptions())  // warm GLPK's environment
        let before = GLPKSolver.allocatedBlocks()
        for known in KnownModel.all { _ = try GLPKSolver().solve(known.model, options: SolverOptions()) }
        _ = try GLPKSolver().solve(SolverBehaviourTests.hardKnapsack(), options: SolverOptions(timeLimit: 0.05))
        _ = try GLPKSolver.handOver(KnownModel.assignment.model)
        #expect(GLPKSolver.allocatedBlocks() == before)
    }
}
