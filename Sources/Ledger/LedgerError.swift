import DataIO

/// A ledger failure, with the file, entry or field it concerns in the message.
public enum LedgerError: PeerGridError, Equatable {
    /// Bad input: a key file, a trades file, an impossible value (exit 2).
    case badInput(String)
    /// The ledger or a proof does not verify; `entry` is the first bad entry when one can be named (exit 5).
    case integrity(String, entry: Int?)
    /// A replica's history disagrees with the source's (exit 6).
    case fork(String)
    /// Replayed bills differ from the logged ones (exit 5).
    case replay(String)

    public var kind: FailureKind {
        switch self {
        case .badInput: .badInput
        case .integrity, .replay: .verificationFailed
        case .fork: .forked
        }
    }

    public var description: String {
        switch self {
        case .badInput(let m), .fork(let m), .replay(let m): m
        case .integrity(let m, _): m
        }
    }
}
