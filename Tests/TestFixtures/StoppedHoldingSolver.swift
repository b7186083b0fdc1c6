import Foundation
import GLPKSolver
import LinearProgramming

/// GLPK whose MIP searches all stop at their limit holding its optimum as the best found: status feasible, the bound
/// `boundBelow` under it (so the gap is not proven). Records the time limits the searches were given. For the tests
/// of what callers do with a search stopped at a limit (the schedule's diagnosis, the market's pool bills).
public final class StoppedHoldingSolver: LinearSolver, @unchecked Sendable {
    public let name = "stopped-holding"
    private let boundBelow: Double
    private let lock = NSLock()
    private var given: [Double?] = []

    public init(boundBelow: Double = 0) { self.boundBelow = boundBelow }

    /// The time limits of the MIP searches, in order.
    public var limits: [Double?] { lock.withLock { given } }

    public func solve(_ model: Model, options: SolverOptions) throws -> Solution {
        var s = try GLPKSolver().solve(model, options: options)
        guard model.isMixedInteger else { return s }
        lock.withLock { given.append(options.timeLimit) }
        if s.status == .optimal {
            s.status = .feasible
            if boundBelow > 0 { s.bestBound = s.objective.map { $0 - boundBelow } }
        }
        return s
    }
}
