import DataIO
import CGLPK
import Foundation
import LinearProgramming

/// The GLPK backend: primal simplex with presolve for LPs, `glp_intopt` (presolve, feasibility pump) for MILPs.
///
/// Every model is validated in Swift before the first GLPK call, because GLPK aborts the whole process on an
/// out-of-range index or inconsistent bounds. The `glp_prob` is freed on every path. GLPK keeps its terminal
/// setting in a per-process environment, so solves are serialized.
public struct GLPKSolver: LinearSolver {
    public let name = "glpk"

    public init() {}

    public func solve(_ model: Model, options: SolverOptions) throws -> Solution {
        try model.validate()
        try options.validate()
        if let trivial = model.solutionWithoutVariables(solver: name) { return trivial }
        return GLPKSolver.lock.withLock { run(model, options: options) }
    }

    fileprivate static let lock = NSLock()

    /// The largest scaled violation (see ``Model/maxViolation(_:)``) accepted in a returned solution.
    /// GLPK's own tolerances are 1e-7 (bounds) and 1e-5 (integrality); this only catches answers that are wrong.
    static let feasibilityTolerance = 1e-5

    private func run(_ model: Model, options: SolverOptions) -> Solution {
        let handover = Stopwatch()
        glp_term_out(options.verbose ? GLP_ON : GLP_OFF)
        let problem = GLPKProblem(model)
        let handoverSeconds = handover.seconds
        let clock = Stopwatch()
        var solution = model.isMixedInteger ? problem.solveMIP(options) : problem.solveLP(options)
        if solution.status.hasSolution, model.maxViolation(solution.values) > GLPKSolver.feasibilityTolerance {
            // GLPK 5.0's presolvers (LP and MIP) can return a point that breaks a row: with two singleton rows
            // `x <= 0.212` and `x <= 0.211` both give x = 0.212. Every answer is checked; a broken one is solved
            // again without the presolver, from a fresh problem.
            var rest = options
            if let limit = options.timeLimit { rest.timeLimit = max(0.001, limit - clock.seconds) }
            let again = GLPKProblem(model)
            solution = model.isMixedInteger ? again.solveMIP(rest, presolve: false) : again.solveLP(rest, presolve: false)
            if solution.status.hasSolution, model.maxViolation(solution.values) > GLPKSolver.feasibilityTolerance {
                solution = Solution(
                    status: .error, solver: name, message: "GLPK returned a point that breaks the model's rules, with and without its presolver")
            }
        }
        solution.handoverSeconds = handoverSeconds
        solution.solveSeconds = clock.seconds
        return solution
    }
}

/// Owns one `glp_prob`; freed in `deinit`. The model it is built from has been validated.
final class GLPKProblem {
    let handle: OpaquePointer
    let model: Model
    /// An integer column whose bounds contain no integer.
    private(set) var infeasibleBounds = false

    init(_ model: Model) {
        self.model = model
        handle = glp_create_prob()
        let m = model.constraintCount, n = model.variableCount
        glp_set_obj_dir(handle, model.sense == .maximize ? GLP_MAX : GLP_MIN)
        if m > 0 { glp_add_rows(handle, Int32(m)) }
        if n > 0 { glp_add_cols(handle, Int32(n)) }
        for i in 0..<m {
            let (type, lo, up) = GLPKProblem.boundType(model.rowLower[i], model.rowUpper[i])
            glp_set_row_bnds(handle, Int32(i + 1), type, lo, up)
        }
        for j in 0..<n {
            var lo = model.columnLower[j], up = model.columnUpper[j]
            if model.kinds[j] != .continuous {
                // glp_intopt refuses fractional bounds on integer columns (GLP_EBOUND): round them inward.
                lo = (lo - 1e-9).rounded(.up)
                up = (up + 1e-9).rounded(.down)
                if lo > up { up = lo; infeasibleBounds = true }
            }
            let (type, _, _) = GLPKProblem.boundType(lo, up)
            glp_set_col_bnds(handle, Int32(j + 1), type, lo.isFinite ? lo : 0, up.isFinite ? up : 0)
            if model.objective[j] != 0 { glp_set_obj_coef(handle, Int32(j + 1), model.objective[j]) }
            if model.kinds[j] != .continuous { glp_set_col_kind(handle, Int32(j + 1), GLP_IV) }
        }
        glp_set_obj_coef(handle, 0, model.objectiveConstant)
        // One bulk load of the whole matrix (1-based triplets; element 0 unused).
        let nz = model.nonZeroCount
        if nz > 0 {
            var ia = [Int32](repeating: 0, count: nz + 1)
            var ja = [Int32](repeating: 0, count: nz + 1)
            var ar = [Double](repeating: 0, count: nz + 1)
            for i in 0..<m {
                for k in model.rowStarts[i]..<model.rowStarts[i + 1] {
                    ia[k + 1] = Int32(i + 1)
                    ja[k + 1] = model.rowColumns[k] + 1
                    ar[k + 1] = model.rowValues[k]
                }
            }
            glp_load_matrix(handle, Int32(nz), ia, ja, ar)
        }
    }

