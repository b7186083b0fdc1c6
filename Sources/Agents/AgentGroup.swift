import DataIO
import Foundation
import Optimize

/// How hard the agents work on an answer.
enum Effort: Sendable, Equatable {
    /// Dynamic programming over the agent's decisions, then an LP with them fixed (milliseconds): the value is an
    /// estimate (``ProsumerAgent/respondQuickly(to:)``).
    case quick
    /// A quick plan and, as its value, a proven bound from the agent's MILP after at most this many nodes
    /// (``ProsumerAgent/respondWithBound(to:nodes:relaxationOnly:)``). Agents that start after `seconds` (counted
    /// from the round's start on each rank) bound with their LP relaxation instead, which is quicker and weaker.
    case bounded(nodes: Int, seconds: Double?)
    /// The agent's MILP with at most this many branch-and-bound nodes: the value is a proven bound.
    case exact(nodes: Int)
}

/// Where the coordinator's agents live. In one process they are ``LocalAgents``; over MPI each rank holds its
/// share and the answers are gathered. Either way the coordinator gets per-period vectors and scalars only.
protocol AgentGroup: AnyObject {
    /// Number of prosumer agents (all ranks together).
    var count: Int { get }
    /// Every agent's answer to `signal`, in agent order, with the index of the plan each answer is (per agent).
    func respond(to signal: PriceSignal, effort: Effort) throws -> [(proposal: Proposal, plan: Int)]
    /// The answers of the agents in `targets` to `signal`, each near its target (see ``ProsumerAgent/respond(to:target:)``).
    func respond(to signal: PriceSignal, targets: [Int: ProsumerAgent.Target]) throws -> [Int: (proposal: Proposal, plan: Int)]
    /// The plans asked for: `(agent, plan index)` pairs, in order.
    func plans(_ requests: [(agent: Int, plan: Int)]) throws -> [ProsumerAgent.Plan]
    /// Fixes each agent's integer decisions to those of its plan `plans[i]` (``ProsumerAgent/fixDecisions(of:)``).
    func fix(_ plans: [Int]) throws
    /// Each agent's best plan within its fixed decisions (``ProsumerAgent/respondFixed(to:)``).
    func respondFixed(to signal: PriceSignal) throws -> [(proposal: Proposal, plan: Int)]
    /// Each agent's mix of its plans with the given weights (``ProsumerAgent/combine(_:)``): the mixes' indices.
    func combine(_ weights: [[(plan: Int, weight: Double)]]) throws -> [Int]
    /// Lifts the fixed decisions.
    func unfix() throws
    /// Releases every agent's solver.
    func close()
}

/// Agents in this process, on threads that own them (``AgentWorkers``).
final class LocalAgents: AgentGroup, @unchecked Sendable {
    private let agents: [ProsumerAgent]
    private let workers: AgentWorkers
    var count: Int { agents.count }

    init(_ community: Community, workers: Int) {
        agents = community.prosumers.map {
            ProsumerAgent(prosumer: $0, periods: community.periods, hoursPerPeriod: community.hoursPerPeriod)
        }
        self.workers = AgentWorkers(count: min(max(1, workers), max(1, community.prosumers.count)))
    }

    func respond(to signal: PriceSignal, effort: Effort) throws -> [(proposal: Proposal, plan: Int)] {
        let n = agents.count, k = workers.count
        let answers = Slots<(proposal: Proposal, plan: Int)>(count: n)
        let agents = self.agents
        let clock = Stopwatch()
        workers.run { w in
            var i = w
            while i < n {
                do {
                    let answer =
                        switch effort {
                        case .quick: try agents[i].respondQuickly(to: signal)
                        case .bounded(let nodes, let seconds):
                            try agents[i].respondWithBound(to: signal, nodes: nodes, relaxationOnly: seconds.map { clock.seconds > $0 } ?? false)
                        case .exact(let nodes): try agents[i].respond(to: signal, nodes: nodes)
                        }
                    answers.set(i, .success(answer))
                } catch { answers.set(i, .failure(error)) }
                i += k
            }
        }
        return try answers.values.map { try $0!.get() }
    }

    func respond(to signal: PriceSignal, targets: [Int: ProsumerAgent.Target]) throws -> [Int: (proposal: Proposal, plan: Int)] {
        let n = agents.count, k = workers.count
        let answers = Slots<(proposal: Proposal, plan: Int)>(count: n)
        let agents = self.agents
        workers.run { w in
            for (i, target) in targets where i % k == w && i < n {
                do { answers.set(i, .success(try agents[i].respondQuickly(to: signal, target: target))) } catch { answers.set(i, .failure(error)) }
            }
        }
        var out: [Int: (proposal: Proposal, plan: Int)] = [:]
        for (i, slot) in answers.values.enumerated() { if let slot { out[i] = try slot.get() } }
        return out
    }

    func plans(_ requests: [(agent: Int, plan: Int)]) throws -> [ProsumerAgent.Plan] {
        try requests.map { i, k in
            guard agents.indices.contains(i), agents[i].plans.indices.contains(k) else {
                throw AgentError.workerFailed("agent \(i) has no plan \(k)")
            }
            return agents[i].plans[k]
        }
    }

    /// `body` for every agent on the agent's own worker thread; results in agent order (the first error is thrown).
    private func each<R>(_ body: @escaping @Sendable (Int, ProsumerAgent) throws -> R) throws -> [R] {
        let n = agents.count, k = workers.count
        let slots = Slots<R>(count: n)
        let agents = self.agents
        workers.run { w in
            var i = w
            while i < n {
                do { slots.set(i, .success(try body(i, agents[i]))) } catch { slots.set(i, .failure(error)) }
                i += k
            }
        }
        return try slots.values.map { try $0!.get() }
    }

    func fix(_ plans: [Int]) throws {
        _ = try each { i, agent in try agent.fixDecisions(of: plans[i]) }
    }

    func respondFixed(to signal: PriceSignal) throws -> [(proposal: Proposal, plan: Int)] {
        try each { _, agent in try agent.respondFixed(to: signal) }
    }

    func combine(_ weights: [[(plan: Int, weight: Double)]]) throws -> [Int] {
        let boxed = Box(weights)
        return try each { i, agent in try agent.combine(boxed.value[i]) }
    }

    func unfix() throws {
        _ = try each { _, agent in try agent.unfix() }
    }

    private final class Box<V>: @unchecked Sendable {
        let value: V
        init(_ value: V) { self.value = value }
    }

    /// Result slots the workers fill at disjoint indices (raw memory: concurrent writes through a Swift array
    /// property would be overlapping accesses); read after ``AgentWorkers/run(_:)`` returns.
    private final class Slots<R>: @unchecked Sendable {
        private let slots: UnsafeMutablePointer<Result<R, Error>?>
        let count: Int
        init(count: Int) {
            self.count = count
            slots = .allocate(capacity: max(1, count))
            slots.initialize(repeating: nil, count: count)
        }
        deinit {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
        func set(_ i: Int, _ r: Result<R, Error>) { slots[i] = r }
        var values: [Result<R, Error>?] { (0..<count).map { slots[$0] } }
    }

    func close() {
        let n = agents.count, k = workers.count, agents = self.agents
        workers.shutdown { w in
            var i = w
            while i < n { agents[i].release(); i += k }
        }
    }
}
