import CGLPK
import Foundation
import LinearProgramming

/// A GLPK problem kept between solves, for algorithms that solve the same model many times with a new objective
/// or a few new columns and rows (an agent answering prices, a column-generation master). Each solve starts from
/// the previous basis, so a re-solve after a price change takes a few pivots instead of a solve from scratch.
///
/// Thread confinement: Debian's GLPK keeps its environment (memory lists, terminal switch) per thread, so a
/// workspace must be created, used and released on one thread. It is deliberately not `Sendable`. Work on many
/// workspaces in parallel runs on threads that each own theirs (see the Agents module's workers).
///
/// Every index and number is checked in Swift before it reaches GLPK, which aborts the process on a bad index.
public final class GLPKWorkspace {
    private let problem: GLPKProblem
    private var handle: OpaquePointer { problem.handle }
    /// Columns and rows, including those added after creation.
    public private(set) var columnCount: Int
    public private(set) var rowCount: Int
    /// Whether the current basis is an optimal one of the problem as it stands (a warm start is possible).
    private var basisValid = false
    /// Solve LPs with the dual simplex (falling back to the primal one), for highly primal-degenerate LPs such as
    /// column generation masters.
    public var dualSimplex = false

    /// Builds the workspace from a validated model; its integer columns stay integer for ``solveMIP(relativeGap:timeLimit:)``.
    public init(_ model: Model) throws {
        try model.validate()
        problem = GLPKProblem(model)
        columnCount = model.variableCount
        rowCount = model.constraintCount
        glp_term_out(GLP_OFF)
        glp_scale_prob(handle, GLP_SF_AUTO)
    }

    /// Sets the objective coefficient of column `j` (0-based).
    public func setObjective(_ j: Int, _ value: Double) throws {
        guard j >= 0, j < columnCount else { throw ModelError.invalid("objective: column \(j) is outside 0..<\(columnCount)") }
        guard value.isFinite else { throw ModelError.invalid("objective: coefficient of column \(j) is not finite") }
        glp_set_obj_coef(handle, Int32(j + 1), value)
    }

    /// Sets the bounds of column `j`; `integer` makes it an integer column for the MIP solve.
    public func setColumn(_ j: Int, lower: Double, upper: Double, integer: Bool? = nil) throws {
        guard j >= 0, j < columnCount else { throw ModelError.invalid("bounds: column \(j) is outside 0..<\(columnCount)") }
        try Self.checkBounds(lower, upper, "bounds of column \(j)")
        let (type, lo, up) = GLPKProblem.boundType(lower, upper)
        glp_set_col_bnds(handle, Int32(j + 1), type, lo, up)
        if let integer { glp_set_col_kind(handle, Int32(j + 1), integer ? GLP_IV : GLP_CV) }
        basisValid = false
    }

    /// Sets the bounds of row `i` (0-based).
    public func setRow(_ i: Int, lower: Double, upper: Double) throws {
        guard i >= 0, i < rowCount else { throw ModelError.invalid("bounds: row \(i) is outside 0..<\(rowCount)") }
        try Self.checkBounds(lower, upper, "bounds of row \(i)")
        // (-inf, +inf) is a free row: GLPK's GLP_FR.
        let (type, lo, up) = GLPKProblem.boundType(lower, upper)
        glp_set_row_bnds(handle, Int32(i + 1), type, lo, up)
    }

    /// Appends a column with its objective coefficient, bounds and entries `(row, value)` (0-based rows);
    /// returns its 0-based index. The basis stays valid: the new column starts non-basic at a bound.
    @discardableResult
    public func addColumn(
        cost: Double, lower: Double = 0, upper: Double = .infinity, integer: Bool = false,
        entries: [(row: Int, value: Double)]
    ) throws -> Int {
        guard cost.isFinite else { throw ModelError.invalid("new column: cost is not finite") }
        try Self.checkBounds(lower, upper, "new column")
        let (ind, val) = try Self.packed(entries.map { ($0.row, $0.value) }, count: rowCount, what: "new column", other: "row")
        let j = glp_add_cols(handle, 1)
        columnCount += 1
        let (type, lo, up) = GLPKProblem.boundType(lower, upper)
        glp_set_col_bnds(handle, j, type, lo, up)
        glp_set_obj_coef(handle, j, cost)
        if integer { glp_set_col_kind(handle, j, GLP_IV) }
        if ind.count > 1 { glp_set_mat_col(handle, j, Int32(ind.count - 1), ind, val) }
        // A new column at its lower bound keeps a basis factorizable; GLPK only needs its status.
        glp_set_col_stat(handle, j, lower.isFinite ? GLP_NL : (upper.isFinite ? GLP_NU : GLP_NF))
        return Int(j) - 1
    }

    /// Appends a row `lower <= sum entries <= upper`; returns its 0-based index. The row starts basic.
    @discardableResult
    public func addRow(lower: Double, upper: Double, entries: [(column: Int, value: Double)]) throws -> Int {
        try Self.checkBounds(lower, upper, "new row")
        let (ind, val) = try Self.packed(entries.map { ($0.column, $0.value) }, count: columnCount, what: "new row", other: "column")
        let i = glp_add_rows(handle, 1)
        rowCount += 1
        let (type, lo, up) = GLPKProblem.boundType(lower, upper)
        glp_set_row_bnds(handle, i, type, lo, up)
        if ind.count > 1 { glp_set_mat_row(handle, i, Int32(ind.count - 1), ind, val) }
        glp_set_row_stat(handle, i, GLP_BS)
        return Int(i) - 1
    }