    deinit { glp_delete_prob(handle) }

    /// GLPK's bound type for `lo <= x <= up` (validated: lo <= up, lo < +inf, up > -inf).
    static func boundType(_ lo: Double, _ up: Double) -> (Int32, Double, Double) {
        switch (lo.isFinite, up.isFinite) {
        case (false, false): return (GLP_FR, 0, 0)
        case (true, false): return (GLP_LO, lo, 0)
        case (false, true): return (GLP_UP, 0, up)
        case (true, true): return lo == up ? (GLP_FX, lo, up) : (GLP_DB, lo, up)
        }
    }

    static func milliseconds(_ seconds: Double?) -> Int32 {
        guard let s = seconds else { return Int32.max }
        return Int32(min(Double(Int32.max), max(1, s * 1000)))
    }

    // MARK: LP

    func solveLP(_ options: SolverOptions, presolve: Bool = true) -> Solution {
        if options.lpMethod == .barrierWithoutCrossover, presolve, let interior = solveInterior(options) { return interior }
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = options.verbose ? GLP_MSG_ON : GLP_MSG_OFF
        parm.presolve = presolve ? GLP_ON : GLP_OFF
        parm.tm_lim = GLPKProblem.milliseconds(options.timeLimit)
        // Scale rows and columns as glpsol does by default: badly scaled LPs otherwise stall in phase I.
        glp_scale_prob(handle, GLP_SF_AUTO)
        let ret = glp_simplex(handle, &parm)
        if presolve && ret == GLP_ENOPFS {
            // The presolver, or the simplex on the presolved LP, found no primal feasible point: that is final.
            // (Solving again without the presolver only repeated the proof: 47.9 s -> 23.0 s on an infeasible
            // 200-prosumer day.)
            return Solution(status: .infeasible, solver: "glpk", message: "LP has no primal feasible solution")
        }
        if presolve && ret == GLP_ENODFS {
            // No dual feasible point: unbounded if the LP is feasible at all; the simplex without the presolver
            // tells which.
            return solveLP(options, presolve: false)
        }
        let status = glp_get_status(handle)
        let n = model.variableCount, m = model.constraintCount
        switch (ret, status) {
        case (0, GLP_OPT):
            let values = (0..<n).map { glp_get_col_prim(handle, Int32($0 + 1)) }
            let duals = (0..<m).map { glp_get_row_dual(handle, Int32($0 + 1)) }
            let obj = glp_get_obj_val(handle)
            return Solution(status: .optimal, objective: obj, bestBound: obj, values: values, rowDuals: duals, solver: "glpk")
        case (0, GLP_NOFEAS), (0, GLP_INFEAS):
            return Solution(status: .infeasible, solver: "glpk", message: "LP has no primal feasible solution")
        case (0, GLP_UNBND):
            return Solution(status: .unbounded, solver: "glpk", message: "LP objective is unbounded")
        case (GLP_ETMLIM, _), (GLP_EITLIM, _):
            return Solution(status: .timeLimitNoSolution, solver: "glpk", message: "simplex stopped by its limit")
        default:
            return Solution(status: .error, solver: "glpk", message: "glp_simplex returned \(ret), status \(status)")
        }
    }

    /// Seconds of GLPK's interior-point method per non-zero, three times what it took on the 200-prosumer
    /// schedule's relaxation (674,715 non-zeros, 6.6 s): the method has no time limit of its own, so it is only
    /// started when this estimate is at most a quarter of the limit.
    static let interiorSecondsPerNonZero = 3e-5

