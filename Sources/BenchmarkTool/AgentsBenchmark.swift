import Agents
import ArgumentParser
import CbcSolver
import DataIO
import Foundation
import LinearProgramming
import Optimize
import Reports

/// Decentralized clearing (`peergrid clear`) against the central MILP on the schedule benchmark's instances
/// (`Benchmarks/tools/community.py make --n N --periods 96 --seed 1`): time, iterations, objective, bound, gap to
/// the central answer and to its own bound, and the process's peak memory so far.
struct AgentsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "Decentralized clearing against the central MILP at N = 10, 50, 200, 1000, 10000 (T = 96).")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Community sizes (prosumers).")
    var sizes: [Int] = [10, 50, 200, 1000, 10000]

    @Option(help: "Relative gap at which the clearing stops (below --large-from prosumers).")
    var tolerance: Double = 1e-4

    @Option(name: .customLong("large-tolerance"), help: "Relative gap at which the clearing stops from --large-from prosumers on.")
    var largeTolerance: Double = 1e-2

    @Option(name: .customLong("large-from"), help: "Community size from which --large-tolerance applies.")
    var largeFrom: Int = 5000

    @Option(name: .customLong("central-time-limit"), help: "Time limit of the central MILP (CBC, 2 threads), seconds.")
    var centralTimeLimit: Double = 150

    @Option(
        name: .customLong("central-up-to"),
        help: "Largest N for which the central MILP runs too (N = 1000: about 80 s and 1 GB since the large-model path of 2026-12-05).")
    var centralUpTo: Int = 1000

    @Option(name: .customLong("agents-time-limit"), help: "Time limit of the decentralized clearing, seconds.")
    var agentsTimeLimit: Double = 600

    @Option(name: .customLong("mpi-ranks"), help: "Also run `mpirun -n K peergrid clear` (the peergrid next to this benchmark); 0 skips it.")
    var mpiRanks: Int = 2

    @Option(name: .customLong("mpi-up-to"), help: "Largest N run over MPI.")
    var mpiUpTo: Int = 10000

    func tolerance(_ n: Int) -> Double { n >= largeFrom ? largeTolerance : tolerance }

    struct Row {
        var n: Int
        var centralSeconds: Double, centralStatus: String, centralCost: Double?, centralBound: Double?
        var seconds: Double, status: String, cost: Double?, bound: Double?, gap: Double?, iterations: Int, converged: Bool
        var peakMiB: Double
        var log: [ClearingIteration]
        var phases: [(phase: String, seconds: Double)]
        var mpi: MPIRun?
    }

    /// `mpirun -n K peergrid clear` on the same file: wall time (MPI start-up included), cost, bound, and the largest
    /// resident set of one rank.
    struct MPIRun {
        var seconds: Double, status: String, cost: Double?, bound: Double?, peakMiB: Double
    }

    func runMPI(_ file: String, _ out: String, tolerance: Double) throws -> MPIRun {
        let peergrid = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("peergrid").path
        var launcher = ["mpirun", "-n", String(mpiRanks), "--oversubscribe"]
        if getuid() == 0 { launcher.append("--allow-run-as-root") }
        let clock = Stopwatch()
        // Each rank under /usr/bin/time, which prints the rank's peak resident set (a child's own getrusage figure
        // would include this process's: Linux keeps the high-water mark across fork and exec).
        let log = out + ".peak"
        try Shell.run(
            launcher + [
                "/usr/bin/time", "-a", "-o", log, "-f", "%M", peergrid, "clear", "--community", file,
                "--time-limit", String(agentsTimeLimit), "--tolerance", String(tolerance), "--out", out
            ], allowedExitCodes: [0, 4])
        let seconds = clock.seconds
        let peakKiB = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").compactMap { Double($0) }.max() ?? .nan
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any] ?? [:]
        return MPIRun(
            seconds: seconds, status: summary["status"] as? String ?? "?", cost: summary["objective"] as? Double,
            bound: summary["best_bound"] as? Double, peakMiB: peakKiB / 1024)
    }

    func run() throws {
        common.prepare()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-agents-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [Row] = []
        for n in sizes.sorted() {
            let file = dir.appendingPathComponent("community-\(n).json").path
            try Shell.makeCommunity(n: n, periods: 96, periodMinutes: 15, out: file)
            let community = try CommunityFile.read(file)
            var central = ScheduleResult(status: .error, solver: "cbc")
            central.message = "not run (N above --central-up-to)"
            if n <= centralUpTo {
                central = try CommunityScheduler(
                    solver: CbcSolver(), options: SolverOptions(timeLimit: centralTimeLimit, relativeGap: 1e-4, threads: 2),
                    standalone: false
                ).schedule(community)
            }
            var options = ClearingOptions()
            options.timeLimit = agentsTimeLimit
            options.tolerance = tolerance(n)
            options.workers = 2
            let clock = Stopwatch()
            let r = try DecentralizedClearing(community: community, options: options).run()
            let seconds = clock.seconds
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            let mpi = mpiRanks > 1 && n <= mpiUpTo ? try runMPI(file, dir.appendingPathComponent("mpi-\(n)").path, tolerance: tolerance(n)) : nil
            let row = Row(
                n: n, centralSeconds: n <= centralUpTo ? central.solveSeconds + central.buildSeconds : .nan,
                centralStatus: n <= centralUpTo ? central.status.rawValue : "not run",
                centralCost: central.objective, centralBound: central.bestBound, seconds: seconds,
                status: r.schedule.status.rawValue, cost: r.schedule.objective, bound: r.schedule.bestBound, gap: r.schedule.gap,
                iterations: r.iterations.count, converged: r.converged, peakMiB: Double(usage.ru_maxrss) / 1024, log: r.iterations,
                phases: r.phaseSeconds, mpi: mpi)
            print(
                "N=\(n): central \(row.centralSeconds.isFinite ? String(format: "%.1f", row.centralSeconds) : "-") s \(row.centralStatus) \(f(row.centralCost)); agents \(String(format: "%.1f", seconds)) s \(row.status) \(f(row.cost)) bound \(f(row.bound)) gap \(row.gap.map { String(format: "%.2e", $0) } ?? "-"), \(row.iterations) iterations, peak \(String(format: "%.0f", row.peakMiB)) MiB"
            )
            if let m = mpi {
                print(
                    "N=\(n): MPI \(mpiRanks) ranks \(String(format: "%.1f", m.seconds)) s \(m.status) \(f(m.cost)) bound \(f(m.bound)), peak rank \(String(format: "%.0f", m.peakMiB)) MiB"
                )
            }
            rows.append(row)
        }
        try write(rows)
    }

    func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "-" }

    func write(_ rows: [Row]) throws {
        var md = """
            # Decentralized clearing benchmark

            Generated by `.build/release/benchmark agents` on \(MachineInfo.describe()).
            Instances: the schedule benchmark's (`Benchmarks/tools/community.py make --n N --periods 96 --period-minutes 15 --seed 1`).
            Central: the MILP through CBC (2 threads, gap 1e-4, \(Int(centralTimeLimit)) s limit). Agents: `peergrid clear`'s
            algorithm in process, 2 worker threads, \(Int(agentsTimeLimit)) s limit, stopping at gap \(tolerance) (from N = \(largeFrom): \(largeTolerance)). *vs central* = (agents - central) / central
            cost; *vs central bound* = (agents - central bound) / central bound, the most the agents' cost can be above the
            optimum by the central solver's proof; *gap* = the clearing's certified gap to its own Lagrangian bound. Phases:
            opening rounds / price iterations / certificate round / repair, seconds. Peak memory is the benchmark process's
            (sizes run in increasing order, so each row's peak includes the smaller runs).

            | N | central s | central status | central cost | agents s | status | agents cost | vs central | vs central bound | bound | gap | iterations | phases s | peak MiB |
            |---|---|---|---|---|---|---|---|---|---|---|---|---|---|

            """
        for r in rows {
            let versus = (r.cost != nil && r.centralCost != nil) ? String(format: "%+.3f %%", 100 * (r.cost! - r.centralCost!) / abs(r.centralCost!)) : "-"
            md +=
                "| \(r.n) | \(r.centralSeconds.isFinite ? String(format: "%.1f", r.centralSeconds) : "-") | \(r.centralStatus) | \(f(r.centralCost)) | \(String(format: "%.1f", r.seconds)) | "
            let versusBound =
                (r.cost != nil && r.centralBound != nil) ? String(format: "%+.3f %%", 100 * (r.cost! - r.centralBound!) / abs(r.centralBound!)) : "-"
            let phases = r.phases.map { String(format: "%.1f", $0.seconds) }.joined(separator: " / ")
            md +=
                "\(r.status) | \(f(r.cost)) | \(versus) | \(versusBound) | \(f(r.bound)) | \(r.gap.map { String(format: "%.2e", $0) } ?? "-") | \(r.iterations) | \(phases) | \(String(format: "%.0f", r.peakMiB)) |\n"
        }
        let mpiRows = rows.filter { $0.mpi != nil }
        if !mpiRows.isEmpty {
            md += """

                **MPI.** `mpirun -n \(mpiRanks) peergrid clear --community FILE` on the same instances (agent i on rank i % \(mpiRanks), each
                rank with 2 / \(mpiRanks) of the cores; wall time includes MPI's start-up, about 2 s here). *same* = cost and bound
                equal to the in-process run's within 1e-9 relative. *peak rank* = the largest resident set of one rank (`/usr/bin/time`).

                | N | in process s | MPI s | MPI status | MPI cost | MPI bound | same | peak rank MiB |
                |---|---|---|---|---|---|---|---|

                """
            for r in mpiRows {
                let m = r.mpi!
                func close(_ a: Double?, _ b: Double?) -> Bool {
                    guard let a, let b else { return a == nil && b == nil }
                    return abs(a - b) <= 1e-9 * max(1, abs(a))
                }
                let same = close(r.cost, m.cost) && close(r.bound, m.bound) ? "yes" : "no"
                md +=
                    "| \(r.n) | \(String(format: "%.1f", r.seconds)) | \(String(format: "%.1f", m.seconds)) | \(m.status) | \(f(m.cost)) | \(f(m.bound)) | \(same) | \(String(format: "%.0f", m.peakMiB)) |\n"
            }
        }
        var files: [(name: String, text: String)] = []
        let sizes = rows.map(\.n)
        files.append(
            (
                "agents-scaling.svg",
                SVGChart.line(
                    title: "Time to a schedule against community size (T = 96)", xLabels: sizes.map { "N = \($0)" },
                    series: [ChartSeries("central MILP", rows.map(\.centralSeconds)), ChartSeries("agents", rows.map(\.seconds))]
                        + (mpiRows.isEmpty ? [] : [ChartSeries("agents, MPI \(mpiRanks) ranks", rows.map { $0.mpi?.seconds ?? .nan })]),
                    yLabel: "seconds (log)", logScale: true)
            ))
        if let r = rows.last(where: { $0.n <= 200 && $0.log.count >= 2 }) ?? rows.first(where: { $0.log.count >= 2 }) {
            files.append(
                (
                    "agents-convergence.svg",
                    SVGChart.line(
                        title: "Clearing at N = \(r.n): master value and bound per iteration",
                        xLabels: r.log.map { String($0.iteration) },
                        series: [ChartSeries("master value", r.log.map(\.objective)), ChartSeries("Lagrangian value of the quick answers", r.log.map(\.bound))],
                        yLabel: "currency")
                ))
            md += "\n![Convergence](agents-convergence.svg)\n"
        }
        md += "\n![Scaling](agents-scaling.svg)\n"
        let json = summary(rows)
        files.append(("agents.md", md))
        files.append(("agents.json", json.serialized() + "\n"))
        try OutputFiles.writeAll(files, into: common.out)
        print("wrote \(common.out)/agents.md")
    }

    /// The JSON twin of the Markdown report.
    func summary(_ rows: [Row]) -> JSON {
        .object([
            ("machine", .string(MachineInfo.describe())),
            (
                "runs",
                .array(
                    rows.map { r in
                        .object([
                            ("n", .integer(r.n)), ("central_seconds", .number(r.centralSeconds.isFinite ? r.centralSeconds : nil)),
                            ("central_status", .string(r.centralStatus)),
                            ("central_cost", .number(r.centralCost)), ("central_bound", .number(r.centralBound)), ("agents_seconds", .number(r.seconds)),
                            ("status", .string(r.status)),
                            ("cost", .number(r.cost)), ("bound", .number(r.bound)), ("gap", .number(r.gap)), ("iterations", .integer(r.iterations)),
                            ("converged", .bool(r.converged)), ("peak_mib", .number(r.peakMiB)),
                            ("phase_seconds", .object(r.phases.map { ($0.phase, .number($0.seconds)) })),
                            (
                                "mpi",
                                r.mpi.map { m in
                                    .object([
                                        ("ranks", .integer(mpiRanks)), ("seconds", .number(m.seconds)), ("status", .string(m.status)),
                                        ("cost", .number(m.cost)), ("bound", .number(m.bound)), ("peak_mib", .number(m.peakMiB))
                                    ])
                                } ?? .null
                            )
                        ])
                    })
            )
        ])
    }
}
