import Foundation
import Testing

/// `mpirun -n 2 peergrid clear`: the agents split over two ranks, only per-period vectors between them. `make test`
/// installs OpenMPI (libopenmpi-dev, openmpi-bin) as it does the solvers; these tests fail, not skip, without it.
@Suite(.serialized) struct MPIClearTests {
    static var mpirun: [String] {
        var launcher = ["/usr/bin/mpirun", "-n", "2", "--oversubscribe"]
        if getuid() == 0 { launcher.append("--allow-run-as-root") }  // CI runs as root
        return launcher
    }

    /// example-3x24 as an agents directory: community.json and prosumers/<id>.json.
    static func agentsDirectory(_ fixture: String = "example-3x24.json") throws -> URL {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("agents")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prosumers"), withIntermediateDirectories: true)
        var c = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture(fixture)))) as! [String: Any]
        let prosumers = c.removeValue(forKey: "prosumers") as! [[String: Any]]
        try JSONSerialization.data(withJSONObject: c).write(to: dir.appendingPathComponent("community.json"))
        for p in prosumers {
            try JSONSerialization.data(withJSONObject: p).write(to: dir.appendingPathComponent("prosumers/\(p["id"] as! String).json"))
        }
        return dir
    }

    static func summary(_ out: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
    }

    /// The same algorithm in one process and on two ranks: the same schedule, cost and bound (1e-9 relative); also
    /// with the master's agents in 2 blocks (the path above 2,000 agents).
    @Test(arguments: ["--community", "--agents-dir", "--master-blocks"])
    func twoRanksGiveTheInProcessResult(_ input: String) throws {
        let source = input == "--agents-dir" ? try Self.agentsDirectory().path : CLI.fixture("example-3x24.json")
        let args = input == "--agents-dir" ? ["--agents-dir", source] : ["--community", source] + (input == "--master-blocks" ? ["--master-blocks", "2"] : [])
        let base = try CLI.temporaryDirectory()
        let one = base.appendingPathComponent("one"), two = base.appendingPathComponent("two")
        let a = try CLI.run(["clear"] + args + ["--out", one.path])
        let b = try CLI.run(["clear"] + args + ["--out", two.path], launcher: Self.mpirun)
        #expect(a.code == 0 && b.code == 0, "\(a.stderr)\(b.stdout)\(b.stderr)")
        #expect(b.stdout.components(separatedBy: "community example-3x24").count == 2, "rank 0 alone prints: \(b.stdout)")
        let s1 = try Self.summary(one), s2 = try Self.summary(two)
        for key in ["objective", "best_bound"] {
            let x = try #require(s1[key] as? Double), y = try #require(s2[key] as? Double)
            #expect(abs(x - y) <= 1e-9 * max(1, abs(x)), "\(key): \(x) vs \(y)")
        }
        #expect(
            try String(contentsOf: one.appendingPathComponent("schedule.csv"), encoding: .utf8)
                == String(contentsOf: two.appendingPathComponent("schedule.csv"), encoding: .utf8))
    }

    /// Privacy over MPI: each rank opens only its own prosumers' files (agent i on rank i % 2).
    @Test func eachRankOpensOnlyItsOwnAgentFiles() throws {
        let dir = try Self.agentsDirectory()
        let out = dir.deletingLastPathComponent().appendingPathComponent("out")
        let r = try CLI.run(
            ["clear", "--agents-dir", dir.path, "--out", out.path], environment: ["PEERGRID_TRACE_READS": "1"],
            launcher: Self.mpirun + ["--tag-output", "-x", "PEERGRID_TRACE_READS"])
        #expect(r.code == 0, "\(r.stderr)")
        let files = ["h001.json", "h002.json", "h003.json"]  // sorted: agents 0, 1, 2
        var opened: [Int: [String]] = [:]
        for line in (r.stdout + r.stderr).split(separator: "\n") where line.contains("peergrid: reading") {
            let rank = line.hasPrefix("[1,0]") ? 0 : (line.hasPrefix("[1,1]") ? 1 : -1)
            opened[rank, default: []].append(String(line.split(separator: "/").last!))
        }
        #expect(opened[0]?.sorted() == [files[0], files[2]], "\(opened)")
        #expect(opened[1] == [files[1]], "\(opened)")
        #expect(opened[-1] == nil, "untagged reads: \(opened)")
    }

    /// A broken file on rank 1 ends every rank; rank 0 names the file and the rank (exit 2, nothing written).
    @Test func aBrokenAgentFileOnAnotherRankExitsTwoNamingIt() throws {
        let dir = try Self.agentsDirectory()
        try "{ \"id\": \"h002\", broken".write(to: dir.appendingPathComponent("prosumers/h002.json"), atomically: true, encoding: .utf8)
        let out = dir.deletingLastPathComponent().appendingPathComponent("out")
        let r = try CLI.run(["clear", "--agents-dir", dir.path, "--out", out.path], launcher: Self.mpirun)
        #expect(r.code == 2, "\(r.stderr)")
        #expect(r.stderr.contains("prosumers/h002.json: not valid JSON") && r.stderr.contains("MPI rank 1"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// An agent on rank 1 with no feasible plan of its own: the same exit code as in one process (3, infeasible),
    /// with the prosumer named by its rank and rank 0 pointing to that message.
    @Test func anAgentsFailureOnAnotherRankKeepsItsExitCode() throws {
        let dir = try Self.agentsDirectory()
        let file = dir.appendingPathComponent("prosumers/h002.json")
        var p = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        let T = (p["load_kw"] as! [Any]).count
        p["load_kw"] = Array(repeating: 50.0, count: T); p["pv_kw"] = Array(repeating: 0.0, count: T)
        p["connection_kw"] = 5; p["battery"] = NSNull(); p["flexible_loads"] = [Any]()
        try JSONSerialization.data(withJSONObject: p).write(to: file)
        let out = dir.deletingLastPathComponent().appendingPathComponent("out")
        let one = try CLI.run(["clear", "--agents-dir", dir.path, "--out", out.path])
        let two = try CLI.run(["clear", "--agents-dir", dir.path, "--out", out.path], launcher: Self.mpirun)
        #expect(one.code == 3 && two.code == 3, "\(one.code) \(two.code) \(two.stderr)")
        #expect(two.stderr.contains("prosumer h002 has no feasible plan") && two.stderr.contains("(MPI rank 1)"), "\(two.stderr)")
        // In one process the message names the agents directory and why: the net load above the connection.
        #expect(
            one.stderr.contains(
                "\(dir.path): prosumer h002 has no feasible plan of its own (at period 0 its load less its PV, 50.000 kW, is above its connection of 5.000 kW)"),
            "\(one.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// A rank killed mid-run ends the run with mpirun's message naming it, and nothing is written.
    @Test func aRankThatDiesEndsTheRunWithoutOutput() throws {
        let c = CLI.packageRoot.appendingPathComponent("Datasets/communities/example-10x96.json").path
        let out = try CLI.temporaryDirectory().appendingPathComponent("out")
        // Rank 1 kills itself 0.5 s into the clearing, which takes about 2 s on 2 cores (4 s in a debug build).
        let script = "if [ \"$OMPI_COMM_WORLD_RANK\" = 1 ]; then (sleep 0.5; kill -9 $$) & fi; exec \"$0\" \"$@\""
        let r = try CLI.run(["clear", "--community", c, "--out", out.path], launcher: Self.mpirun + ["/bin/sh", "-c", script])
        #expect(r.code != 0)
        #expect(r.stderr.contains("rank 1") && r.stderr.contains("signal 9"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path))
    }
}