    /// The LP by GLPK's interior-point method (`glp_interior`; no crossover, so the point need not be a vertex),
    /// for ``LPMethod/barrierWithoutCrossover``. The method often stops on numeric instability a little short of
    /// its tolerance (the 200-prosumer schedule's relaxation at a relative duality gap of 4e-5); its best point is
    /// kept when it obeys the model (scaled violation at most ``GLPKSolver/feasibilityTolerance``) and the
    /// Lagrangian bound of its duals (``Model/lagrangianBound(rowDuals:)``, a proven bound whatever the duals) is
    /// within 1e-4 of its objective:
    /// the objective is then that point's and `bestBound` that bound. `nil` (the caller uses the simplex) when the
    /// model maximizes, the estimated time does not fit the limit, or the point falls short.
    func solveInterior(_ options: SolverOptions) -> Solution? {
        guard model.sense == .minimize, model.constraintCount > 0 else { return nil }
        if let limit = options.timeLimit, Double(model.nonZeroCount) * Self.interiorSecondsPerNonZero > limit / 4 { return nil }
        var parm = glp_iptcp()
        glp_init_iptcp(&parm)
        parm.msg_lev = options.verbose ? GLP_MSG_ON : GLP_MSG_OFF
        glp_scale_prob(handle, GLP_SF_AUTO)
        let ret = glp_interior(handle, &parm)
        let status = glp_ipt_status(handle)
        guard ret == 0 ? status == GLP_OPT : (ret == GLP_EINSTAB || ret == GLP_ENOCVG || ret == GLP_EITLIM) else { return nil }
        let n = model.variableCount, m = model.constraintCount
        let values = (0..<n).map { glp_ipt_col_prim(handle, Int32($0 + 1)) }
        let duals = (0..<m).map { glp_ipt_row_dual(handle, Int32($0 + 1)) }
        let objective = model.objectiveValue(values)
        guard model.maxViolation(values) <= GLPKSolver.feasibilityTolerance, let bound = model.lagrangianBound(rowDuals: duals),
            objective - bound <= 1e-4 * max(1, abs(objective))
        else { return nil }
        let note = ret == 0 ? "interior point" : "interior point, stopped short of its tolerance; bound from its duals"
        return Solution(
            status: .optimal, objective: objective, bestBound: min(bound, objective), values: values, rowDuals: duals,
            solver: "glpk", message: note)
    }

    // MARK: MILP

    /// The MILP by `glp_intopt`: an optimal LP relaxation first when the presolver is off, the search with
    /// ``SearchState`` behind its callback, then the verdict.
    func solveMIP(_ options: SolverOptions, presolve: Bool = true) -> Solution {
        if infeasibleBounds { return Solution(status: .infeasible, solver: "glpk", message: "an integer variable's bounds contain no integer") }
        if !presolve {
            // Without the presolver, glp_intopt starts from an optimal LP relaxation.
            let relaxation = solveLP(options, presolve: false)
            guard relaxation.status == .optimal else {
                return relaxation.status == .unbounded
                    ? Solution(status: feasible(options) ? .unbounded : .infeasible, solver: "glpk")
                    : relaxation
            }
        }
        // GLPK keeps a pointer to the parameters for the whole search (the callback changes `fp_heur`), so they
        // live in memory of their own rather than in a Swift local.
        let parm = UnsafeMutablePointer<glp_iocp>.allocate(capacity: 1)
        defer { parm.deallocate() }
        glp_init_iocp(parm)
        parm.pointee.msg_lev = options.verbose ? GLP_MSG_ON : GLP_MSG_OFF
        parm.pointee.presolve = presolve ? GLP_ON : GLP_OFF
        parm.pointee.fp_heur = GLP_ON
        if options.moreCuts {
            parm.pointee.gmi_cuts = GLP_ON
            parm.pointee.mir_cuts = GLP_ON
            parm.pointee.cov_cuts = GLP_ON
            parm.pointee.clq_cuts = GLP_ON
        }
        parm.pointee.mip_gap = options.relativeGap
        parm.pointee.tm_lim = GLPKProblem.milliseconds(options.timeLimit)
        let context = CallbackContext(state: SearchState(options: options), parm: parm)
        let info = Unmanaged.passRetained(context)
        defer { info.release() }
        parm.pointee.cb_info = info.toOpaque()
        parm.pointee.cb_func = { tree, raw in
            guard let tree, let raw else { return }
            Unmanaged<CallbackContext>.fromOpaque(raw).takeUnretainedValue().callback(tree)
        }
        let end = IntoptEnd(glp_intopt(handle, parm))
        let mip = MIPState(glp_mip_status(handle))
        let state = context.state
        switch SearchState.verdict(end, mip) {
        case .infeasible:
            return Solution(status: .infeasible, solver: "glpk", message: "no integer feasible solution")
        case .unboundedIfFeasible:
            // The LP relaxation is dual infeasible: the MILP is unbounded if it is feasible at all.
            return feasible(options)
                ? Solution(status: .unbounded, solver: "glpk", message: "objective is unbounded")
                : Solution(status: .infeasible, solver: "glpk", message: "no feasible solution")
        case let .solution(proven):
            let values = (0..<model.variableCount).map { glp_mip_col_val(handle, Int32($0 + 1)) }
            return state.solution(objective: glp_mip_obj_val(handle), values: values, end: end, proven: proven, sense: model.sense)
        case let verdict:
            return state.noSolution(verdict, code: end, mip: mip)
        }
    }

