import DataIO
import Foundation

/// What can go wrong in a decentralized clearing.
public enum AgentError: PeerGridError, Equatable {
    /// An agent's own problem has no feasible plan at all (its load cannot be met within its connection), with the
    /// reason when it is known.
    case infeasible(agent: String, reason: String? = nil)
    /// An agent's solver failed.
    case solver(agent: String, detail: String)
    /// An agent file or directory that cannot be used.
    case badAgentFile(path: String, detail: String)
    /// Options out of range.
    case badOption(String)
    /// A worker (thread or MPI rank) ended the run.
    case workerFailed(String)
    /// An error on another MPI rank: its kind (so the exit code is the one it would have in one process) and its
    /// message, which names the file or agent and the rank.
    case onRank(Int, kind: FailureKind, message: String)

    public var kind: FailureKind {
        switch self {
        case .infeasible: return .infeasible
        case .solver: return .noSolution
        case .badAgentFile, .badOption: return .badInput
        case .workerFailed: return .internal
        case let .onRank(_, kind, _): return kind
        }
    }

    public var description: String {
        switch self {
        case let .infeasible(agent, reason):
            return "prosumer \(agent) has no feasible plan of its own (\(reason ?? "its load, connection, battery and flexible loads conflict"))"
        case let .solver(agent, detail): return "the solver of agent \(agent) failed: \(detail)"
        case let .badAgentFile(path, detail): return "\(path): \(detail)"
        case let .badOption(message): return message
        case let .workerFailed(message): return message
        case let .onRank(rank, _, message): return "\(message) (MPI rank \(rank))"
        }
    }
}
