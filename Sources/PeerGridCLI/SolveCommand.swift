import DataIO
import ArgumentParser
import CommandLineExit
import Foundation
import LinearProgramming
import Reports

/// `peergrid solve MODEL.mps|MODEL.lp`: solve an LP/MILP file with GLPK or CBC.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve an LP or MILP model file (MPS free/fixed or CPLEX LP) with CBC or GLPK.")

    @Argument(help: "The model: a .mps or .lp file.")
    var model: String

    @OptionGroup var solverOptions: SolverOptionGroup

    @Option(name: .customLong("mps-format"), help: "MPS dialect: free or fixed (default: free).")
    var mpsFormatGiven: MPS.Format?

    var mpsFormat: MPS.Format { mpsFormatGiven ?? .free }

    func validate() throws {
        if mpsFormatGiven != nil, model.lowercased().hasSuffix(".lp") { throw ValidationError("--mps-format applies to MPS files, not to \(model)") }
    }

    @Flag(help: "Print one JSON object instead of the human summary.")
    var json = false

    @Option(help: "Write the solution's variable values to this CSV file.")
    var solution: String?

    func run() throws {
        let format = mpsFormat
        let readClock = Stopwatch()
        let parsed = try ModelFile.read(model, mpsFormat: format)
        let readSeconds = readClock.seconds
        let result: Solution
        var options = try solverOptions.options()
        // Elapsed time, incumbent, bound and gap on standard error while a MIP search runs (a terminal only).
        let progress = TerminalProgress(enabled: !solverOptions.verbose && parsed.isMixedInteger)
        options.progress = progress.report
        progress.start("solving \((model as NSString).lastPathComponent)")
        do {
            defer { progress.finish() }
            result = try solverOptions.solver.make().solve(parsed, options: options)
        } catch let e as ModelError {
            throw CLIFailure("\(model): \(e.description)")
        }
        if json {
            print(SolutionReport.json(result, model: parsed).serialized(pretty: false))
        } else {
            print(SolutionReport.text(result, model: parsed, file: model, readSeconds: readSeconds))
        }
        if let path = solution, result.status.hasSolution {
            try writingOutput { try OutputFiles.write(SolutionReport.csv(result, model: parsed), to: path) }
        }
        let code = Backends.exitCode(result.status)
        if code != .success { throw ExitCode(code.rawValue) }
    }
}

extension MPS.Format: ExpressibleByArgument {}