    /// The callback's side: the search state, the parameters it may change and the clock of the call.
    final class CallbackContext {
        let state: SearchState
        let parm: UnsafeMutablePointer<glp_iocp>
        let clock = Stopwatch()
        init(state: SearchState, parm: UnsafeMutablePointer<glp_iocp>) { self.state = state; self.parm = parm }

        /// Gathers GLPK's facts at select, new-incumbent and heuristic events and applies the state's action.
        func callback(_ tree: OpaquePointer) {
            let reason: SearchEvent.Reason
            switch glp_ios_reason(tree) {
            case GLP_ISELECT: reason = .select
            case GLP_IBINGO: reason = .newIncumbent
            case GLP_IHEUR: reason = .heuristic
            default: return
            }
            let prob = glp_ios_get_prob(tree)
            var event = SearchEvent(reason: reason, elapsed: clock.seconds)
            if state.bound == nil, glp_get_status(prob) == GLP_OPT {
                var active: Int32 = 0, nodes: Int32 = 0, total: Int32 = 0
                glp_ios_tree_size(tree, &active, &nodes, &total)
                if nodes == 1, case let b = glp_get_obj_val(prob), abs(b) < 1e300 { event.rootRelaxation = b }
            }
            if reason == .heuristic {
                let node = glp_ios_curr_node(tree)
                event.atRoot = node != 0 && glp_ios_node_level(tree, node) == 0
                event.pumpOn = parm.pointee.fp_heur == GLP_ON
            } else {
                // A node whose LP has not been solved yet bounds nothing (GLPK gives -DBL_MAX or +DBL_MAX).
                let best = glp_ios_best_node(tree)
                if best != 0, case let b = glp_ios_node_bound(tree, best), abs(b) < 1e300 { event.bestNodeBound = b }
            }
            if event.reason != .heuristic || event.atRoot, MIPState(glp_mip_status(prob)).hasSolution {
                event.incumbent = glp_mip_obj_val(prob)
            }
            let action = state.handle(event)
            if action.skipPump { parm.pointee.fp_heur = GLP_OFF }
            if action.terminate { glp_ios_terminate(tree) }
            if let report = action.report { state.options.progress?(report) }
        }
    }

    /// Whether the model has any feasible point (the same model with a zero objective).
    private func feasible(_ options: SolverOptions) -> Bool {
        var copy = model
        copy.setObjective(LinearExpression(), sense: .minimize)
        let probe = GLPKProblem(copy)
        let result = copy.isMixedInteger ? probe.solveMIP(options) : probe.solveLP(options)
        return result.status.hasSolution
    }
}

extension GLPKSolver {
    /// Validates `model`, builds GLPK's problem from it and frees it; returns the seconds the hand-over took.
    public static func handOver(_ model: Model) throws -> Double {
        try model.validate()
        return lock.withLock {
            let clock = Stopwatch()
            _ = GLPKProblem(model)
            return clock.seconds
        }
    }

    /// Memory blocks GLPK currently holds (`glp_mem_usage`): the leak tests check that every solve returns it
    /// to where it was. GLPK's own bookkeeping hides its blocks from valgrind, so this is the sharper check.
    public static func allocatedBlocks() -> Int {
        lock.withLock {
            var count: Int32 = 0, peak: Int32 = 0
            var total = 0, totalPeak = 0
            glp_mem_usage(&count, &peak, &total, &totalPeak)
            return Int(count)
        }
    }
}

extension IntoptEnd {
    init(_ code: Int32) {
        switch code {
        case 0: self = .finished
        case GLP_ENOPFS: self = .noPrimalFeasible
        case GLP_ENODFS: self = .noDualFeasible
        case GLP_ETMLIM: self = .timeLimit
        case GLP_ESTOP: self = .stopped
        case GLP_EMIPGAP: self = .mipGap
        default: self = .failed(code)
        }
    }
}

extension MIPState {
    init(_ status: Int32) {
        switch status {
        case GLP_OPT: self = .optimal
        case GLP_FEAS: self = .feasible
        case GLP_NOFEAS: self = .noFeasible
        default: self = .undefined
        }
    }
}
