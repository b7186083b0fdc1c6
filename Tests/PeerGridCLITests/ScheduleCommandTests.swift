import Foundation
import Testing

@Suite(.serialized) struct ScheduleCommandTests {
    @Test(arguments: ["cbc", "glpk"])
    func schedulesTheExampleAndWritesBothFiles(_ solver: String) throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["schedule", "--community", CLI.fixture("example-3x24.json"), "--solver", solver, "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("status    optimal") && r.stdout.contains("savings"))
        let csv = try String(contentsOf: out.appendingPathComponent("schedule.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasPrefix("prosumer,period,timestamp,load_kw,pv_kw,curtail_kw,grid_import_kw") == true)
        #expect(csv.count == 1 + 3 * 24 + 24)
        #expect(csv[1].hasPrefix("h001,0,2000-06-05T00:00:00Z,"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "optimal")
        let cost = try #require(summary["objective"] as? Double)
        #expect(abs(cost - 47.260311) <= 1e-4 * 47.260311)
        for key in [
            "best_bound", "gap", "solver", "build_seconds", "solve_seconds", "variables", "integer_variables",
            "constraints", "bills", "pool_price", "standalone_cost", "savings"
        ] {
            #expect(summary[key] != nil, "missing \(key)")
        }
    }

    /// A community piped on standard input finds the CSV it names by a relative path in the current directory (it
    /// was looked for in `/dev`, the directory of `/dev/stdin`).
    @Test func aPipedCommunityReadsItsCSVFromTheCurrentDirectory() throws {
        let dir = try CLI.temporaryDirectory()
        let rows = (0..<24).map { h in String(format: "2000-01-03T%02d:00:00Z,%.1f,%.2f", h, 1 + Double(h) / 10, max(0, Double(6 - abs(12 - h))) / 3) }
        try (["timestamp,load,pv"] + rows).joined(separator: "\n").write(to: dir.appendingPathComponent("series.csv"), atomically: true, encoding: .utf8)
        let prices = { (p: String) in Array(repeating: p, count: 24).joined(separator: ",") }
        let json = """
            {"name": "piped", "start": "2000-01-03T00:00:00Z", "period_minutes": 60, "periods": 24,
             "grid": {"import_price": [\(prices("0.2"))], "export_price": [\(prices("0.05"))], "import_limit_kw": 40, "export_limit_kw": 40},
             "p2p": {"enabled": false, "fee_per_kwh": 0},
             "prosumers": [{"id": "h1", "connection_kw": 12, "load_kw": {"csv": "series.csv", "column": "load"}, "pv_kw": {"csv": "series.csv", "column": "pv"}}]}
            """
        try json.write(to: dir.appendingPathComponent("community.json"), atomically: true, encoding: .utf8)
        // sh redirects the file to peergrid's standard input: `peergrid ... < community.json`.
        let r = try CLI.run(
            ["schedule", "--community", "/dev/stdin", "--out", "out", "--no-standalone"], in: dir,
            launcher: ["/bin/sh", "-c", #"exec "$0" "$@" < community.json"#])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/schedule.csv").path))
    }

    /// `--out` naming a file (or a device) is bad input, and what is there is kept; `--json /dev/null` elsewhere
    /// writes into the device (both used to be renamed over, which as root replaced `/dev/null` with a file).
    @Test func anOutputDirectoryWhereAFileIsExitsTwoAndKeepsTheFile() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("notes.txt")
        try "keep me".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["schedule", "--community", CLI.fixture("example-3x24.json"), "--out", file.path, "--no-standalone"])
        #expect(r.code == 2 && r.stderr.contains("notes.txt: exists and is not a directory"), "\(r.code) \(r.stderr)")
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep me")
    }

    @Test func infeasibleCommunityExitsThreeWithADiagnosis() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["schedule", "--community", CLI.fixture("example-infeasible-4x24.json"), "--out", out.path])
        #expect(r.code == 3)
        #expect(r.stdout.contains("diagnosis import limit at period"))
        // The exit code says it all: nothing on standard error, not even an empty line (there was one until 2026-12-04).
        #expect(r.stderr.isEmpty, "\(r.stderr.debugDescription)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("schedule.csv").path))
    }

    @Test(arguments: [
        ("missing field", "\"import_limit_kw\": 8.2,", "", "grid.import_limit_kw: missing"),
        ("NaN", "\"connection_kw\": 14.0", "\"connection_kw\": NaN", "prosumers[0].connection_kw: is NaN"),
        ("not JSON", "{", "[[", "not valid JSON")
    ])
    func badFilesExitTwoAndWriteNothing(_ label: String, _ find: String, _ replace: String, _ message: String) throws {
        let (dir, file) = try CLI.editedFixture("example-3x24.json", find, replace)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["schedule", "--community", file.path, "--out", out.path])
        #expect(r.code == 2, "\(label): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(label): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func buildOnlyAndExport() throws {
        let out = try CLI.temporaryDirectory()
        let mps = out.appendingPathComponent("model.mps").path
        let r = try CLI.run(["schedule", "--community", CLI.fixture("example-3x24.json"), "--build-only", "--export", mps, "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["build_seconds"] as? Double != nil && (summary["variables"] as? Int ?? 0) > 0)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("schedule.csv").path))
        // The exported model is the first solve round's; it solves on its own.
        let s = try CLI.run(["solve", mps, "--json"])
        #expect(s.code == 0 && s.stdout.contains("\"status\":\"optimal\""))
    }
}
