import ArgumentParser
import CommandLineExit
import Control
import DataIO
import Forecast
import Foundation
import Ledger
import LinearAlgebra
import Optimize
import ResultStore

/// `peergrid`: the command line. Thin: parses arguments, calls the libraries, prints.
///
/// Exit codes (all commands): 0 solved / done, 2 bad input (including bad arguments), 3 infeasible,
/// 4 unbounded, solver error or a limit reached without a solution.
@main
struct PeerGrid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peergrid",
        abstract: "Forecasting and optimization for energy communities.",
        discussion:
            "Exit codes: 0 solved, 2 bad input, 3 infeasible, 4 unbounded / solver error / time limit without a solution, 5 verification failed (a tampered ledger, a proof or check that does not hold), 6 forked ledger, 70 internal error.",
        version: versionLine,
        subcommands: [
            DayAheadCommand.self, BatchCommand.self, HistoryCommand.self, SolveCommand.self, ScheduleCommand.self, ClearCommand.self,
            PriceCommand.self, MarketCommand.self, LedgerCommand.self, BacktestCommand.self, ForecastCommand.self, TuneCommand.self, AnomaliesCommand.self,
            RLCommand.self
        ])

    /// Runs the command with PeerGrid's exit codes (``ExitStatus``; argument errors exit 2, not ArgumentParser's 64).
    static func main() {
        pinBLASThreads(ProcessInfo.processInfo.environment)
        runWithExitStatus(tool: "peergrid")
    }
}

/// `peergrid --version`: the release and the file formats this build reads and writes.
let versionLine = """
    peergrid \(PeerGridRelease.version) (forecast model files v\(ModelFile.version), RL policy files v\(PolicyFile.currentVersion), \
    ledger entries v\(LedgerEntry.formatVersion), results store v\(ResultStore.schemaVersion), settlement rules \(SettlementRule.supported.sorted().map(String.init).joined(separator: ", ")))
    """

/// OpenBLAS runs on one thread unless the environment sets its thread count (`OPENBLAS_NUM_THREADS`, or
/// `GOTO_NUM_THREADS` / `OMP_NUM_THREADS`, which OpenBLAS also reads). The models' matrices are small: on two cores
/// OpenBLAS's second thread made `forecast --model ensemble` on a year of hourly data 45 % slower (70 s against 48 s),
/// and the threaded least squares round differently, so results depended on the number of cores. Returns the count set,
/// nil when the environment chose.
@discardableResult
func pinBLASThreads(_ environment: [String: String]) -> Int? {
    guard ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"].allSatisfy({ environment[$0] == nil }) else { return nil }
    BLASThreads.set(1)
    return 1
}

/// The flags of the pairs whose value is true (an option given, or given where it would not be used), in order.
func flagsGiven(_ pairs: [(String, Bool)]) -> [String] { pairs.filter(\.1).map(\.0) }

/// Runs `body`; a PeerGridError it throws gets `context` (the input file) in front of its message and keeps its kind,
/// so its exit code is still chosen in one place (``ExitStatus/init(_:)``).
/// Runs a write of output files (``OutputFiles``): a file that cannot be written exits 2 with `cannot write PATH:
/// why`, naming the file once. Other errors pass through (an unforeseen one still exits 70).
func writingOutput<R>(_ body: () throws -> R) throws -> R {
    do { return try body() } catch let e as OutputFileError { throw CLIFailure("cannot write \(e.path): \(e.message)") }
}

func inContext<R>(_ context: String, _ body: () throws -> R) throws -> R {
    do { return try body() } catch let e as any PeerGridError { throw CLIFailure("\(context): \(e.description)", code: ExitStatus(e.kind)) }
}

extension SolverBackend: ExpressibleByArgument {}

/// Options shared by the commands that solve.
struct SolverOptionGroup: ParsableArguments {
    @Option(name: .customLong("solver"), help: "Solver backend: cbc or glpk (default: cbc).")
    var solverGiven: SolverBackend?

    @Option(name: .customLong("time-limit"), help: "Wall-clock limit in seconds.")
    var timeLimit: Double?

    @Option(name: .customLong("gap"), help: "Relative MIP gap at which to stop (default: 0.0001).")
    var gapGiven: Double?

    @Option(name: .customLong("threads"), help: "Threads for the solver (CBC; GLPK is single-threaded; default: 1).")
    var threadsGiven: Int?

    @Flag(help: "Show the solver's own log.")
    var verbose = false

    var solver: SolverBackend { solverGiven ?? .cbc }
    var gap: Double { gapGiven ?? 1e-4 }
    var threads: Int { threadsGiven ?? 1 }

    /// The flags given that only a central solve uses (for `--method agents`, which runs its own agents).
    var centralOnlyFlags: [String] {
        flagsGiven([("--solver", solverGiven != nil), ("--gap", gapGiven != nil), ("--threads", threadsGiven != nil), ("--verbose", verbose)])
    }
}