    private static func checkBounds(_ lower: Double, _ upper: Double, _ what: String) throws {
        guard !lower.isNaN, !upper.isNaN, lower <= upper, lower < .infinity, upper > -.infinity else {
            throw ModelError.invalid("\(what): bounds [\(lower), \(upper)] are empty or not numbers")
        }
    }

    /// GLPK's 1-based index and value arrays (element 0 unused) of `(index, value)` entries, checked: indices in
    /// `0..<count`, finite values, no index twice; zeros dropped.
    private static func packed(_ entries: [(Int, Double)], count: Int, what: String, other: String) throws -> ([Int32], [Double]) {
        var ind: [Int32] = [0], val: [Double] = [0]
        var seen = Set<Int>()
        for (k, v) in entries where v != 0 {
            guard k >= 0, k < count else { throw ModelError.invalid("\(what): \(other) \(k) is outside 0..<\(count)") }
            guard v.isFinite else { throw ModelError.invalid("\(what): entry of \(other) \(k) is not finite") }
            guard seen.insert(k).inserted else { throw ModelError.invalid("\(what): \(other) \(k) given twice") }
            ind.append(Int32(k + 1)); val.append(v)
        }
        return (ind, val)
    }

    /// The answer of one solve.
    public struct Answer {
        public var status: SolutionStatus
        public var objective: Double
        /// A proven lower bound (minimization) of the optimum: the objective when proven optimal, else the LP
        /// relaxation's value after a MIP solve.
        public var bound: Double
        /// The LP relaxation's value (the objective after an LP solve).
        public var relaxation: Double = .nan
        /// Column values (0-based), empty without a solution.
        public var values: [Double]
        /// Row duals of an LP solve (GLPK's sign convention: the reduced cost of column j is
        /// `c_j - sum_i dual_i * a_ij`); empty after a MIP solve.
        public var rowDuals: [Double]
    }

    /// Solves the LP relaxation from the last basis (integer columns relaxed).
    public func solveLP(timeLimit: Double? = nil) -> Answer {
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        if dualSimplex { parm.meth = GLP_DUALP }
        parm.presolve = GLP_OFF
        parm.tm_lim = GLPKProblem.milliseconds(timeLimit)
        if glp_bf_exists(handle) == 0 || !basisValid {
            // A basis GLPK cannot factorize (after bound changes) is replaced by its advanced initial basis.
            if glp_warm_up(handle) != 0 { glp_adv_basis(handle, 0) }
        }
        var ret = glp_simplex(handle, &parm)
        if ret == GLP_EFAIL || ret == GLP_ESING || ret == GLP_ECOND {
            glp_adv_basis(handle, 0)
            ret = glp_simplex(handle, &parm)
        }
        let status = glp_get_status(handle)
        guard ret == 0, status == GLP_OPT else {
            basisValid = false
            let s: SolutionStatus =
                ret == GLP_ETMLIM
                ? .timeLimitNoSolution
                : (status == GLP_NOFEAS || status == GLP_INFEAS) ? .infeasible : status == GLP_UNBND ? .unbounded : .error
            return Answer(status: s, objective: .nan, bound: .nan, values: [], rowDuals: [])
        }
        basisValid = true
        let values = (0..<columnCount).map { glp_get_col_prim(handle, Int32($0 + 1)) }
        let duals = (0..<rowCount).map { glp_get_row_dual(handle, Int32($0 + 1)) }
        let objective = glp_get_obj_val(handle)
        return Answer(status: .optimal, objective: objective, bound: objective, values: values, rowDuals: duals)
    }

    /// Solves the MIP from the optimal LP relaxation of ``solveLP(timeLimit:)`` (solved first when needed).
    /// `.optimal` means proven within `relativeGap`. There is no node limit: the search runs to the gap or the time
    /// limit (a `nodeLimit` parameter that was never applied is gone; the agents' GLPK answers were always exact).
    public func solveMIP(relativeGap: Double = 1e-9, timeLimit: Double? = nil) -> Answer {
        let relaxation = solveLP(timeLimit: timeLimit)
        guard relaxation.status == .optimal else { return relaxation }
        var parm = glp_iocp()
        glp_init_iocp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = GLP_OFF
        parm.mip_gap = relativeGap
        parm.br_tech = GLP_BR_PCH
        parm.bt_tech = GLP_BT_BPH
        parm.gmi_cuts = GLP_ON
        parm.mir_cuts = GLP_ON
        parm.tm_lim = GLPKProblem.milliseconds(timeLimit)
        let ret = glp_intopt(handle, &parm)
        let mip = glp_mip_status(handle)
        guard mip == GLP_OPT || mip == GLP_FEAS else {
            let s: SolutionStatus =
                (ret == GLP_ENOPFS || mip == GLP_NOFEAS)
                ? .infeasible
                : (ret == GLP_ETMLIM || ret == GLP_ESTOP) ? .timeLimitNoSolution : .error
            return Answer(status: s, objective: .nan, bound: .nan, values: [], rowDuals: [])
        }
        let values = (0..<columnCount).map { glp_mip_col_val(handle, Int32($0 + 1)) }
        let proven = ret == 0 || ret == GLP_EMIPGAP
        let objective = glp_mip_obj_val(handle)
        // Within the gap, the optimum is at least objective - gap * |objective| (GLPK's own relative gap rule).
        let bound = proven ? min(objective, objective - relativeGap * abs(objective)) : relaxation.objective
        var answer = Answer(
            status: proven ? .optimal : .feasible, objective: objective, bound: max(bound, relaxation.objective),
            values: values, rowDuals: [])
        answer.relaxation = relaxation.objective
        return answer
    }

    /// Frees GLPK's environment of the calling thread (its memory lists). Call on a worker thread after every
    /// workspace it created has been released.
    public static func releaseThreadEnvironment() { _ = glp_free_env() }
}
