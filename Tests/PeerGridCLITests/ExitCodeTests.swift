import Foundation
import Testing

/// The exit-code table of the README per command family: a bad argument exits 2 and a fault nobody foresaw (a
/// test double injected into the built binary) exits 70, never 2, in every family. The other codes are covered
/// where each family's tests make them happen (0, 3 and 4 in the solve, schedule, clear and day-ahead tests;
/// 5 and 6 in the ledger's).
@Suite struct ExitCodeTests {
    /// One valid command line per family.
    static let families: [(String, [String])] = [
        ("solve", ["solve", CLI.fixture("mknap-1.mps")]),
        ("schedule", ["schedule", "--community", CLI.fixture("example-3x24.json")]),
        ("clear", ["clear", "--community", CLI.fixture("example-3x24.json")]),
        ("price", ["price", "--community", CLI.fixture("example-pricing-3x24.json")]),
        ("market", ["market", "clear", "--bids", CLI.fixture("market-bids.csv"), "--mechanism", "pay-as-clear"]),
        ("backtest", ["backtest", "--data", CLI.fixture("small-history.csv"), "--column", "h02_load_kw", "--horizon", "48", "--test-days", "1"]),
        ("forecast", ["forecast", "--data", CLI.fixture("small-history.csv"), "--column", "h02_load_kw", "--horizon", "4"]),
        ("day-ahead", ["day-ahead", "--community", CLI.fixture("small-community.json"), "--store", "none"]),
        ("batch", ["batch", "--manifest", CLI.fixture("manifest.csv")]),
        ("history", ["history", "--store", "runs.sqlite"]),
        ("ledger", ["ledger", "verify", "--ledger", "l.db"]),
        ("rl", ["rl", "evaluate", "--community", RLCommandTests.demo, "--no-mpc"]),
        ("anomalies", ["anomalies", "--data", CLI.fixture("small-history.csv"), "--column", "h02_load_kw"]),
        ("tune", ["tune", "--data", CLI.fixture("small-history.csv"), "--column", "h02_load_kw", "--budget", "2"])
    ]

    @Test(arguments: families.map(\.0))
    func anUnforeseenFaultExitsSeventy(_ family: String) throws {
        let arguments = Self.families.first { $0.0 == family }!.1
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(
            arguments + ["--out", dir.path].filter { _ in ["schedule", "clear", "price", "market", "day-ahead", "batch"].contains(family) },
            in: dir, environment: ["PEERGRID_INJECT_FAULT": family])
        #expect(r.code == 70 && r.stderr.contains("internal error"), "\(family): exit \(r.code): \(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(family) wrote before failing")
    }

    @Test(arguments: families.map(\.0))
    func anUnknownOptionExitsTwo(_ family: String) throws {
        let arguments = Self.families.first { $0.0 == family }!.1
        let r = try CLI.run(arguments + ["--no-such-option"])
        #expect(r.code == 2 && r.stderr.contains("no-such-option"), "\(family): exit \(r.code): \(r.stderr)")
    }

    /// `--version` names the release and the file formats this build reads, on standard output, exit 0, for the
    /// tool and each command; `benchmark --version` names the same release.
    @Test func versionNamesTheReleaseAndTheFormats() throws {
        for arguments in [["--version"], ["ledger", "verify", "--version"]] {
            let r = try CLI.run(arguments)
            #expect(r.code == 0, "\(arguments): exit \(r.code): \(r.stderr)")
            #expect(
                r.stdout.hasPrefix("peergrid ") && r.stdout.contains("forecast model files v3") && r.stdout.contains("ledger entries v1")
                    && r.stdout.contains("results store v2"), "\(r.stdout)")
        }
        let release = try CLI.run(["--version"]).stdout.split(separator: " ")[1]
        let bench = try CLI.run(["--version"], in: CLI.packageRoot, program: CLI.benchmark)
        #expect(bench.code == 0 && bench.stdout == "benchmark \(release)\n", "\(bench.stdout)")
    }

    /// `benchmark` keeps the same table: a bad option or option value exits 2 (ArgumentParser's 64 before), a fault
    /// nobody foresaw 70 (it exited 1), and it writes no report.
    @Test func theBenchmarkToolExitsAsPeergridDoes() throws {
        let dir = try CLI.temporaryDirectory()
        let run = { (arguments: [String], environment: [String: String]) in
            try CLI.run(arguments + ["--out", dir.path], in: CLI.packageRoot, environment: environment, program: CLI.benchmark)
        }
        let unknown = try run(["forecast", "--no-such-option"], [:])
        #expect(unknown.code == 2 && unknown.stderr.contains("no-such-option"), "exit \(unknown.code): \(unknown.stderr)")
        let value = try run(["forecast", "--aci-gamma", "2", "--calibration-days", "1"], [:])
        #expect(value.code == 2 && value.stderr.contains("--aci-gamma"), "exit \(value.code): \(value.stderr)")
        let seeds = try run(["anomalies", "--seeds", "0"], [:])
        #expect(seeds.code == 2 && seeds.stderr.contains("--seeds"), "exit \(seeds.code): \(seeds.stderr)")
        let members = try run(["rl", "--dqn-members", "0"], [:])
        #expect(members.code == 2 && members.stderr.contains("--dqn-members must be in 1...100, got 0"), "exit \(members.code): \(members.stderr)")
        let fault = try run(["forecast", "--models", "seasonal-naive"], ["PEERGRID_INJECT_FAULT": "benchmark"])
        #expect(fault.code == 70 && fault.stderr.contains("benchmark: internal error"), "exit \(fault.code): \(fault.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "the benchmark wrote before failing")
    }

    /// Exit 3 from `price`: a prosumer whose connection cannot cover its own load (infeasible, not bad input; the
    /// report of the infeasible run is written, as `schedule` writes one).
    @Test func pricingAProsumerWithoutAFeasibleAnswerExitsThree() throws {
        let file = try HostileInputTests.edited("example-pricing-3x24.json") { o in
            var prosumers = o["prosumers"] as! [[String: Any]]
            prosumers[0]["connection_kw"] = 0.01
            o["prosumers"] = prosumers
        }
        let out = file.deletingLastPathComponent().appendingPathComponent("out")
        let r = try CLI.run(["price", "--community", file.path, "--out", out.path])
        #expect(r.code == 3, "exit \(r.code): \(r.stderr)")
    }

    /// Exit 4 from `schedule` and `clear`: a time limit that ends before any schedule.
    @Test(arguments: ["schedule", "clear"])
    func aTimeLimitBeforeAnyScheduleExitsFour(_ command: String) throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("out")
        let r = try CLI.run([command, "--community", CLI.fixture("example-10x96.json"), "--time-limit", "0.001", "--out", out.path])
        #expect(r.code == 4, "\(command): exit \(r.code): \(r.stderr) \(r.stdout)")
    }
}
