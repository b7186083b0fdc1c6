import CommandLineExit
import LinearProgramming
import Optimize

/// Maps command-line choices to library objects.
enum Backends {
    /// Builds the solver's C problem from `model` and frees it: the hand-over time alone.
    static func handOver(_ choice: SolverBackend, _ model: Model) throws -> Double {
        do {
            return try choice.handOver(model)
        } catch let e as ModelError { throw CLIFailure(e.description) }
    }

    static func exitCode(_ status: SolutionStatus) -> ExitStatus {
        switch status {
        case .optimal, .feasible: return .success
        case .infeasible: return .infeasible
        case .unbounded, .error, .timeLimitNoSolution: return .noSolution
        }
    }
}

extension SolverOptionGroup {
    /// Library options from the flags; bad values are refused with exit 2.
    func options() throws -> SolverOptions {
        var o = SolverOptions(timeLimit: timeLimit, relativeGap: gap, threads: threads, verbose: verbose)
        o.absoluteGap = 1e-9
        do { try o.validate() } catch let e as ModelError { throw CLIFailure("invalid option: \(e.description)") }
        return o
    }
}
