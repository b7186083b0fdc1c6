import DataIO
import CCbc
import CbcDeadline
import Foundation
import LinearProgramming

/// The COIN-OR CBC backend (branch and cut over CLP), through CBC's C interface (`libCbcSolver`).
///
/// The model is validated in Swift, converted to column-major form in one pass and handed over with a single
/// `Cbc_loadProblem` call. `Cbc_solve` is not thread-safe, so solves are serialized by a process-wide lock.
/// CBC's C interface (2.10) exposes no row duals: ``Solution/rowDuals`` is `nil` for CBC.
public struct CbcSolver: LinearSolver {
    public let name = "cbc"
    /// CBC starts from ``SolverOptions/initialSolution`` (`Cbc_setMIPStartI`).
    public var usesInitialSolution: Bool { true }

    public init() {}

    public func solve(_ model: Model, options: SolverOptions) throws -> Solution {
        try model.validate()
        try options.validate()
        if let trivial = model.solutionWithoutVariables(solver: name) { return trivial }
        var first = CbcSolver.lock.withLock { run(model, options: options) }
        if model.isMixedInteger, first.status.hasSolution, model.maxViolation(first.values) > Self.feasibilityTolerance {
            // CBC 2.10's preprocessing can map its solution back to one that breaks the model ("Postprocessed model
            // is infeasible - possible tolerance issue - try without preprocessing", its log says; met on the
            // elastic copy of a schedule diagnosis). Every MIP answer is checked; a broken one is solved again
            // without preprocessing (already off when a start was given).
            var again = first
            if options.initialSolution == nil {
                var rest = options
                if let limit = options.timeLimit { rest.timeLimit = max(0.01 * limit, limit - first.solveSeconds - first.handoverSeconds) }
                again = CbcSolver.lock.withLock { run(model, options: rest, preprocess: false) }
                again.solveSeconds += first.solveSeconds
                again.handoverSeconds += first.handoverSeconds
            }
            if again.status.hasSolution, model.maxViolation(again.values) > Self.feasibilityTolerance {
                again = Solution(
                    status: .error, solver: name, handoverSeconds: again.handoverSeconds, solveSeconds: again.solveSeconds,
                    message: "CBC returned a point that breaks the model's rules, with and without its preprocessing")
            }
            first = again
        }
        guard options.lpMethod != .simplex, !model.isMixedInteger, first.status != .timeLimitNoSolution else { return first }
        // CLP's barrier reports infeasible and unbounded LPs as optimal: its answer is kept only when the values
        // obey the model and the objective is finite; otherwise the simplex decides.
        if first.status == .optimal, let objective = first.objective, objective.isFinite, abs(objective) < 1e20,
            model.maxViolation(first.values) <= 1e-6
        {
            return first
        }
        var simplex = options
        simplex.lpMethod = .simplex
        if let limit = options.timeLimit { simplex.timeLimit = max(0.01 * limit, limit - first.solveSeconds - first.handoverSeconds) }
        var second = CbcSolver.lock.withLock { run(model, options: simplex) }
        second.solveSeconds += first.solveSeconds
        second.handoverSeconds += first.handoverSeconds
        return second
    }

    private static let lock = NSLock()

    /// The largest scaled violation (``Model/maxViolation(_:)``) accepted in a returned MIP solution; CBC's own
    /// tolerances are 1e-7 (primal) and 1e-6 (integrality), so this only catches answers that are wrong.
    static let feasibilityTolerance = 1e-5

    /// Validates `model`, loads it into a `Cbc_Model` and frees it; returns the seconds the hand-over took.
    public static func handOver(_ model: Model) throws -> Double {
        try model.validate()
        return lock.withLock {
            let clock = Stopwatch()
            _ = CbcProblem(model, options: SolverOptions())
            return clock.seconds
        }
    }

