import ArgumentParser
import DataIO
import Foundation
import LinearAlgebra
import Optimize

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
        subcommands: [
            DayAheadCommand.self, BatchCommand.self, HistoryCommand.self, SolveCommand.self, ScheduleCommand.self, ClearCommand.self,
            PriceCommand.self, MarketCommand.self, LedgerCommand.self, BacktestCommand.self, ForecastCommand.self, TuneCommand.self, AnomaliesCommand.self,
            RLCommand.self
        ])

    /// Runs the command with PeerGrid's exit codes: argument errors exit 2 (ArgumentParser's default is 64).
    static func main() {
        pinBLASThreads(ProcessInfo.processInfo.environment)
        do {
            var command = try parseAsRoot()
            // A fault nobody foresaw, injected by the tests to show it exits 70 (not documented for users).
            if let fault = ProcessInfo.processInfo.environment["PEERGRID_INJECT_FAULT"] { throw InjectedFault(what: fault) }
            try command.run()
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data(("peergrid: " + failure.message + "\n").utf8))
            Foundation.exit(failure.code.rawValue)
        } catch let failure as any PeerGridError {
            // The one place where a kind of failure becomes an exit code.
            FileHandle.standardError.write(Data(("peergrid: " + failure.description + "\n").utf8))
            Foundation.exit(CLIExit(failure.kind).rawValue)
        } catch {
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if code == 0 {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            // Argument errors are bad input; an error nobody foresaw (not an argument error, not a PeerGridError, not
            // a deliberate exit code) is an internal error, never "bad input".
            if code == ExitCode.failure.rawValue, !(error is ExitCode) {
                FileHandle.standardError.write(Data("peergrid: internal error (please report it): \(error)\n".utf8))
                Foundation.exit(CLIExit.internalError.rawValue)
            }
            // A deliberate exit code (3 infeasible, 4 no solution) has no message: the output said why.
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == ExitCode.validationFailure.rawValue ? CLIExit.badInput.rawValue : code)
        }
    }
}

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

/// Runs `body`; a PeerGridError it throws gets `context` (the input file) in front of its message and keeps its kind,
/// so its exit code is still chosen in one place (``CLIExit/init(_:)``).
func inContext<R>(_ context: String, _ body: () throws -> R) throws -> R {
    do { return try body() } catch let e as any PeerGridError { throw CLIFailure("\(context): \(e.description)", code: CLIExit(e.kind)) }
}

/// A plain error, not a PeerGridError: what an unforeseen failure (a library's own error type) looks like.
struct InjectedFault: Error { var what: String }

/// PeerGrid's documented exit codes.
enum CLIExit: Int32 {
    case success = 0
    case badInput = 2
    case infeasible = 3
    case noSolution = 4
    case verificationFailed = 5
    case forked = 6
    case internalError = 70

    /// The exit code of a kind of failure.
    init(_ kind: FailureKind) {
        switch kind {
        case .badInput: self = .badInput
        case .infeasible: self = .infeasible
        case .noSolution: self = .noSolution
        case .verificationFailed: self = .verificationFailed
        case .forked: self = .forked
        case .internal: self = .internalError
        }
    }
}

/// An error that ends the command with a message on standard error and a documented exit code.
struct CLIFailure: Error {
    var message: String
    var code: CLIExit
    init(_ message: String, code: CLIExit = .badInput) {
        self.message = message
        self.code = code
    }
}

extension SolverBackend: ExpressibleByArgument {}

/// Options shared by the commands that solve.
struct SolverOptionGroup: ParsableArguments {
    @Option(help: "Solver backend: cbc or glpk.")
    var solver: SolverBackend = .cbc

    @Option(name: .customLong("time-limit"), help: "Wall-clock limit in seconds.")
    var timeLimit: Double?

    @Option(help: "Relative MIP gap at which to stop.")
    var gap: Double = 1e-4

    @Option(help: "Threads for the solver (CBC; GLPK is single-threaded).")
    var threads: Int = 1

    @Flag(help: "Show the solver's own log.")
    var verbose = false
}
