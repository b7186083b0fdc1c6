import Foundation

/// The outcome of a solve, in the vocabulary of the PeerGrid specs (`summary.json`'s `status`).
public enum SolutionStatus: String, Sendable, Codable {
    /// Proven optimal within the requested gap.
    case optimal
    /// A feasible solution, stopped by a limit with a gap above the requested one.
    case feasible
    /// No feasible solution exists.
    case infeasible
    /// The objective is unbounded.
    case unbounded
    /// A limit was reached before any feasible solution was found.
    case timeLimitNoSolution = "time_limit_no_solution"
    /// The solver failed.
    case error

    /// Whether ``Solution/values`` holds a usable solution.
    public var hasSolution: Bool { self == .optimal || self == .feasible }
}

/// What a solver returns.
public struct Solution: Sendable {
    public var status: SolutionStatus
    /// Objective value of the returned solution (model's sense, constant included); `nil` without a solution.
    public var objective: Double?
    /// Best proven bound on the optimum (equal to ``objective`` for a proven-optimal LP); `nil` if unknown.
    public var bestBound: Double?
    /// Relative gap `|objective - bound| / max(1e-10, |objective|)`; `nil` without both.
    public var gap: Double?
    /// Column values (empty without a solution).
    public var values: [Double]
    /// Row duals (shadow prices) of an LP, when the solver gives them (GLPK does; CBC's C API does not).
    public var rowDuals: [Double]?
    /// Name of the solver (`glpk`, `cbc`).
    public var solver: String
    /// Seconds spent handing the model to the solver (building its C problem).
    public var handoverSeconds: Double
    /// Seconds spent in the solver itself.
    public var solveSeconds: Double
    /// A human-readable note from the backend (why it stopped, what it could not tell).
    public var message: String

    public init(
        status: SolutionStatus, objective: Double? = nil, bestBound: Double? = nil, values: [Double] = [],
        rowDuals: [Double]? = nil, solver: String, handoverSeconds: Double = 0, solveSeconds: Double = 0,
        message: String = ""
    ) {
        self.status = status
        self.objective = objective
        self.bestBound = bestBound
        self.gap = Solution.relativeGap(objective, bestBound)
        self.values = values
        self.rowDuals = rowDuals
        self.solver = solver
        self.handoverSeconds = handoverSeconds
        self.solveSeconds = solveSeconds
        self.message = message
    }

    /// The relative gap between an objective and a bound, as reported in every PeerGrid output.
    public static func relativeGap(_ objective: Double?, _ bound: Double?) -> Double? {
        guard let o = objective, let b = bound, o.isFinite, b.isFinite else { return nil }
        return abs(o - b) / max(1e-10, abs(o))
    }

    /// The value of a variable, or `nil` without a solution.
    public subscript(_ v: Variable) -> Double? { v.index < values.count ? values[v.index] : nil }
}

/// Solver settings shared by every backend.
public struct SolverOptions: Sendable {
    /// Branch-and-bound nodes at most (CBC). Unlike a time limit, it stops a search at the same point on every
    /// run and machine, so results stay deterministic.
    public var nodeLimit: Int?
    /// Wall-clock limit in seconds; `nil` for none.
    public var timeLimit: Double?
    /// How a linear program (a model without integer variables) is solved: the dual simplex, or a barrier
    /// (interior point) method with or without crossover to a basic optimal solution (``LPMethod``). GLPK has no
    /// crossover: it uses its interior point for ``LPMethod/barrierWithoutCrossover`` and its simplex otherwise.
    public var lpMethod: LPMethod = .simplex
    /// Relative MIP gap at which to stop (default 1e-4).
    public var relativeGap: Double = 1e-4
    /// Absolute MIP gap at which to stop.
    public var absoluteGap: Double = 1e-9
    /// Threads the solver may use (CBC only; GLPK is single-threaded).
    public var threads: Int = 1
    /// Primal heuristics (CBC's feasibility pump, rounding, ...). Off when only the bound of a root node is wanted.
    public var heuristics: Bool = true
    /// The cutting planes a solver leaves off by default, turned on: GLPK's Gomory mixed-integer, MIR, cover and
    /// clique cuts (CBC generates cuts by default and ignores this). Measured on one machine (2026-12-07): GLPK's
    /// search on the demo's community schedule 1.3 -> 0.6 s, but on `benchmark solvers`' multi-knapsacks 8-15
    /// times slower (50 x 8: 0.13 -> 1.9 s) and on its facility locations no faster; so only the community
    /// schedule asks for them.
    public var moreCuts: Bool = false
    /// Print the solver's own log to standard output.
    public var verbose: Bool = false
    /// A feasible solution (all column values) to start the MIP search from; CBC uses it (`Cbc_setMIPStartI`),
    /// GLPK ignores it.
    public var initialSolution: [Double]?
    /// Called from the solver's thread with progress of a MIP search (at new incumbents and every ~0.5 s; GLPK and CBC).
    public var progress: (@Sendable (SolveProgress) -> Void)?

