/// What kind of failure an error is. Executables map the kind to an exit code in one place; libraries only say
/// what happened.
public enum FailureKind: String, Sendable, CaseIterable {
    /// The input is malformed or breaks a rule (exit 2).
    case badInput = "bad input"
    /// The problem has no feasible solution (exit 3).
    case infeasible
    /// A solver failed or a limit was reached without a solution (exit 4).
    case noSolution = "no solution"
    /// A check of recorded data failed: a tampered ledger, a proof that does not verify (exit 5).
    case verificationFailed = "verification failed"
    /// Two copies of a ledger disagree about their common history: a fork (exit 6).
    case forked = "forked history"
    /// Nobody foresaw it: a bug or an environment fault, never the user's input (exit 70).
    case `internal`
}

/// An error that says what kind of failure it is. Its `description` is the message for the user.
public protocol PeerGridError: Error, CustomStringConvertible {
    var kind: FailureKind { get }
}
