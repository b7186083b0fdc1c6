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

    @Option(help: "Threads that run agents (default: the machine's cores; under MPI, the cores divided among this node's ranks).")
    var workers: Int?

    @Option(help: "Output directory for schedule.csv, summary.json and convergence.csv.")
    var out: String = "."

    func validate() throws {
        guard (community == nil) != (agentsDir == nil) else { throw ValidationError("give exactly one of --community and --agents-dir") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        if MPIWorld.launched {
            let (rank, ranks) = try MPIWorld.start()
            if ranks > 1 { return try runOverMPI(rank: rank, ranks: ranks) }
            MPIWorld.finish()
        }
        let parsed = try ClearCommand.readCommunity(file: community, agentsDir: agentsDir)
        let result = try DecentralizedClearing(community: parsed, options: clearingOptions(parsed)).run()
        try finish(parsed, result)
    }

    func clearingOptions(_ parsed: Community) -> ClearingOptions {
        var options = ClearingOptions()
        options.tolerance = tolerance
        options.maxIterations = maxIterations
        options.timeLimit = timeLimit
        let cores = ProcessInfo.processInfo.activeProcessorCount
        options.workers = workers ?? max(1, cores / (MPIWorld.ranksOnThisNode ?? 1))
        let line = ProgressLine()
        if line.enabled {
            options.progress = { s in
                line.show(String(format: "clearing %@: iteration %d, residual %.3g kW, gap %.2e, %.1f s",
                                 parsed.name, s.iteration, s.primalResidual, s.gap, s.seconds))
            }
        }
        return options
    }

    /// Writes and prints the result; throws the exit code when there is no schedule.
    func finish(_ parsed: Community, _ result: ClearingResult) throws {
        ProgressLine().finish()
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

    /// `mpirun -n K peergrid clear ...` (or `srun`): agent `i` lives on rank `i % K`. With `--agents-dir` each rank
    /// opens only its own prosumer files and sends their bytes to rank 0, which writes the schedule (whose rows list
    /// every prosumer's load and PV, as the spec's schedule.csv does); with `--community` every rank reads the one
    /// file. A file that a rank cannot read ends every rank, and rank 0 says which file (exit 2). Rank 0 runs the
    /// coordinator, prints and writes; the other ranks answer its rounds for their agents and print nothing.
    func runOverMPI(rank: Int, ranks: Int) throws {
        defer { MPIWorld.finish() }
        let mine: (Int) -> Bool = { $0 % ranks == rank }
        // Each rank's report to rank 0: a status byte, then the error message or its prosumer files.
        var report: [UInt8] = [0]
        var local: (community: Community, owned: [Int], count: Int, files: [String])?
        do {
            if let community {
                let c = try ClearCommand.readCommunity(file: community, agentsDir: nil)
                local = (c, c.prosumers.indices.filter(mine), c.prosumers.count, [])
            } else {
                let (header, files, prosumers) = try CommunityFile.readAgents(directory: agentsDir ?? ".", owned: mine)
                var c = header
                c.prosumers = prosumers.compactMap { $0 }
                let owned = files.indices.filter(mine)
                local = (c, owned, files.count, files)
                for i in owned where rank != 0 {
                    let bytes = [UInt8](FileManager.default.contents(atPath: files[i]) ?? Data())
                    report += withUnsafeBytes(of: UInt32(i).littleEndian, Array.init) + withUnsafeBytes(of: UInt32(bytes.count).littleEndian, Array.init) + bytes
                }
            }
        } catch {
            report = [1] + Array(ClearCommand.describe(error).utf8)
        }
        let reports = try MPIWorld.gather(report)
        // Rank 0 decides for everyone: go (1) or stop (0).
        var full: Community?
        var failure: String?
        if rank == 0 {
            for (r, bytes) in reports.enumerated() where bytes.first == 1 {
                failure = failure ?? String(decoding: bytes.dropFirst(), as: UTF8.self) + (r == 0 ? "" : " (MPI rank \(r))")
            }
            if failure == nil, let local {
                do { full = try ClearCommand.assemble(local.community, local.files, reports) }
                catch { failure = ClearCommand.describe(error) }
            }
        }
        var go = [failure == nil ? 1.0 : 0.0]
        try MPIWorld.broadcastDecision(&go)
        guard go[0] == 1, let local else {
            if let failure { throw CLIFailure(failure) }
            return
        }
        var mineOnly = local.community
        mineOnly.prosumers = local.community.prosumers.enumerated().filter { local.files.isEmpty ? mine($0.offset) : true }.map(\.element)
        let whole = full ?? local.community
        var options = clearingOptions(whole)
        if rank != 0 { options.progress = nil }
        let clearing = DecentralizedClearing(community: whole, options: options)
        guard let result = try clearing.runMPI(rank: rank, ranks: ranks, localProsumers: mineOnly.prosumers,
                                                owned: local.owned, count: local.count) else { return }
        try finish(whole, result)
    }

    static func describe(_ error: Error) -> String {
        (error as? CLIFailure)?.message ?? String(describing: error)
    }

    /// Rank 0's whole community: its own prosumers and those whose files the other ranks sent, in file order.
    static func assemble(_ header: Community, _ files: [String], _ reports: [[UInt8]]) throws -> Community {
        guard !files.isEmpty else { return header }   // --community: rank 0 read the whole file
        var prosumers = [Prosumer?](repeating: nil, count: files.count)
        var own = header.prosumers.makeIterator()
        for i in files.indices where i % reports.count == 0 { prosumers[i] = own.next() }
        for bytes in reports.dropFirst() {
            var k = 1
            func u32() -> Int {
                let v = bytes[k..<(k + 4)].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
                k += 4
                return v
            }
            while k < bytes.count {
                let i = u32(), n = u32()
                prosumers[i] = try CommunityFile.agent(Data(bytes[k..<(k + n)]), file: files[i], header: header)
                k += n
            }
        }
        try CommunityFile.checkUniqueIds(prosumers, files: files)
        var c = header
        c.prosumers = prosumers.compactMap { $0 }
        return c
    }

    /// The community from one file, or from a directory of per-prosumer files.
    static func readCommunity(file: String?, agentsDir: String?) throws -> Community {
        do {
            if let file { return try CommunityFile.read(file) }
            return try CommunityFile.read(agentsDirectory: agentsDir ?? ".")
        } catch let e as CommunityFileError { throw CLIFailure(e.description) }
    }
}