    private func run(_ model: Model, options: SolverOptions, preprocess: Bool = true) -> Solution {
        let handover = Stopwatch()
        let problem = CbcProblem(model, options: options, preprocess: preprocess)
        let handoverSeconds = handover.seconds
        let clock = Stopwatch()
        var solution = problem.solve()
        solution.handoverSeconds = handoverSeconds
        solution.solveSeconds = clock.seconds
        return solution
    }
}

/// What CBC's progress callback needs (``SolverOptions/progress``), passed to C as an opaque pointer.
final class ProgressBox {
    let report: @Sendable (SolveProgress) -> Void
    /// -1 for a maximization: CBC reports the values it minimizes.
    let sign: Double
    let constant: Double
    let clock: Stopwatch

    init(report: @escaping @Sendable (SolveProgress) -> Void, sign: Double, constant: Double, clock: Stopwatch) {
        (self.report, self.sign, self.constant, self.clock) = (report, sign, constant, clock)
    }

    func send(_ incumbent: Double, _ bound: Double) {
        report(
            SolveProgress(
                elapsedSeconds: clock.seconds, incumbent: incumbent.isNaN ? nil : sign * incumbent + constant,
                bound: bound.isNaN ? nil : sign * bound + constant))
    }
}

/// Owns one `Cbc_Model`; freed in `deinit`.
final class CbcProblem {
    /// `Cbc_Model *`, which CBC's C header declares as `void *`.
    let handle: UnsafeMutableRawPointer
    let model: Model
    let options: SolverOptions

    init(_ model: Model, options: SolverOptions, preprocess: Bool = true) {
        self.model = model
        self.options = options
        handle = Cbc_newModel()!
        let n = model.variableCount, m = model.constraintCount
        let big = Double.greatestFiniteMagnitude  // COIN_DBL_MAX
        func clamp(_ x: Double) -> Double { x == .infinity ? big : (x == -.infinity ? -big : x) }
        let csc = model.columnMajor()
        let colLower = model.columnLower.map(clamp), colUpper = model.columnUpper.map(clamp)
        let rowLower = model.rowLower.map(clamp), rowUpper = model.rowUpper.map(clamp)
        csc.starts.withUnsafeBufferPointer { starts in
            csc.rows.withUnsafeBufferPointer { rows in
                csc.values.withUnsafeBufferPointer { values in
                    Cbc_loadProblem(
                        handle, Int32(n), Int32(m), starts.baseAddress, rows.baseAddress,
                        values.baseAddress, colLower, colUpper, model.objective, rowLower, rowUpper)
                }
            }
        }
        for j in 0..<n where model.kinds[j] != .continuous { Cbc_setInteger(handle, Int32(j)) }
        Cbc_setObjSense(handle, model.sense == .maximize ? -1 : 1)
        Cbc_setLogLevel(handle, options.verbose ? 1 : 0)
        Cbc_setParameter(handle, "log", options.verbose ? "1" : "0")
        Cbc_setParameter(handle, "slog", options.verbose ? "1" : "0")
        if let t = options.timeLimit {
            Cbc_setMaximumSeconds(handle, t)
            // CBC counts CPU seconds by default, summed over its threads: with two threads a 20 s limit ended the
            // search after 13.7 s. The limit is wall-clock time, as for GLPK.
            Cbc_setParameter(handle, "timeMode", "elapsed")
        }
        Cbc_setAllowableFractionGap(handle, options.relativeGap)
        Cbc_setAllowableGap(handle, options.absoluteGap)
        if options.threads > 1 { Cbc_setParameter(handle, "threads", String(options.threads)) }
        if let nodes = options.nodeLimit { Cbc_setMaximumNodes(handle, Int32(clamping: max(0, nodes))) }
        if !options.heuristics { Cbc_setParameter(handle, "heuristicsOnOff", "off") }
        if !preprocess { Cbc_setParameter(handle, "preprocess", "off") }
        if model.isMixedInteger, let start = options.initialSolution, start.count == n, start.allSatisfy(\.isFinite) {
            let indices = (0..<Int32(n)).map { $0 }
            Cbc_setMIPStartI(handle, Int32(n), indices, start)
            // CBC 2.10 crashes (a null pointer in CglPreProcess::postProcess) when its time limit runs out before
            // the search of a preprocessed model that was given a start: no preprocessing with a start, with or
            // without a limit, so that a limit does not change the search (and on the schedule it is faster).
            Cbc_setParameter(handle, "preprocess", "off")
        }
    }

