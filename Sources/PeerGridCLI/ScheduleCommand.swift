import DataIO
import Agents
import ArgumentParser
import CommandLineExit
import DayAhead
import Foundation
import Ledger
import LinearProgramming
import Optimize
import Reports

/// `peergrid schedule`: the community day-ahead schedule (spec/community.md).
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule a community for the day ahead (spec/community.md).",
        discussion:
            "Writes schedule.csv and summary.json to --out. Exit codes: 0 solved, 2 bad input, 3 infeasible (with a diagnosis), 4 solver error or time limit without a solution."
    )

    @Option(help: "The community file (JSON).")
    var community: String

    @OptionGroup var solverOptions: SolverOptionGroup

    @Option(
        help:
            "central (one MILP) or agents (each prosumer's agent plans at the coordinator's prices, as `peergrid clear`; --time-limit applies; --solver, --gap, --threads, --verbose and --build-only are refused)."
    )
    var method: DayAheadOptions.Method = .central

    @Option(help: "Output directory for schedule.csv and summary.json.")
    var out: String = "."

    @Flag(name: .customLong("no-standalone"), help: "Skip the stand-alone baseline (no savings).")
    var noStandalone = false

    @Option(help: "Also write the model (first round) to this .mps or .lp file.")
    var export: String?

    @OptionGroup var ledgerOptions: LedgerAppendOptions

    @Flag(name: .customLong("build-only"), help: "Validate, build and hand the model to the solver, write summary.json, stop.")
    var buildOnly = false

    func validate() throws {
        let unused = solverOptions.centralOnlyFlags
        if method == .agents, !unused.isEmpty {
            throw ValidationError(
                "\(unused.joined(separator: ", ")) appl\(unused.count == 1 ? "ies" : "y") to --method central only (the agents solve their own problems)")
        }
        if method == .agents, buildOnly { throw ValidationError("--build-only builds the central MILP; it applies to --method central only") }
    }

    func run() throws {
        let started = Stopwatch()
        let parsed = try CommunityFile.read(community)
        let ledgerKeys = try ledgerOptions.keys()
        var options = try solverOptions.options()
        // --time-limit bounds the command: reading the community counts, and 1 % is kept for writing the outputs.
        if let limit = options.timeLimit { options.timeLimit = max(0.01 * limit, 0.99 * limit - started.seconds) }
        let progress = TerminalProgress(enabled: !solverOptions.verbose)
        options.progress = progress.report
        let scheduler = CommunityScheduler(
            solver: solverOptions.solver.make(), options: options,
            standalone: !noStandalone)
        if let export {
            let (model, _) = scheduler.model(for: parsed)
            do { try ModelFile.write(model, to: export) } catch { throw CLIFailure("cannot export the model: \(error)") }
        }
        if buildOnly {
            let (model, build) = scheduler.model(for: parsed)
            let handover = try Backends.handOver(solverOptions.solver, model)
            let json: JSON = .object([
                ("community", .string(parsed.name)), ("status", .string("built")), ("solver", .string(solverOptions.solver.rawValue)),
                ("build_seconds", .number(build)), ("handover_seconds", .number(handover)),
                ("variables", .integer(model.variableCount)), ("integer_variables", .integer(model.integerCount)),
                ("constraints", .integer(model.constraintCount)), ("nonzeros", .integer(model.nonZeroCount))
            ])
            try writeOutputs([("summary.json", json.serialized() + "\n")])
            print(
                String(
                    format: "built %@: %d variables (%d integer), %d constraints, %d non-zeros; build %.3f s, hand-over %.3f s",
                    parsed.name, model.variableCount, model.integerCount, model.constraintCount, model.nonZeroCount, build, handover))
            return
        }
        progress.start("solving \(parsed.name)")
        defer { progress.finish() }
        let result: ScheduleResult
        do {
            if method == .agents {
                var clearing = ClearingOptions()
                clearing.timeLimit = solverOptions.timeLimit
                var r = try inContext(community) { try DecentralizedClearing(community: parsed, options: clearing).run().schedule }
                if noStandalone { r.standaloneCost = nil; r.standaloneBills = nil; r.standaloneStatus = nil }
                result = r
            } else {
                result = try scheduler.schedule(parsed)
            }
        } catch let e as ModelError { throw CLIFailure("\(community): \(e.description)") }
        progress.finish()
        var files = [("summary.json", ScheduleReport.summary(parsed, result).serialized() + "\n")]
        if result.status.hasSolution { files.insert(("schedule.csv", ScheduleReport.csv(parsed, result)), at: 0) }
        try writeOutputs(files)
        print(ScheduleReport.text(parsed, result))
        if result.status.hasSolution {
            print("wrote     \(out)/schedule.csv, \(out)/summary.json")
            try ledgerOptions.append(
                try LedgerRecords.schedule(result, community: parsed),
                clearing: "schedule/\(parsed.name)/\(UTCTime.string(parsed.start))", keys: ledgerKeys)
        }
        let code = Backends.exitCode(result.status)
        if code != .success { throw ExitCode(code.rawValue) }
    }

    func writeOutputs(_ files: [(String, String)]) throws {
        try writeOutputDirectory(files.map { (name: $0.0, text: $0.1) }, into: out)
    }
}
