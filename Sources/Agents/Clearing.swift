import DataIO
import Foundation
import LinearProgramming
import Optimize

/// Settings of a decentralized clearing.
public struct ClearingOptions: Sendable {
    /// Stop when the master's value and the best lower bound are this close (relative).
    public var tolerance = 1e-4
    /// Price rounds at most. Feasible communities converge well before (the agents benchmark: 21-70 rounds up to
    /// N = 10,000); reporting a community infeasible takes more, as the artificial flows' price must first rise to
    /// its top (infeasible 200 x 24 and 600 x 24 communities: 52-100 rounds; 3 x 96 to 8 x 96 from `community.py`:
    /// 46-149). It was 100 until 2026-12-06, and those stopped with exit 4 instead.
    public var maxIterations = 300
    /// Seconds for the whole clearing, final selection included.
    public var timeLimit: Double?
    /// Threads that run agents (each owns its agents for the run).
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Wentges smoothing: the agents answer `smoothing * best + (1 - smoothing) * master` prices.
    public var smoothing = 0.5
    /// Blocks of agents in the master LP, each with one convexity row (its members' plans are mixed with the same
    /// weights). `nil`: one block per agent up to 2,000 agents, else 250 blocks (see the README's *Agents at scale*).
    public var masterBlocks: Int?
    /// Called after every iteration.
    public var progress: (@Sendable (ClearingIteration) -> Void)?

    public init() {}

    /// Throws ``AgentError/badOption(_:)`` for a value outside its range (a command checks its options with this
    /// before it reads any file).
    public func validate() throws {
        guard tolerance.isFinite, tolerance > 0, tolerance < 1 else { throw AgentError.badOption("--tolerance must be in (0, 1), got \(tolerance)") }
        guard maxIterations >= 1 else { throw AgentError.badOption("--max-iterations must be at least 1, got \(maxIterations)") }
        if let t = timeLimit, !(t.isFinite && t > 0) { throw AgentError.badOption("--time-limit must be a positive number of seconds, got \(t)") }
        guard smoothing >= 0, smoothing < 1 else { throw AgentError.badOption("smoothing must be in [0, 1), got \(smoothing)") }
        if let b = masterBlocks, b < 1 { throw AgentError.badOption("master blocks must be at least 1, got \(b)") }
    }
}

/// One line of `convergence.csv`.
public struct ClearingIteration: Sendable {
    public var iteration: Int
    /// Largest gap (kW) between the agents' latest answers summed and the master's aggregate, draw or feed.
    public var primalResidual: Double
    /// Largest change of a price signal since the last iteration (currency per kWh).
    public var dualResidual: Double
    /// The master's value (convex combinations of the plans so far): an upper bound of the relaxation.
    public var objective: Double
    /// The best Lagrangian lower bound so far.
    public var bound: Double
    public var gap: Double
    /// The smoothing weight of the stability centre (plays the part of ADMM's rho).
    public var smoothing: Double
    /// Plans the master holds.
    public var plans: Int
    public var seconds: Double
}

/// A decentralized clearing's answer: the schedule in the central solver's shape, with its certificate.
public struct ClearingResult: Sendable {
    public var schedule: ScheduleResult
    public var iterations: [ClearingIteration]
    /// The master met the tolerance before the iteration or time limit.
    public var converged: Bool
    /// Prices of the best bound (currency per kWh).
    public var prices: PriceSignal
    /// Agents whose final plan is a mix of several of their plans (the repair) or was chosen among several (the
    /// fallback selection); the rest kept one plan.
    public var agentsInSelection: Int
    public var seconds: Double
    /// Wall-clock seconds of each phase, in order: the opening rounds (stand-alone and pool prices), the price
    /// iterations, the certificate round, and the repair (or selection).
    public var phaseSeconds: [(phase: String, seconds: Double)] = []
}

/// Clears a community without a central model of its households: Dantzig-Wolfe column generation with
/// Wentges smoothing. Each ``ProsumerAgent`` answers price signals with its own optimal plan (draw and feed per
/// period, and what its devices cost it); the coordinator holds only those vectors, the public tariffs, the
/// community limits and the shared storage, and finds the prices at which the plans fit together.
///
/// 1. Price: agents answer the smoothed prices quickly (dynamic programming over their decisions, then an LP
///    with them fixed: ``PlanSearch``); the sum of their plans' values plus the coordinator's own optimal value
///    at those prices estimates the Lagrangian bound and steers the search.
/// 2. Master: an LP over convex combinations of each agent's plans, the grid and pool split, the limits and the
///    shared storage gives new prices (its duals) and an upper value. Stop when value and estimate meet.
/// 3. Certificate: at the best prices every agent bounds its own optimum from below (its MILP's root node where
///    feeding earns more than drawing costs, exactly elsewhere): a Lagrangian lower bound of the community's cost.
/// 4. Repair: every agent fixes the integer decisions of a plan near the master's mix, column generation runs on
///    the convex rest, and each agent forms its own mix of plans, so every rule of the spec holds exactly. When
///    that cannot meet the limits, a small MIP picks one plan per mixed agent and the storage's mode.
///    The certificate is the schedule's cost against the bound.
public struct DecentralizedClearing {
    public var community: Community
    public var options: ClearingOptions

    public init(community: Community, options: ClearingOptions = ClearingOptions()) {
        self.community = community
        self.options = options
    }

    /// Clears the community with its agents in this process.
    public func run() throws -> ClearingResult {
        try options.validate()
        let agents = LocalAgents(community, workers: options.workers)
        defer { agents.close() }
        var coordinator = Coordinator(community: community, options: options)
        return try coordinator.clear(agents)
    }
}
