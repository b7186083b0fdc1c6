import Agents
import ArgumentParser
import DataIO
import Foundation
import Optimize
import Reports

/// `peergrid clear`: the community schedule found by its prosumers' agents (price-directed decomposition).
struct ClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Clear a community decentrally: each prosumer's agent plans for itself at the coordinator's prices.",
        discussion: """
        Writes schedule.csv and summary.json (spec/community.md, plus iterations, residuals, bound and gap) and \
        convergence.csv to --out. Exit codes: 0 a schedule (converged or the best repaired one, with its certified gap), \
        2 bad input (names the file), 3 infeasible, 4 no schedule within the limits.
        """)

    @Option(help: "The community file (JSON).")
    var community: String?

    @Option(name: .customLong("agents-dir"), help: "A community given as one file per prosumer: DIR/community.json and DIR/prosumers/*.json.")
    var agentsDir: String?

    @Option(help: "Relative gap between the master's value and the lower bound at which to stop.")
    var tolerance: Double = 1e-4

    @Option(name: .customLong("max-iterations"), help: "Price updates at most.")
    var maxIterations: Int = 100

    @Option(name: .customLong("time-limit"), help: "Wall-clock limit in seconds (the final selection included).")
    var timeLimit: Double?

    @Option(help: "Threads that run agents (default: the machine's cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Output directory for schedule.csv, summary.json and convergence.csv.")
    var out: String = "."

    func validate() throws {
        guard (community == nil) != (agentsDir == nil) else { throw ValidationError("give exactly one of --community and --agents-dir") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let parsed = try ClearCommand.readCommunity(file: community, agentsDir: agentsDir)
        var options = ClearingOptions()
        options.tolerance = tolerance
        options.maxIterations = maxIterations
        options.timeLimit = timeLimit
        options.workers = workers
        let line = ProgressLine()
        if line.enabled {
            options.progress = { s in
                line.show(String(format: "clearing %@: iteration %d, residual %.3g kW, gap %.2e, %.1f s",
                                 parsed.name, s.iteration, s.primalResidual, s.gap, s.seconds))
            }
        }
        let result = try DecentralizedClearing(community: parsed, options: options).run()
        line.finish()
        var files = [("summary.json", ClearingReport.summary(parsed, result).serialized() + "\n"),
                     ("convergence.csv", ClearingReport.convergence(result))]
        if result.schedule.status.hasSolution { files.insert(("schedule.csv", ScheduleReport.csv(parsed, result.schedule)), at: 0) }
        do { try OutputFiles.writeAll(files.map { (name: $0.0, text: $0.1) }, into: out) }
        catch { throw CLIFailure("cannot write to \(out): \(error.localizedDescription)") }
        print(ClearingReport.text(parsed, result))
        print("wrote     " + files.map { "\(out)/\($0.0)" }.joined(separator: ", "))
        let code = Backends.exitCode(result.schedule.status)
        if code != .success { throw ExitCode(code.rawValue) }
    }

    /// The community from one file, or from a directory of per-prosumer files.
    static func readCommunity(file: String?, agentsDir: String?) throws -> Community {
        do {
            if let file { return try CommunityFile.read(file) }
            return try CommunityFile.read(agentsDirectory: agentsDir ?? ".")
        } catch let e as CommunityFileError { throw CLIFailure(e.description) }
    }
}