    deinit { Cbc_deleteModel(handle) }

    func solve() -> Solution {
        let clock = Stopwatch()
        // CBC's own limit is not checked inside CLP's root LP nor inside its diving heuristics: the deadline's
        // event handlers and heuristic limits stop them (Sources/CbcDeadline).
        // 3 % is kept for what follows a stop (CLP's postsolve of a stopped LP, CBC's clean-up): 10 s limits on a
        // 170,000-column schedule ended after 10.5 s without it.
        let deadline = options.timeLimit.map { 0.97 * $0 }
        let method: Int32 =
            model.isMixedInteger ? 0 : (options.lpMethod == .simplex ? 0 : (options.lpMethod == .barrier ? 1 : 2))
        let code = run(deadline: deadline, method: method, clock: clock)
        let pastDeadline = deadline.map { clock.seconds >= $0 } ?? false
        let n = model.variableCount
        let c0 = model.objectiveConstant
        let primaryStatus = Cbc_status(handle)
        let hasSolution: Bool
        let columnPointer: UnsafePointer<Double>?
        if model.isMixedInteger {
            let best = Cbc_bestSolution(handle)
            hasSolution = best != nil
            columnPointer = best.map { UnsafePointer<Double>($0) }
        } else {
            hasSolution = Cbc_isProvenOptimal(handle) != 0
            columnPointer = hasSolution ? Cbc_getColSolution(handle) : nil
        }
        // A root LP stopped by the deadline leaves CBC's "best possible" at the interrupted simplex's objective,
        // which is no bound: trust it only when the root LP was solved.
        let boundTrusted = !pastDeadline || Cbc_isInitialSolveProvenOptimal(handle) != 0
        if !hasSolution && pastDeadline {
            var stopped = Solution(status: .timeLimitNoSolution, solver: "cbc", message: "time limit before any solution")
            if model.isMixedInteger && boundTrusted {
                let b = Cbc_getBestPossibleObjValue(handle) + c0
                if b.isFinite && abs(b) < 1e300 { stopped.bestBound = b }
            }
            // Stopped before CBC looked at the start (its root LP comes first): a feasible start is still the best
            // solution known, as it would have been had CBC reached it.
            if model.isMixedInteger, let start = options.initialSolution, model.maxViolation(start) <= 1e-6 {
                stopped.status = .feasible
                stopped.values = start
                stopped.objective = model.objectiveValue(start)
                stopped.message = "time limit reached; the start kept"
            }
            return stopped
        }
        if !hasSolution, let verdict = lpVerdictWithoutProbe() { return verdict }
        if (Cbc_isProvenInfeasible(handle) != 0 || Cbc_isContinuousUnbounded(handle) != 0) && !hasSolution {
            // CBC reports an unbounded LP as "proven infeasible": decide with a zero-objective probe.
            return unboundedOrInfeasible(spent: clock.seconds)
        }
        guard hasSolution, let columns = columnPointer else {
            if Cbc_isSecondsLimitReached(handle) != 0 || Cbc_isNodeLimitReached(handle) != 0 {
                var stopped = Solution(status: .timeLimitNoSolution, solver: "cbc", message: "time or node limit before any solution")
                if model.isMixedInteger {
                    let b = Cbc_getBestPossibleObjValue(handle) + c0
                    if b.isFinite && abs(b) < 1e300 { stopped.bestBound = b }
                }
                return stopped
            }
            if !model.isMixedInteger { return unboundedOrInfeasible(spent: clock.seconds) }
            return Solution(status: .error, solver: "cbc", message: "Cbc_solve returned \(code), status \(primaryStatus)")
        }
        let values = Array(UnsafeBufferPointer(start: columns, count: n))
        let objective = model.objectiveValue(values)  // recomputed: includes the constant CBC does not know
        let rawBound = !model.isMixedInteger ? objective : (boundTrusted ? Cbc_getBestPossibleObjValue(handle) + c0 : -.infinity)
        var bound = rawBound.isFinite && abs(rawBound) < 1e300 ? rawBound : nil
        let proven = Cbc_isProvenOptimal(handle) != 0
        if proven, let b = bound, abs(b - objective) > max(options.absoluteGap, options.relativeGap * max(1, abs(objective))) {
            bound = objective  // CBC proved optimality but kept a stale bound
        }
        var solution = Solution(
            status: proven ? .optimal : .feasible, objective: objective,
            bestBound: bound ?? (proven ? objective : nil), values: values, solver: "cbc")
        if !proven {
            if let g = solution.gap, g <= options.relativeGap { solution.status = .optimal }
            solution.message = Cbc_isSecondsLimitReached(handle) != 0 || pastDeadline ? "time limit reached" : "stopped with a gap"
        }
        return solution
    }

