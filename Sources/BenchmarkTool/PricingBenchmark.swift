import DataIO
import ArgumentParser
import CbcSolver
import Foundation
import GLPKSolver
import LinearProgramming
import Optimize
import Reports

/// Stackelberg pricing (spec/pricing.md) at N = 2, 5, 10, 20 prosumers, T = 24, both modes, both solvers.
struct PricingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pricing",
        abstract: "Storage pricing: MILP size, times, status, gap, big-Ms and the check at N = 2, 5, 10, 20 (T = 24).")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Community sizes (prosumers).")
    var sizes: [Int] = [2, 5, 10, 20]

    @Option(help: "Python with highspy (make bench-setup): HiGHS re-solves the uniform MILPs that CBC leaves open.")
    var python = "Benchmarks/.venv/bin/python"

    /// HiGHS on the exported MILP of a uniform CBC run that stopped at the limit (Benchmarks/highs_pricing.py).
    struct Reference { var n: Int; var status: String; var incumbent: Double?; var bound: Double?; var gap: Double?; var seconds: Double }

    struct Row {
        var n: Int, mode: String, solver: String
        var variables: Int, integers: Int, constraints: Int
        var build: Double, solve: Double, check: Double
        var status: String, profit: Double?, gap: Double?, checkPassed: Bool?, bigM: PricingBigM?, widenings: Int
        var classes: String
        var bound: Double?
    }

    func run() throws {
        common.prepare()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-pricing-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [Row] = []
        var references: [Reference] = []
        let haveHiGHS = FileManager.default.isExecutableFile(atPath: python) && (try? Shell.run([python, "-c", "import highspy"])) != nil
        if !haveHiGHS { print("no highspy in \(python): the HiGHS reference is skipped (run `make bench-setup`)") }
        for n in sizes {
            let file = dir.appendingPathComponent("community-\(n).json").path
            try Shell.makeCommunity(n: n, periods: 24, periodMinutes: 60, out: file)
            var community = try CommunityFile.read(file)
            community.pricing = PricingSettings(
                mode: .uniform, maxChargePrice: 0.2, maxDischargePrice: 0.2,
                operatorCostPerKWh: 0.005, partitions: nil)
            for mode in [PricingSettings.Mode.uniform, .personalized] {
                let problem = try PricingProblem(community: community, mode: mode)
                for (name, solver) in SolverBackend.allCases.map({ ($0.rawValue, $0.make()) }) {
                    let options = SolverOptions(timeLimit: common.timeLimit, relativeGap: 1e-4, threads: 1)
                    var pricer = StackelbergPricer(solver: solver, options: options)
                    let export = dir.appendingPathComponent("pricing-\(n)-\(mode.rawValue)-\(name).mps").path
                    if mode == .uniform && name == "cbc" { pricer.willSolve = { model, _ in try MPS.write(model, to: export) } }
                    let r = try pricer.price(problem)
                    if mode == .uniform && name == "cbc" && r.status != .optimal && haveHiGHS {
                        print("N=\(n) uniform: HiGHS on the same MILP...")
                        // A failing reference is reported and left out; it does not stop the benchmark.
                        let text = (try? Shell.run([python, "Benchmarks/highs_pricing.py", export, "--time-limit", String(common.timeLimit)])) ?? ""
                        if text.isEmpty { print("  HiGHS failed on \(export); left out") }
                        if let line = text.split(separator: "\n").last, let data = line.data(using: .utf8),
                            let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
                        {
                            references.append(
                                Reference(
                                    n: n, status: o["status"] as? String ?? "?", incumbent: o["incumbent"] as? Double,
                                    bound: o["bound"] as? Double, gap: o["gap"] as? Double, seconds: o["seconds"] as? Double ?? .nan))
                        }
                    }
                    let classes = r.notes.first { $0.contains("classes") }.map { String($0.split(separator: ";")[0]) } ?? ""
                    let row = Row(
                        n: n, mode: mode.rawValue, solver: name, variables: r.variables, integers: r.integerVariables,
                        constraints: r.constraints, build: r.buildSeconds, solve: r.solveSeconds, check: r.checkSeconds,
                        status: r.status.rawValue, profit: r.profit, gap: r.gap, checkPassed: r.check?.passed,
                        bigM: r.bigM, widenings: r.widenings, classes: classes, bound: r.bestBound)
                    print(
                        "N=\(n) \(mode.rawValue) \(name): \(row.status), profit \(row.profit.map { String(format: "%.4f", $0) } ?? "-"), gap \(row.gap.map { String(format: "%.1e", $0) } ?? "-"), solve \(String(format: "%.2f", row.solve)) s, check \(row.checkPassed.map { $0 ? "passed" : "FAILED" } ?? "-")"
                    )
                    rows.append(row)
                }
            }
        }
        try write(rows, references)
    }

    func write(_ rows: [Row], _ references: [Reference]) throws {
        func f(_ x: Double?, _ format: String) -> String { x.map { String(format: format, $0) } ?? "-" }
        var md = """
            # Storage pricing benchmark

            Generated by `make bench` (`.build/release/benchmark pricing`) on \(MachineInfo.describe()).
            Instances: `Benchmarks/tools/community.py make --n N --periods 24 --period-minutes 60 --seed 1` on the bundled
            datasets, with the pricing section of the example (caps 0.2, operator cost 0.005, equal partitions).
            One run each to gap 1e-4 with a \(Int(common.timeLimit)) s limit, one thread. *solve s* includes the
            one- and two-follower solves that give the profit cuts in uniform mode. Big-M: the energy-dual bound,
            the largest multiplier bound and the largest primal bound (all derived from the data; see the README).

            | N | mode | solver | vars | ints | rows | build s | solve s | check s | status | profit | gap | check | big-M (dual / mult / primal) | widened |
            |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|

            """
        for r in rows {
            let m = r.bigM.map { String(format: "%.3g / %.3g / %.3g", $0.storageDual, $0.largestMultiplier, $0.largestPrimal) } ?? "-"
            md +=
                "| \(r.n) | \(r.mode) | \(r.solver) | \(r.variables) | \(r.integers) | \(r.constraints) | \(f(r.build, "%.3f")) | \(f(r.solve, "%.2f")) | \(f(r.check, "%.3f")) | "
            md +=
                "\(r.status) | \(f(r.profit, "%.4f")) | \(f(r.gap, "%.1e")) | \(r.checkPassed.map { $0 ? "passed" : "failed" } ?? "-") | \(m) | \(r.widenings) |\n"
        }
        if !references.isEmpty {
            md += "\nReference: HiGHS (highspy, one thread, gap 1e-4, the same \(Int(common.timeLimit)) s) on the very MILP that CBC solved in "
            md += "each uniform run it left open (`peergrid price --export`, then `Benchmarks/highs_pricing.py`), without PeerGrid's start:\n\n"
            md +=
                "| N | HiGHS status | HiGHS incumbent | HiGHS bound | HiGHS gap | s | PeerGrid (CBC) profit | PeerGrid (CBC) bound |\n|---|---|---|---|---|---|---|---|\n"
            for ref in references {
                let ours = rows.first { $0.n == ref.n && $0.mode == "uniform" && $0.solver == "cbc" }
                md +=
                    "| \(ref.n) | \(ref.status) | \(f(ref.incumbent, "%.4f")) | \(f(ref.bound, "%.4f")) | \(f(ref.gap, "%.1e")) | \(f(ref.seconds, "%.1f")) | \(f(ours?.profit, "%.4f")) | \(f(ours?.bound, "%.4f")) |\n"
            }
        }
        let notes = Set(rows.map(\.classes)).filter { !$0.isEmpty }.sorted()
        if !notes.isEmpty { md += "\nIdentical followers (uniform mode): " + notes.joined(separator: "; ") + ".\n" }
        let json = summary(rows, references)
        let sizes = Array(Set(rows.map(\.n))).sorted()
        let combos = [("uniform", "cbc"), ("uniform", "glpk"), ("personalized", "cbc"), ("personalized", "glpk")]
        let chart = SVGChart.line(
            title: "Pricing solve time against community size (T = 24)", xLabels: sizes.map { "N = \($0)" },
            series: combos.map { m, s in
                ChartSeries(
                    "\(m) \(s)", sizes.map { n in rows.first { $0.n == n && $0.mode == m && $0.solver == s }?.solve ?? .nan },
                    dashed: s == "glpk")
            },
            yLabel: "solve s (log)", logScale: true)
        md +=
            "\n![Pricing solve time against community size](pricing-solve-time.svg)\n\nRuns at the time limit stopped there without proving optimality (see *status* and *gap*).\n"
        try OutputFiles.writeAll([("pricing.md", md), ("pricing.json", json.serialized() + "\n"), ("pricing-solve-time.svg", chart)], into: common.out)
        print("wrote \(common.out)/pricing.md and pricing.json")
    }

    /// The JSON twin of the Markdown report.
    func summary(_ rows: [Row], _ references: [Reference]) -> JSON {
        .object([
            ("machine", .string(MachineInfo.describe())),
            ("time_limit", .number(common.timeLimit)),
            (
                "highs_reference",
                .array(
                    references.map { r in
                        .object([
                            ("n", .integer(r.n)), ("status", .string(r.status)), ("incumbent", .number(r.incumbent)),
                            ("bound", .number(r.bound)), ("gap", .number(r.gap)), ("seconds", .number(r.seconds))
                        ])
                    })
            ),
            (
                "runs",
                .array(
                    rows.map { r in
                        .object([
                            ("n", .integer(r.n)), ("mode", .string(r.mode)), ("solver", .string(r.solver)),
                            ("variables", .integer(r.variables)), ("integer_variables", .integer(r.integers)),
                            ("constraints", .integer(r.constraints)), ("build_seconds", .number(r.build)),
                            ("solve_seconds", .number(r.solve)), ("check_seconds", .number(r.check)),
                            ("status", .string(r.status)), ("profit", .number(r.profit)), ("gap", .number(r.gap)),
                            ("check_passed", r.checkPassed.map { .bool($0) } ?? .null),
                            (
                                "big_m",
                                r.bigM.map {
                                    .object([
                                        ("storage_dual", .number($0.storageDual)), ("balance_dual", .number($0.balanceDual)),
                                        ("largest_multiplier", .number($0.largestMultiplier)),
                                        ("largest_primal", .number($0.largestPrimal))
                                    ])
                                } ?? .null
                            ),
                            ("widenings", .integer(r.widenings))
                        ])
                    })
            )
        ])
    }
}
