import DataIO

/// An error of the market layer, with its kind of failure.
public enum MarketError: PeerGridError, Equatable {
    /// Bad bids, fees or parameters; the message names the file, line or field.
    case badInput(String)
    /// A solver found no solution for a clearing LP that always has one (the zero trade): an internal fault.
    case solverFailed(String)

    public var kind: FailureKind {
        switch self {
        case .badInput: return .badInput
        case .solverFailed: return .internal
        }
    }

    public var description: String {
        switch self {
        case let .badInput(m): return m
        case let .solverFailed(m): return m
        }
    }
}
