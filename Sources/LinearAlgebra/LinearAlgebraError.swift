import DataIO
/// Why a linear-algebra operation refused its input or failed. Nothing in `LinearAlgebra` traps on bad shapes:
/// every public operation checks them and throws one of these.
public enum LinearAlgebraError: PeerGridError, Equatable {
    /// Operand shapes do not fit, e.g. `gemm` of 3x4 by 5x2.
    case shapeMismatch(operation: String, detail: String)
    /// Cholesky factorization found a leading minor of this order that is not positive definite.
    case notPositiveDefinite(minor: Int)
    /// Least squares: the matrix does not have full rank (LAPACK reported a zero diagonal of R at `index`).
    case rankDeficient(index: Int)
    /// A LAPACK routine reported an illegal argument (`info < 0`).
    case lapackFailure(routine: String, info: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, detail): return "\(op): shape mismatch: \(detail)"
        case let .notPositiveDefinite(minor): return "cholesky: leading minor of order \(minor) is not positive definite"
        case let .rankDeficient(index): return "least squares: matrix is rank deficient (column \(index))"
        case let .lapackFailure(routine, info): return "\(routine) failed with info = \(info)"
        }
    }
}

extension LinearAlgebraError {
    /// A shape mismatch or a LAPACK argument error is PeerGrid's own fault; a matrix without the property an
    /// operation needs comes from the data.
    public var kind: FailureKind {
        switch self {
        case .shapeMismatch, .lapackFailure: return .internal
        case .notPositiveDefinite, .rankDeficient: return .badInput
        }
    }
}
