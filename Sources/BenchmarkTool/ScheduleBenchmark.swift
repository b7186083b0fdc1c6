import DataIO
import ArgumentParser
import CbcSolver
import CommandLineExit
import Foundation
import GLPKSolver
import LinearProgramming
import Optimize
import Reports

/// Communities made by `Benchmarks/tools/community.py make` at N = 10, 50, 200 (T = 96, 15-minute periods):
/// PeerGrid's build, hand-over and solve per solver, beside PuLP's build + MPS write + its cbc binary on the
/// same instance in the same run (when `Benchmarks/.venv` has PuLP: `make bench-setup`).
struct ScheduleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Community schedule: build, hand-over and solve at N = 10, 50, 200; PuLP reference beside it.")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Community sizes (prosumers).")
    var sizes: [Int] = [10, 50, 200]

    @Option(help: "Solver threads (CBC).")
    var threads = 2

    @Option(help: "Python with PuLP for the reference run.")
    var python = "Benchmarks/.venv/bin/python"

    struct Row {
        var n: Int, solver: String, variables: Int, integers: Int, constraints: Int, nonzeros: Int
        var build: Timing, handover: Timing, solve: Double, status: String, cost: Double?, gap: Double?
    }

    struct Reference { var build: Double, write: Double, solve: Double?, status: String?, objective: Double? }

    func run() throws {
        common.prepare()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [Row] = []
        var references: [Int: Reference] = [:]
        let pulpAvailable = FileManager.default.isExecutableFile(atPath: python)
        if !pulpAvailable { print("no \(python): the PuLP reference is skipped (run `make bench-setup`)") }
        for n in sizes {
            let file = dir.appendingPathComponent("community-\(n).json").path
            try Shell.makeCommunity(n: n, periods: 96, periodMinutes: 15, out: file)
            let community = try CommunityFile.read(file)
            for (name, solver) in SolverBackend.allCases.map({ ($0.rawValue, $0.make()) }) {
                var builds: [Double] = [], handovers: [Double] = []
                var model = Model()
                for _ in 0..<common.repeats {
                    let scheduler = CommunityScheduler(solver: solver)
                    let built = scheduler.model(for: community)
                    model = built.model
                    builds.append(built.buildSeconds)
                    handovers.append(name == "cbc" ? try CbcSolver.handOver(model) : try GLPKSolver.handOver(model))
                }
                var options = SolverOptions(timeLimit: common.timeLimit, relativeGap: 1e-4, threads: threads)
                options.verbose = false
                let result = try CommunityScheduler(solver: solver, options: options, standalone: false).schedule(community)
                let row = Row(
                    n: n, solver: name, variables: model.variableCount, integers: model.integerCount,
                    constraints: model.constraintCount, nonzeros: model.nonZeroCount,
                    build: Timing(samples: builds), handover: Timing(samples: handovers),
                    solve: result.solveSeconds, status: result.status.rawValue, cost: result.objective, gap: result.gap)
                print(
                    "N=\(n) \(name): build \(row.build.formatted(4)) s, hand-over \(row.handover.formatted(4)) s, solve \(String(format: "%.2f", row.solve)) s, \(row.status), gap \(row.gap.map { String(format: "%.2e", $0) } ?? "-")\(result.message.isEmpty ? "" : " (\(result.message))")"
                )
                rows.append(row)
            }
            if pulpAvailable {
                let out = try Shell.run([python, "Benchmarks/pulp_schedule.py", file, "--solve", "--time-limit", "\(Int(common.timeLimit))"])
                if let data = out.data(using: .utf8), let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                    let r = Reference(
                        build: o["build_seconds"] as? Double ?? .nan, write: o["write_seconds"] as? Double ?? .nan,
                        solve: o["solve_seconds"] as? Double, status: o["status"] as? String, objective: o["objective"] as? Double)
                    references[n] = r
                    print(
                        "N=\(n) PuLP: build \(String(format: "%.3f", r.build)) s, write \(String(format: "%.3f", r.write)) s, cbc binary \(r.solve.map { String(format: "%.2f", $0) } ?? "-") s, \(r.status ?? "-")"
                    )
                }
            }
        }
        try write(rows, references)
    }

    func write(_ rows: [Row], _ refs: [Int: Reference]) throws {
        var md = """
            # Community schedule benchmark

            Generated by `make bench` (`.build/release/benchmark schedule`) on \(MachineInfo.describe()).
            Instances: `Benchmarks/tools/community.py make --n N --periods 96 --period-minutes 15 --seed 1` on the
            bundled datasets. Build and hand-over: median [min, max] of \(common.repeats) runs; solve: one run to the
            default gap 1e-4 with a \(Int(common.timeLimit)) s limit, \(threads) CBC thread(s) (GLPK is single-threaded).

            | N | solver | vars | ints | rows | nnz | build s | hand-over s | solve s | status | cost | gap |
            |---|---|---|---|---|---|---|---|---|---|---|---|

            """
        for r in rows {
            md += "| \(r.n) | \(r.solver) | \(r.variables) | \(r.integers) | \(r.constraints) | \(r.nonzeros) | \(r.build.formatted(4)) | "
            md +=
                "\(r.handover.formatted(4)) | \(String(format: "%.2f", r.solve)) | \(r.status) | \(r.cost.map { String(format: "%.4f", $0) } ?? "-") | \(r.gap.map { String(format: "%.1e", $0) } ?? "-") |\n"
        }
        if !refs.isEmpty {
            md += """

                ## PuLP reference (same instance, same formulation, same run)

                `Benchmarks/pulp_schedule.py`: PuLP builds the model, writes MPS (how PuLP hands a model to CBC) and runs
                its bundled cbc binary. *ratio* = (PuLP build + write) / (PeerGrid build + hand-over to CBC), medians.

                | N | PuLP build s | PuLP MPS write s | PeerGrid build + hand-over s | ratio | PuLP cbc binary s | PuLP status | PuLP objective |
                |---|---|---|---|---|---|---|---|

                """
            for (n, r) in refs.sorted(by: { $0.key < $1.key }) {
                guard let ours = rows.first(where: { $0.n == n && $0.solver == "cbc" }) else { continue }
                let mine = ours.build.median + ours.handover.median
                md += "| \(n) | \(String(format: "%.3f", r.build)) | \(String(format: "%.3f", r.write)) | \(String(format: "%.4f", mine)) | "
                md +=
                    "\(String(format: "%.0fx", (r.build + r.write) / mine)) | \(r.solve.map { String(format: "%.2f", $0) } ?? "-") | \(r.status ?? "-") | \(r.objective.map { String(format: "%.4f", $0) } ?? "-") |\n"
            }
        }
        let json: JSON = .object([
            ("machine", .string(MachineInfo.describe())),
            ("time_limit", .number(common.timeLimit)),
            (
                "runs",
                .array(
                    rows.map { r in
                        .object([
                            ("n", .integer(r.n)), ("solver", .string(r.solver)), ("variables", .integer(r.variables)),
                            ("integer_variables", .integer(r.integers)), ("constraints", .integer(r.constraints)),
                            ("nonzeros", .integer(r.nonzeros)), ("build_seconds", timingJSON(r.build)),
                            ("handover_seconds", timingJSON(r.handover)), ("solve_seconds", .number(r.solve)),
                            ("status", .string(r.status)), ("cost", .number(r.cost)), ("gap", .number(r.gap))
                        ])
                    })
            ),
            (
                "pulp",
                .array(
                    refs.sorted(by: { $0.key < $1.key }).map { n, r in
                        .object([
                            ("n", .integer(n)), ("build_seconds", .number(r.build)), ("write_seconds", .number(r.write)),
                            ("solve_seconds", .number(r.solve)), ("status", r.status.map { .string($0) } ?? .null),
                            ("objective", .number(r.objective))
                        ])
                    })
            )
        ])
        let sizes = Array(Set(rows.map(\.n))).sorted()
        let chart = SVGChart.line(
            title: "Schedule solve time against community size (T = 96)", xLabels: sizes.map { "N = \($0)" },
            series: ["cbc", "glpk"].map { s in ChartSeries(s, sizes.map { n in rows.first { $0.n == n && $0.solver == s }?.solve ?? .nan }) },
            yLabel: "solve s (log)", logScale: true)
        md += "\n![Solve time against community size](schedule-solve-time.svg)\n\nSolve times at the time limit are runs stopped there (see *status*).\n"
        try OutputFiles.writeAll([("schedule.md", md), ("schedule.json", json.serialized() + "\n"), ("schedule-solve-time.svg", chart)], into: common.out)
        print("wrote \(common.out)/schedule.md and schedule.json")
    }
}

/// Runs a helper program and returns its standard output; a failure names the command.
enum Shell {
    /// A community of `n` prosumers from `Benchmarks/tools/community.py make` on the bundled datasets, seed 1.
    static func makeCommunity(n: Int, periods: Int, periodMinutes: Int, out: String) throws {
        try run([
            "python3", "Benchmarks/tools/community.py", "make",
            "--data-load", "Datasets/taylor_england_wales_halfhourly_2000.csv:demand_mw",
            "--data-solar", "Datasets/tmy3_greensboro_nc_hourly.csv",
            "--n", "\(n)", "--periods", "\(periods)", "--period-minutes", "\(periodMinutes)", "--seed", "1", "--out", out
        ])
    }

    @discardableResult
    static func run(_ arguments: [String], allowedExitCodes: Set<Int32> = [0]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard allowedExitCodes.contains(p.terminationStatus) else {
            // The benchmark exits as the command it ran did (70 when that is not one of PeerGrid's codes).
            throw CLIFailure(
                "\(arguments.joined(separator: " ")) failed (exit \(p.terminationStatus)): \(String(decoding: errors, as: UTF8.self))",
                code: ExitStatus(rawValue: p.terminationStatus) ?? .internalError)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
