import Foundation
import Testing

/// `peergrid clear` and `--method agents`, run as a user runs them.
@Suite(.serialized) struct ClearCommandTests {
    @Test func clearsTheExampleAndWritesThreeFiles() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["clear", "--community", CLI.fixture("example-3x24.json"), "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("clearing") && r.stdout.contains("bound"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        let cost = try #require(summary["objective"] as? Double), bound = try #require(summary["best_bound"] as? Double)
        #expect(cost <= 47.260311 * 1.005 && bound <= 47.260311 + 1e-6)
        for key in ["iterations", "converged", "primal_residual_kw", "dual_residual", "gap", "bills", "standalone_cost", "method"] {
            #expect(summary[key] != nil, "missing \(key)")
        }
        let log = try String(contentsOf: out.appendingPathComponent("convergence.csv"), encoding: .utf8).split(separator: "\n")
        #expect(log.first == "iteration,primal_residual_kw,dual_residual,objective,bound,gap,smoothing,plans,seconds")
        #expect(log.count >= 2)
        let csv = try String(contentsOf: out.appendingPathComponent("schedule.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 3 * 24 + 24)
    }

    @Test func scheduleMethodAgentsGivesTheClearingsSchedule() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["schedule", "--method", "agents", "--community", CLI.fixture("example-3x24.json"), "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["solver"] as? String == "agents")
        #expect((summary["objective"] as? Double ?? .infinity) <= 47.260311 * 1.005)
        // The central solver's settings are refused with agents rather than dropped.
        let bad = try CLI.run(["schedule", "--method", "agents", "--community", CLI.fixture("example-3x24.json"), "--solver", "glpk", "--gap", "0.1"])
        #expect(bad.code == 2 && bad.stderr.contains("--solver, --gap apply to --method central only"), "\(bad.stderr)")
    }

    @Test func infeasibleExitsThreeAndWritesNoSchedule() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["clear", "--community", CLI.fixture("example-infeasible-4x24.json"), "--out", out.path])
        #expect(r.code == 3, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("import limit"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("schedule.csv").path))
    }

    @Test(arguments: [["--tolerance", "0"], ["--max-iterations", "0"], ["--time-limit", "-1"], ["--workers", "0"], ["--master-blocks", "0"]])
    func impossibleOptionsExitTwoAndWriteNothing(_ option: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["clear", "--community", CLI.fixture("example-3x24.json"), "--out", out.path] + option)
        #expect(r.code == 2, "\(option): \(r.stderr)")
        #expect(r.stderr.contains(option[0]), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // Checked before any file is read: the option is named even when the community is missing.
        let early = try CLI.run(["clear", "--community", dir.appendingPathComponent("absent.json").path, "--out", out.path] + option)
        #expect(early.code == 2 && early.stderr.contains(option[0]), "\(option): \(early.stderr)")
    }

    @Test func aBrokenAgentFileExitsTwoNamingIt() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prosumers"), withIntermediateDirectories: true)
        try
            #"{"name": "d", "start": "2000-06-05T00:00:00Z", "period_minutes": 60, "periods": 2, "grid": {"import_price": [0.2, 0.3], "export_price": [0.05, 0.05], "import_limit_kw": 20, "export_limit_kw": 20}}"#
            .write(to: dir.appendingPathComponent("community.json"), atomically: true, encoding: .utf8)
        try #"{"id": "a", "connection_kw": 10, "load_kw": [1, NaN], "pv_kw": [0, 3]}"#
            .write(to: dir.appendingPathComponent("prosumers/a.json"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["clear", "--agents-dir", dir.path, "--out", out.path])
        #expect(r.code == 2)
        #expect(r.stderr.contains("prosumers/a.json") && r.stderr.contains("load_kw"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let both = try CLI.run(["clear", "--agents-dir", dir.path, "--community", CLI.fixture("example-3x24.json")])
        #expect(both.code == 2)
    }
}
