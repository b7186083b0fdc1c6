import Foundation
import GLPKSolver
import LinearProgramming

/// GLPK whose MIP searches all stop at their limit holding its optimum as the best found: status feasible, the bound
/// `boundBelow` under it (so the gap is not proven), or, for the searches numbered in `emptyHanded` (from 0), with
/// nothing found and no bound. Records the time limits the searches were given. For the tests of what callers do
/// with a search stopped at a limit (the schedule's diagnosis, the market's pool bills, the pricing parts).
public final class StoppedHoldingSolver: LinearSolver, @unchecked Sendable {
    public let name = "stopped-holding"
    private let boundBelow: Double
    private let emptyHanded: Set<Int>
    private let lock = NSLock()
    private var given: [Double?] = []

    public init(boundBelow: Double = 0, emptyHanded: Set<Int> = []) {
        self.boundBelow = boundBelow
        self.emptyHanded = emptyHanded
    }

    /// The time limits of the MIP searches, in order.
    public var limits: [Double?] { lock.withLock { given } }

    public func solve(_ model: Model, options: SolverOptions) throws -> Solution {
        var s = try GLPKSolver().solve(model, options: options)
        guard model.isMixedInteger else { return s }
        let search = lock.withLock {
            given.append(options.timeLimit); return given.count - 1
        }
        if emptyHanded.contains(search) {
            return Solution(status: .timeLimitNoSolution, solver: name, message: "time limit before any integer solution")
        }
        if s.status == .optimal {
            s.status = .feasible
            if boundBelow > 0 { s.bestBound = s.objective.map { $0 - boundBelow } }
        }
        return s
    }
}