    /// `peergrid_cbc_solve`, with the progress callback when ``SolverOptions/progress`` is set (MIPs only).
    private func run(deadline: Double?, method: Int32, clock: Stopwatch) -> Int32 {
        guard model.isMixedInteger, let report = options.progress else {
            return peergrid_cbc_solve(handle, deadline ?? -1, method, nil, nil)
        }
        // CBC's event handler calls back with raw values: the box adds the model's sense, constant and clock.
        let box = Unmanaged.passRetained(
            ProgressBox(report: report, sign: model.sense == .maximize ? -1 : 1, constant: model.objectiveConstant, clock: clock))
        defer { box.release() }
        return peergrid_cbc_solve(
            handle, deadline ?? -1, method,
            { context, incumbent, bound in
                guard let context else { return }
                Unmanaged<ProgressBox>.fromOpaque(context).takeUnretainedValue().send(incumbent, bound)
            }, box.toOpaque())
    }

    /// An LP without an optimum that needs no probe: a barrier that did not converge proves nothing (an infeasible
    /// LP diverges to NaN), so the caller's simplex decides; the simplex's proof of primal infeasibility (a dual
    /// ray) is one. nil otherwise, and for a MIP: there the solver's last LP may be a node's, and a search stopped
    /// by a limit is no proof.
    private func lpVerdictWithoutProbe() -> Solution? {
        guard !model.isMixedInteger else { return nil }
        if options.lpMethod != .simplex { return Solution(status: .error, solver: "cbc", message: "the barrier did not reach an optimum") }
        if Cbc_isInitialSolveProvenPrimalInfeasible(handle) != 0 { return Solution(status: .infeasible, solver: "cbc", message: "LP is primal infeasible") }
        return nil
    }

    /// CBC reports "continuous unbounded" for a relaxation that is dual infeasible; a feasibility probe with a
    /// zero objective decides between unbounded and infeasible.
    /// The probe gets what is left of the time limit after `spent` seconds.
    private func unboundedOrInfeasible(spent: Double) -> Solution {
        if model.objective.allSatisfy({ $0 == 0 }) {
            return Solution(status: .infeasible, solver: "cbc", message: "proven infeasible")
        }
        var probe = model
        probe.setObjective(LinearExpression(), sense: .minimize)
        var probeOptions = options
        if let t = options.timeLimit {
            guard t - spent > 0.01 * t else {
                return Solution(status: .timeLimitNoSolution, solver: "cbc", message: "time limit before any solution")
            }
            probeOptions.timeLimit = t - spent
        }
        let probed = CbcProblem(probe, options: probeOptions)
        let result = probed.solve()
        if result.status == .timeLimitNoSolution { return result }
        return result.status.hasSolution
            ? Solution(status: .unbounded, solver: "cbc", message: "objective is unbounded")
            : Solution(status: .infeasible, solver: "cbc", message: "no feasible solution")
    }
}
