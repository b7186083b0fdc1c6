import Foundation
import Optimize

/// Where the coordinator's agents live. In one process they are ``LocalAgents``; over MPI each rank holds its
/// share and the answers are gathered. Either way the coordinator gets per-period vectors and scalars only.
protocol AgentGroup: AnyObject {
    /// Number of prosumer agents (all ranks together).
    var count: Int { get }
    /// Every agent's answer to `signal`, in agent order, with the index of the plan each answer is (per agent).
    func respond(to signal: PriceSignal, nodes: Int) throws -> [(proposal: Proposal, plan: Int)]
    /// The answers of the agents in `targets` to `signal`, each near its target (see ``ProsumerAgent/respond(to:target:)``).
    func respond(to signal: PriceSignal, targets: [Int: ProsumerAgent.Target]) throws -> [Int: (proposal: Proposal, plan: Int)]
    /// The plans asked for: `(agent, plan index)` pairs, in order.
    func plans(_ requests: [(agent: Int, plan: Int)]) throws -> [ProsumerAgent.Plan]
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

    func respond(to signal: PriceSignal, nodes: Int) throws -> [(proposal: Proposal, plan: Int)] {
        let n = agents.count, k = workers.count
        let answers = Answers(count: n)
        let agents = self.agents
        workers.run { w in
            var i = w
            while i < n {
                do { answers.set(i, .success(try agents[i].respond(to: signal, nodes: nodes))) } catch { answers.set(i, .failure(error)) }
                i += k
            }
        }
        return try answers.values.map { try $0!.get() }
    }

    func respond(to signal: PriceSignal, targets: [Int: ProsumerAgent.Target]) throws -> [Int: (proposal: Proposal, plan: Int)] {
        let n = agents.count, k = workers.count
        let answers = Answers(count: n)
        let agents = self.agents
        workers.run { w in
            for (i, target) in targets where i % k == w && i < n {
                do { answers.set(i, .success(try agents[i].respond(to: signal, target: target))) } catch { answers.set(i, .failure(error)) }
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

    func close() {
        let n = agents.count, k = workers.count, agents = self.agents
        workers.shutdown { w in
            var i = w
            while i < n { agents[i].release(); i += k }
        }
    }

    /// Slots the workers fill at disjoint indices (raw memory: concurrent writes through a Swift array property
    /// would be overlapping accesses); read after ``AgentWorkers/run(_:)`` returns.
    private final class Answers: @unchecked Sendable {
        typealias Slot = Result<(proposal: Proposal, plan: Int), Error>?
        private let slots: UnsafeMutablePointer<Slot>
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
        func set(_ i: Int, _ r: Result<(proposal: Proposal, plan: Int), Error>) { slots[i] = r }
        var values: [Slot] { (0..<count).map { slots[$0] } }
    }
}
