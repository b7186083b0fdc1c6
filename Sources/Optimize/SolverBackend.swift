import CbcSolver
import GLPKSolver
import LinearProgramming

/// The MILP backends PeerGrid can use: one enum for every command, the day-ahead job and the benchmarks.
public enum SolverBackend: String, Sendable, CaseIterable, Codable {
    /// COIN-OR CBC (multi-threaded, the default).
    case cbc
    /// GNU GLPK (single-threaded).
    case glpk

    /// A new solver of this backend.
    public func make() -> any LinearSolver {
        switch self {
        case .cbc: return CbcSolver()
        case .glpk: return GLPKSolver()
        }
    }

    /// Builds the backend's C problem from `model` and frees it; returns the seconds the hand-over took.
    public func handOver(_ model: Model) throws -> Double {
        switch self {
        case .cbc: return try CbcSolver.handOver(model)
        case .glpk: return try GLPKSolver.handOver(model)
        }
    }
}
