import LinearProgramming

/// What `glp_intopt` returned, in Swift terms, so that the mapping to a ``Solution`` is testable without GLPK.
enum IntoptEnd: Equatable, Sendable {
    /// 0: the search ended normally.
    case finished
    /// `GLP_ENOPFS`: the LP relaxation has no primal feasible point.
    case noPrimalFeasible
    /// `GLP_ENODFS`: the LP relaxation has no dual feasible point (unbounded if feasible at all).
    case noDualFeasible
    /// `GLP_ETMLIM`: GLPK's own time limit.
    case timeLimit
    /// `GLP_ESTOP`: the callback terminated the search.
    case stopped
    /// `GLP_EMIPGAP`: the relative gap reached `mip_gap`.
    case mipGap
    /// Any other code (GLPK failed).
    case failed(Int32)
}

/// `glp_mip_status` in Swift terms.
enum MIPState: Equatable, Sendable {
    case optimal, feasible, noFeasible, undefined

    var hasSolution: Bool { self == .optimal || self == .feasible }
}

/// One call of the branch-and-bound callback, as the facts GLPK gives (gathered by the C callback).
struct SearchEvent: Sendable {
    enum Reason: Sendable { case select, newIncumbent, heuristic }
    var reason: Reason
    var elapsed: Double
    /// The root's optimal LP value while the tree is the root alone, else nil.
    var rootRelaxation: Double?
    /// The best active node's bound (select / new incumbent), nil when no node's LP is solved yet.
    var bestNodeBound: Double?
    /// For `heuristic`: the current node is the root.
    var atRoot = false
    /// The feasibility pump is still on.
    var pumpOn = false
    /// The incumbent's objective, when there is one.
    var incumbent: Double?
}

/// What the callback does after an event.
struct SearchAction: Equatable, Sendable {
    var terminate = false
    var skipPump = false
    var report: SolveProgress?

    static func == (a: SearchAction, b: SearchAction) -> Bool {
        a.terminate == b.terminate && a.skipPump == b.skipPump && (a.report == nil) == (b.report == nil)
    }
}

/// How a MILP search ended: the solver-independent part of `glp_intopt`'s outcome.
enum SearchVerdict: Equatable, Sendable {
    case infeasible
    /// The relaxation is unbounded: the MILP is unbounded if it has any feasible point.
    case unboundedIfFeasible
    case timeLimitNoSolution
    case error
    /// There is an incumbent; `proven` when GLPK proved it optimal.
    case solution(proven: Bool)
}

/// State shared with the branch-and-bound callback: the bound and incumbent seen so far, the stop rules (absolute
/// gap, the time limit counted from the call), the feasibility pump's skip rule and the progress reports. Pure
/// Swift: the C callback turns GLPK's facts into a ``SearchEvent`` and applies the ``SearchAction``.
final class SearchState {
    let options: SolverOptions
    var bound: Double?
    var incumbent: Double?
    var lastReport = -1.0
    var stoppedByAbsoluteGap = false
    /// The search was stopped from the callback because `options.timeLimit` had passed.
    var stoppedByTimeLimit = false
    /// The feasibility pump was switched off at the root because less time was left than the root took.
    var skippedPump = false
    static let pumpSkipped = "feasibility pump skipped: less time was left than the root LP took"

    init(options: SolverOptions) { self.options = options }

    /// Updates the state from one callback event and says what to do.
    func handle(_ event: SearchEvent) -> SearchAction {
        var action = SearchAction()
        // While the tree is the root alone, the problem's optimal LP is the root's relaxation (solved by
        // `glp_intopt` before the tree exists): it bounds the whole search, before any node's bound does.
        if bound == nil, let root = event.rootRelaxation { bound = root }
        if event.reason == .heuristic {
            // Called at each node whose LP is solved and fractional, just before GLPK's own heuristics.
            guard event.atRoot else { return action }
            // GLPK's time limit counts from the search tree's creation, after the presolved root LP, and its
            // feasibility pump solves LPs without a limit, checking it only between them. A pump started with
            // less time left than the root LP took would run far past the limit: skip it.
            if let limit = options.timeLimit, event.pumpOn, limit - event.elapsed < event.elapsed {
                action.skipPump = true
                skippedPump = true
            }
        } else if let b = event.bestNodeBound {
            bound = b
        }
        if let o = event.incumbent { incumbent = o }
        if let o = incumbent, let b = bound, abs(o - b) <= options.absoluteGap {
            stoppedByAbsoluteGap = true
            action.terminate = true
        } else if let limit = options.timeLimit, event.elapsed >= limit {
            stoppedByTimeLimit = true
            action.terminate = true
        }
        if options.progress != nil, event.reason == .newIncumbent || event.elapsed - lastReport >= 0.5 {
            lastReport = event.elapsed
            action.report = SolveProgress(elapsedSeconds: event.elapsed, incumbent: incumbent, bound: bound)
        }
        return action
    }

    /// How the search ended, from `glp_intopt`'s return and the MIP status.
    static func verdict(_ end: IntoptEnd, _ mip: MIPState) -> SearchVerdict {
        if end == .noPrimalFeasible || (end == .finished && mip == .noFeasible) { return .infeasible }
        if end == .noDualFeasible { return .unboundedIfFeasible }
        guard mip.hasSolution else { return end == .timeLimit || end == .stopped ? .timeLimitNoSolution : .error }
        return .solution(proven: end == .finished && mip == .optimal)
    }

    /// The solution from the incumbent: its bound (the proof, the callback's last bound, or what `mip_gap`
    /// guarantees), its status (optimal within the gaps) and the stop messages.
    func solution(objective obj: Double, values: [Double], end: IntoptEnd, proven: Bool, sense: ObjectiveSense) -> Solution {
        // No bound when the search stopped before any node's LP bounded it (not the incumbent: that would read as
        // a proof).
        var best: Double? = proven ? obj : bound
        if end == .mipGap {
            // The last bound the callback saw can be stale; GLPK stopped because the gap is within mip_gap.
            let guaranteed = obj - (sense == .minimize ? 1 : -1) * options.relativeGap * abs(obj)
            best = best.map { sense == .minimize ? max($0, guaranteed) : min($0, guaranteed) } ?? guaranteed
        }
        var solution = Solution(status: .feasible, objective: obj, bestBound: best, values: values, solver: "glpk")
        let withinGap = proven || end == .mipGap || stoppedByAbsoluteGap || (solution.gap ?? .infinity) <= options.relativeGap
        solution.status = withinGap ? .optimal : .feasible
        if end == .timeLimit || stoppedByTimeLimit { solution.message = "time limit reached" }
        if skippedPump { solution.message += (solution.message.isEmpty ? "" : ", ") + Self.pumpSkipped }
        return solution
    }

    /// The answer when the search stopped without an incumbent.
    func noSolution(_ verdict: SearchVerdict, code: IntoptEnd, mip: MIPState) -> Solution {
        if verdict == .timeLimitNoSolution {
            var stopped = Solution(status: .timeLimitNoSolution, solver: "glpk", message: "time limit before any integer solution")
            stopped.bestBound = bound
            if skippedPump { stopped.message += ", " + Self.pumpSkipped }
            return stopped
        }
        return Solution(status: .error, solver: "glpk", message: "glp_intopt returned \(code), status \(mip)")
    }
}
