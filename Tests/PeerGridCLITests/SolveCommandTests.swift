import Foundation
import Testing

@Suite(.serialized) struct SolveCommandTests {
    @Test(arguments: ["cbc", "glpk"])
    func solvesAMaximizationFileAndPrintsJSON(_ solver: String) throws {
        let r = try CLI.run(["solve", CLI.fixture("mknap-1.mps"), "--solver", solver, "--json"])
        #expect(r.code == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "optimal")
        #expect(abs((object["objective"] as? Double ?? 0) - 1056) < 1e-6)
        #expect(object["solver"] as? String == solver)
        #expect(object["variables"] as? Int == 40 && object["integer_variables"] as? Int == 40 && object["constraints"] as? Int == 5)
        for key in ["best_bound", "gap", "solve_seconds"] { #expect(object[key] != nil) }
    }

    @Test func humanSummaryAndSolutionCSV() throws {
        let dir = try CLI.temporaryDirectory()
        let csv = dir.appendingPathComponent("solution.csv").path
        let r = try CLI.run(["solve", CLI.fixture("mknap-1.mps"), "--solution", csv])
        #expect(r.code == 0)
        #expect(r.stdout.contains("status    optimal") && r.stdout.contains("1056.000000"))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "variable,value" && lines.count == 41)
    }

    @Test(arguments: ["cbc", "glpk"])
    func infeasibleExitsThree(_ solver: String) throws {
        let r = try CLI.run(["solve", CLI.fixture("infeasible-1.mps"), "--solver", solver, "--json"])
        #expect(r.code == 3)
        #expect(r.stdout.contains("\"status\":\"infeasible\""))
    }

    @Test func unboundedExitsFour() throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("unbounded.lp")
        try "Maximize\n obj: x + y\nSubject To\n c: x - y <= 1\nEnd\n".write(to: file, atomically: true, encoding: .utf8)
        for solver in ["cbc", "glpk"] {
            let r = try CLI.run(["solve", file.path, "--solver", solver])
            #expect(r.code == 4, "\(solver): \(r.stdout)")
        }
    }

    @Test(arguments: [
        ("truncated.mps", "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x obj 1 c 1\n", "truncated.mps:6"),
        ("section.mps", "NAME t\nROWZ\n", "section.mps:2: unknown section"),
        ("number.mps", "NAME t\nROWS\n N obj\nCOLUMNS\n    x obj abc\nENDATA\n", "number.mps:5"),
        ("nan.mps", "NAME t\nROWS\n N obj\nCOLUMNS\n    x obj nan\nENDATA\n", "nan.mps:5: coefficient of x in obj is NaN"),
        ("bounds.mps", "NAME t\nROWS\n N obj\nCOLUMNS\n    x obj 1\nBOUNDS\n UP BND x -1\n LO BND x 2\nENDATA\n", "bounds.mps:8"),
        ("dup.mps", "NAME t\nROWS\n N obj\n L c\nCOLUMNS\n    x c 1\n    x c 1\nRHS\n    RHS c 1\nENDATA\n", "dup.mps:7: duplicate"),
        ("empty.mps", "", "empty.mps: empty file"),
        ("model.txt", "x", "unknown model file type")
    ])
    func badFilesExitTwoWithTheLine(_ name: String, _ text: String, _ message: String) throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["solve", file.path, "--solution", dir.appendingPathComponent("out.csv").path])
        #expect(r.code == 2, "\(name): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(name): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.csv").path))
    }

    @Test func badArgumentsExitTwo() throws {
        #expect(try CLI.run(["solve", CLI.fixture("mknap-1.mps"), "--solver", "gurobi"]).code == 2)
        #expect(try CLI.run(["solve", CLI.fixture("mknap-1.mps"), "--gap", "-1"]).code == 2)
        #expect(try CLI.run(["solve", "/nonexistent/model.mps"]).code == 2)
        #expect(try CLI.run(["solve", "--help"]).code == 0)
        let lp = try CLI.run(["solve", "model.lp", "--mps-format", "fixed"])
        #expect(lp.code == 2 && lp.stderr.contains("--mps-format applies to MPS files"), "\(lp.stderr)")
    }
}

@Suite(.serialized) struct SolveExpectedTests {
    /// Every model of spec/examples/mps/EXPECTED.json through the built `peergrid solve`, with both solvers.
    @Test(arguments: ["cbc", "glpk"])
    func reproducesEveryExpectedObjectiveAndStatus(_ solver: String) throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("EXPECTED.json")))) as! [String: [String: Any]]
        #expect(expected.count == 5)
        for (file, e) in expected.sorted(by: { $0.key < $1.key }) {
            let r = try CLI.run(["solve", CLI.fixture(file), "--solver", solver, "--gap", "1e-9", "--json"])
            let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            if e["status"] as? String == "Optimal" {
                #expect(r.code == 0 && o["status"] as? String == "optimal", "\(solver) \(file)")
                let want = e["objective"] as! Double, got = o["objective"] as? Double ?? .nan
                #expect(abs(got - want) <= 1e-6 * max(1, abs(want)), "\(solver) \(file): \(got) vs \(want)")
            } else {
                #expect(r.code == 3 && o["status"] as? String == "infeasible", "\(solver) \(file)")
            }
        }
    }
}