    public init(
        timeLimit: Double? = nil, relativeGap: Double = 1e-4, absoluteGap: Double = 1e-9, threads: Int = 1,
        verbose: Bool = false
    ) {
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.absoluteGap = absoluteGap
        self.threads = threads
        self.verbose = verbose
    }

    /// Checks the options themselves (negative limits, NaN gaps).
    public func validate() throws {
        if let t = timeLimit, !(t > 0) || !t.isFinite || t > 1e7 {
            throw ModelError.invalidOption("time limit is \(t); it must be a number of seconds > 0 and at most 1e7")
        }
        if !(relativeGap >= 0) || !relativeGap.isFinite || relativeGap > 1 {
            throw ModelError.invalidOption("relative gap is \(relativeGap); it must be from 0 to 1")
        }
        if !(absoluteGap >= 0) || !absoluteGap.isFinite { throw ModelError.invalidOption("absolute gap is \(absoluteGap); it must be a finite number >= 0") }
        if threads < 1 || threads > 1024 { throw ModelError.invalidOption("threads is \(threads); it must be 1 to 1024") }
    }
}

/// The algorithm for a linear program (``SolverOptions/lpMethod``).
public enum LPMethod: String, Sendable {
    /// The simplex method (CLP's dual simplex; GLPK's simplex).
    case simplex
    /// CLP's barrier with crossover to a basic (vertex) solution: on the 200-prosumer schedule's relaxation
    /// (170,000 columns) 4.9 s against 28.5 s for the dual simplex. GLPK has no crossover: its simplex.
    case barrier
    /// CLP's barrier alone (3.0 s there): an optimal solution that need not be a vertex, so more of its values
    /// can be fractional. Its objective is the optimum all the same. GLPK: its interior-point method on a
    /// minimization (6.6 s there, against minutes for its simplex), whose `bestBound` is the proven bound of its
    /// duals; the simplex when the method falls short.
    case barrierWithoutCrossover = "barrier-without-crossover"
}

/// A snapshot of a running MIP search.
public struct SolveProgress: Sendable {
    public var elapsedSeconds: Double
    public var incumbent: Double?
    public var bound: Double?
    public var gap: Double? { Solution.relativeGap(incumbent, bound) }

    public init(elapsedSeconds: Double, incumbent: Double?, bound: Double?) {
        self.elapsedSeconds = elapsedSeconds
        self.incumbent = incumbent
        self.bound = bound
    }
}

/// A backend that solves a ``Model``. Implementations validate the model before any C call and free every
/// C handle they create.
public protocol LinearSolver: Sendable {
    /// Short name (`glpk`, `cbc`).
    var name: String { get }
    /// Solves `model`. Throws ``ModelError`` for a model that must not reach the solver; solver failures are
    /// reported in the returned ``Solution/status``.
    func solve(_ model: Model, options: SolverOptions) throws -> Solution
    /// Whether the solver starts a MIP search from ``SolverOptions/initialSolution``.
    var usesInitialSolution: Bool { get }
}

extension LinearSolver {
    public var usesInitialSolution: Bool { false }
}
