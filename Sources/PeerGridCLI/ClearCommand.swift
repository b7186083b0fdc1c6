import Agents
import ArgumentParser
import CommandLineExit
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
    var maxIterations: Int = ClearingOptions().maxIterations

    @Option(name: .customLong("time-limit"), help: "Wall-clock limit in seconds (the final selection included).")
    var timeLimit: Double?

    @Option(help: "Threads that run agents (default: the machine's cores; under MPI, the cores divided among this node's ranks).")
    var workers: Int?

    @Option(
        name: .customLong("master-blocks"),
        help: "Blocks of agents in the master LP, each mixing its members' plans with one weight (default: one per agent up to 2,000 agents, else 250).")
    var masterBlocks: Int?

    @Option(help: "Output directory for schedule.csv, summary.json and convergence.csv.")
    var out: String = "."

    func validate() throws {
        guard (community == nil) != (agentsDir == nil) else { throw ValidationError("give exactly one of --community and --agents-dir") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let masterBlocks, masterBlocks < 1 { throw ValidationError("--master-blocks must be at least 1") }
        var options = ClearingOptions()
        (options.tolerance, options.maxIterations, options.timeLimit) = (tolerance, maxIterations, timeLimit)
        try options.validate()  // before the community is read
    }

    func run() throws {
        if MPIWorld.launched {
            let (rank, ranks) = try MPIWorld.start()
            if ranks > 1 { return try runOverMPI(rank: rank, ranks: ranks) }
            MPIWorld.finish()
        }
        let parsed = try ClearCommand.readCommunity(file: community, agentsDir: agentsDir)
        let result = try inContext(community ?? agentsDir ?? "") { try DecentralizedClearing(community: parsed, options: clearingOptions(parsed)).run() }
        try finish(parsed, result)
    }

    func clearingOptions(_ parsed: Community) -> ClearingOptions {
        var options = ClearingOptions()
        options.tolerance = tolerance
        options.maxIterations = maxIterations
        options.timeLimit = timeLimit
        options.masterBlocks = masterBlocks
        let cores = ProcessInfo.processInfo.activeProcessorCount
        options.workers = workers ?? max(1, cores / (MPIWorld.ranksOnThisNode ?? 1))
        let line = ProgressLine()
        if line.enabled {
            options.progress = { s in
                line.show(
                    String(
                        format: "clearing %@: iteration %d, residual %.3g kW, gap %.2e, %.1f s",
                        parsed.name, s.iteration, s.primalResidual, s.gap, s.seconds))
            }
        }
        return options
    }

    /// Writes and prints the result; throws the exit code when there is no schedule.
    func finish(_ parsed: Community, _ result: ClearingResult) throws {
        ProgressLine().finish()
        var files = [
            ("summary.json", ClearingReport.summary(parsed, result).serialized() + "\n"),
            ("convergence.csv", ClearingReport.convergence(result))
        ]
        if result.schedule.status.hasSolution { files.insert(("schedule.csv", ScheduleReport.csv(parsed, result.schedule)), at: 0) }
        try writeOutputDirectory(files.map { (name: $0.0, text: $0.1) }, into: out)
        print(ClearingReport.text(parsed, result))
        print("wrote     " + files.map { "\(out)/\($0.0)" }.joined(separator: ", "))
        let code = Backends.exitCode(result.schedule.status)
        if code != .success { throw ExitCode(code.rawValue) }
    }

    /// `mpirun -n K peergrid clear ...` (or `srun`): agent `i` lives on rank `i % K` (``MPIShare``). Rank 0 runs the
    /// coordinator, prints and writes; the other ranks answer its rounds for their agents and print nothing.
    func runOverMPI(rank: Int, ranks: Int) throws {
        defer { MPIWorld.finish() }
        let share = try MPIShare.read(file: community, agentsDirectory: agentsDir, rank: rank, ranks: ranks)
        guard let share else { return }
        var options = clearingOptions(share.community)
        if rank != 0 { options.progress = nil }
        guard let result = try DecentralizedClearing(community: share.community, options: options).runMPI(rank: rank, share: share)
        else { return }
        try finish(share.community, result)
    }

    /// The community from one file, or from a directory of per-prosumer files.
    static func readCommunity(file: String?, agentsDir: String?) throws -> Community {
        if let file { return try CommunityFile.read(file) }
        return try CommunityFile.read(agentsDirectory: agentsDir ?? ".")
    }
}
