import DataIO

/// An error of the market layer, with its kind of failure.
public enum MarketError: PeerGridError, Equatable {
    /// Bad bids, fees or parameters; the message names the file, line or field.
    case badInput(String)
    /// A solver found no solution for a clearing LP that always has one (the zero trade): an internal fault.
    case solverFailed(String)
    /// A prosumer's own problem has no solution at all (its load beyond its connection, say): the community, not
    /// the file's syntax, is at fault, as `schedule` and `clear` report it (exit 3).
    case infeasible(String)
    /// A prosumer's own problem ended without a solution within the solver's limits.
    case noSolution(String)

    public var kind: FailureKind {
        switch self {
        case .badInput: return .badInput
        case .solverFailed: return .internal
        case .infeasible: return .infeasible
        case .noSolution: return .noSolution
        }
    }

    public var description: String {
        switch self {
        case let .badInput(m), let .solverFailed(m), let .infeasible(m), let .noSolution(m): return m
        }
    }
}
