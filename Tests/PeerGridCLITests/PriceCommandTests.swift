import Foundation
import Testing

@Suite(.serialized) struct PriceCommandTests {
    @Test func pricesTheExampleUniformly() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run(["price", "--community", CLI.fixture("example-pricing-3x24.json"), "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("status    optimal") && r.stdout.contains("check     passed"))
        // No row reads as a prosumer paying more with the storage than without (h001 and h002 are left indifferent;
        // 1e-7 of solver noise showed as 25.4890 / 25.4891).
        let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("h00") }.map { $0.split(separator: " ").compactMap { Double($0) } }
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.count == 5 && row[1] <= row[0], "\(row)")
            if row.count == 5, row[2] == 0 { #expect(row[1] == row[0], "\(row)") }
        }
        let csv = try String(contentsOf: out.appendingPathComponent("prices.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "period,timestamp,charge_price,discharge_price")
        #expect(csv.count == 1 + 24)
        #expect(csv[1].hasPrefix("0,2000-06-05T00:00:00Z,"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("pricing.json"))) as! [String: Any]
        #expect(json["status"] as? String == "optimal")
        let profit = try #require(json["profit"] as? Double)
        #expect(abs(profit - 3.082446) <= 1e-4 * 3.082446)
        let check = try #require(json["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == true)
        for key in ["best_bound", "gap", "solver", "build_seconds", "solve_seconds", "big_m"] { #expect(json[key] != nil, "missing \(key)") }
        let prosumers = try #require(json["prosumers"] as? [[String: Any]])
        #expect(prosumers.count == 3)
        for key in ["bill_with_storage", "bill_without_storage", "charged_kwh", "discharged_kwh"] {
            #expect(prosumers.allSatisfy { $0[key] is Double }, "missing \(key)")
        }
    }

    @Test("--export writes the MILP as solved; `peergrid solve` on it finds the same profit")
    func exportedModelSolvesToTheProfit() throws {
        let out = try CLI.temporaryDirectory()
        let model = out.appendingPathComponent("models/pricing.mps").path
        let r = try CLI.run(["price", "--community", CLI.fixture("example-pricing-3x24.json"), "--out", out.path, "--export", model])
        #expect(r.code == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("pricing.json"))) as! [String: Any]
        let profit = try #require(json["profit"] as? Double)
        let solved = try CLI.run(["solve", model, "--solver", "cbc", "--json"])
        #expect(solved.code == 0, "\(solved.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(solved.stdout.utf8)) as! [String: Any]
        let objective = try #require(result["objective"] as? Double)
        #expect(abs(objective - profit) <= 1e-4 * profit, "exported model \(objective), price \(profit)")
        // Personalized: one file per prosumer.
        let parts = out.appendingPathComponent("parts/part.lp").path
        let p = try CLI.run([
            "price", "--community", CLI.fixture("example-pricing-3x24.json"), "--mode", "personalized",
            "--out", out.path, "--export", parts
        ])
        #expect(p.code == 0, "\(p.stderr)")
        for id in ["h001", "h002", "h003"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("parts/part-\(id).lp").path))
        }
        let bad = try CLI.run(["price", "--community", CLI.fixture("example-pricing-3x24.json"), "--out", out.path, "--export", "model.txt"])
        #expect(bad.code == 2 && bad.stderr.contains("--export model.txt: expected a .mps or .lp file"))
    }

    @Test(
        "--prices evaluates a written prices.csv back to the same profit (both modes, both solvers)",
        arguments: [("uniform", "cbc"), ("uniform", "glpk"), ("personalized", "cbc"), ("personalized", "glpk")])
    func pricesFileRoundTrips(mode: String, solver: String) throws {
        let out = try CLI.temporaryDirectory()
        let community = CLI.fixture("example-pricing-3x24.json")
        let r = try CLI.run(["price", "--community", community, "--mode", mode, "--solver", solver, "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        func json(_ dir: URL) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("pricing.json"))) as! [String: Any]
        }
        let solved = try json(out)
        let again = out.appendingPathComponent("again")
        let e = try CLI.run([
            "price", "--community", community, "--mode", mode, "--solver", solver,
            "--prices", out.appendingPathComponent("prices.csv").path, "--out", again.path
        ])
        #expect(e.code == 0, "\(e.stderr)")
        #expect(e.stdout.contains("prices given, not optimized"))
        let evaluated = try json(again)
        #expect(evaluated["status"] as? String == "feasible")
        #expect(evaluated["best_bound"] is NSNull && evaluated["check"] is NSNull)
        let a = try #require(solved["profit"] as? Double), b = try #require(evaluated["profit"] as? Double)
        #expect(abs(a - b) <= 1e-6 * max(1, abs(a)), "optimized \(a), evaluated from prices.csv \(b)")
        // The evaluation writes the prices it read, unchanged.
        let first = try String(contentsOf: out.appendingPathComponent("prices.csv"), encoding: .utf8)
        let second = try String(contentsOf: again.appendingPathComponent("prices.csv"), encoding: .utf8)
        #expect(first == second)
    }

    @Test("A prices file from Windows (BOM, CRLF) reads as its LF original; refusals in it name the line")
    func windowsPricesFilesReadLikeAnyOther() throws {
        let community = CLI.fixture("example-pricing-3x24.json")
        let dir = try CLI.temporaryDirectory()
        let first = try CLI.run(["price", "--community", community, "--solver", "glpk", "--out", dir.appendingPathComponent("a").path])
        #expect(first.code == 0, "\(first.stderr)")
        let lf = try String(contentsOf: dir.appendingPathComponent("a/prices.csv"), encoding: .utf8)
        let windows = dir.appendingPathComponent("windows.csv")
        try Data(("\u{FEFF}" + lf.replacingOccurrences(of: "\n", with: "\r\n")).utf8).write(to: windows)
        let again = try CLI.run(["price", "--community", community, "--solver", "glpk", "--prices", windows.path, "--out", dir.appendingPathComponent("b").path]
        )
        #expect(again.code == 0, "\(again.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("b/prices.csv"), encoding: .utf8) == lf)
        var lines = lf.split(separator: "\n").map(String.init)
        lines[3] = "\"2\",2000-06-05T02:00:00Z,0.5,0"
        try Data(("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: windows)
        let bad = try CLI.run(["price", "--community", community, "--prices", windows.path, "--out", dir.appendingPathComponent("c").path])
        #expect(bad.code == 2 && bad.stderr.contains("windows.csv") && bad.stderr.contains("line 4: charge_price 0.5 is outside"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("c").path))
    }

    @Test("A prosumer id with a comma and a quote survives prices.csv and --prices")
    func quotedIdsRoundTrip() throws {
        let (dir, file) = try CLI.editedFixture("example-pricing-3x24.json", "\"id\": \"h001\"", "\"id\": \"h,0\\\"1\"")
        let r = try CLI.run(["price", "--community", file.path, "--mode", "personalized", "--solver", "glpk", "--out", dir.path])
        #expect(r.code == 0, "\(r.stderr)")
        let csv = try String(contentsOf: dir.appendingPathComponent("prices.csv"), encoding: .utf8)
        #expect(csv.contains("\n\"h,0\"\"1\",0,"))
        let e = try CLI.run([
            "price", "--community", file.path, "--solver", "glpk", "--prices", dir.appendingPathComponent("prices.csv").path,
            "--out", dir.appendingPathComponent("again").path
        ])
        #expect(e.code == 0, "\(e.stderr)")
        let again = try String(contentsOf: dir.appendingPathComponent("again/prices.csv"), encoding: .utf8)
        #expect(again == csv)
    }

    @Test func badPricesFilesExitTwoNamingTheLine() throws {
        let out = try CLI.temporaryDirectory()
        let community = CLI.fixture("example-pricing-3x24.json")
        let r = try CLI.run(["price", "--community", community, "--out", out.path])
        #expect(r.code == 0, "\(r.stderr)")
        let good = try String(contentsOf: out.appendingPathComponent("prices.csv"), encoding: .utf8)
        let lines = good.split(separator: "\n").map(String.init)
        let cases: [(String, String)] = [
            (
                {
                    var l = lines; l[3] = "2,2000-06-05T02:00:00Z,0.5,0"; return l.joined(separator: "\n")
                }(), "line 4: charge_price 0.5 is outside [0, 0.2]"
            ),
            (
                {
                    var l = lines; l[3] = "2,2000-06-05T02:00:00Z,abc,0"; return l.joined(separator: "\n")
                }(), "line 4: charge_price abc is not a number"
            ),
            (
                {
                    var l = lines; l[3] = l[2]; return l.joined(separator: "\n")
                }(), "line 4: period 1 is given twice (also on line 3)"
            ),
            (
                {
                    var l = lines; l[3] = "2,2000-06-06T02:00:00Z,0,0"; return l.joined(separator: "\n")
                }(), "line 4: timestamp 2000-06-06T02:00:00Z is not the start of period 2"
            ),
            (
                {
                    var l = lines; l[0] = "period,charge,discharge"; return l.joined(separator: "\n")
                }(), "line 1: header is period,charge,discharge"
            ),
            (
                {
                    var l = lines; l.remove(at: 5); return l.joined(separator: "\n")
                }(), "period 4 has no prices"
            ),
            ("prosumer," + lines[0] + "\nh999," + lines[1], "line 2: unknown prosumer h999"),
            (
                {
                    var l = lines; l[3] += ",0"; return l.joined(separator: "\n")
                }(), "line 4: 5 fields where the header has 4"
            ),
            ("prosumer," + lines[0] + "\n\"h001," + lines[1], "line 2: a quoted field is never closed")
        ]
        for (k, (text, message)) in cases.enumerated() {
            let file = out.appendingPathComponent("bad-\(k).csv")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let e = try CLI.run(["price", "--community", community, "--prices", file.path, "--out", out.appendingPathComponent("bad-\(k)").path])
            #expect(e.code == 2, "case \(k): \(e.stderr)")
            #expect(e.stderr.contains(file.path) && e.stderr.contains(message), "case \(k): \(e.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("bad-\(k)/pricing.json").path))
        }

        let missing = out.appendingPathComponent("none.csv").path
        let m = try CLI.run(["price", "--community", community, "--prices", missing, "--out", out.path])
        #expect(m.code == 2 && m.stderr.contains("\(missing): no such file"), "\(m.stderr)")
        let both = try CLI.run(["price", "--community", community, "--prices", "p.csv", "--export", "m.mps", "--out", out.path])
        #expect(both.code == 2 && both.stderr.contains("use one of them"))
    }

    @Test func personalizedPricesHaveAProsumerColumn() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "price", "--community", CLI.fixture("example-pricing-3x24.json"), "--mode", "personalized",
            "--solver", "glpk", "--out", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("prices.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "prosumer,period,timestamp,charge_price,discharge_price")
        #expect(csv.count == 1 + 3 * 24)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("pricing.json"))) as! [String: Any]
        // Personalized prices earn at least what uniform prices do.
        #expect((json["profit"] as? Double ?? 0) >= 3.082446 - 1e-4)
    }

    @Test(arguments: [
        ("negative cap", "\"max_charge_price\": 0.2", "\"max_charge_price\": -0.2", "pricing.max_charge_price"),
        ("unknown id", "\"partitions\": \"equal\"", "\"partitions\": {\"h404\": {\"capacity_kwh\": 1, \"power_kw\": 1}}", "pricing.partitions.h404"),
        ("too large", "\"partitions\": \"equal\"", "\"partitions\": {\"h001\": {\"capacity_kwh\": 31, \"power_kw\": 1}}", "pricing.partitions"),
        ("no storage", "\"shared_storage\": {", "\"unused\": {", "shared_storage")
    ])
    func badPricingSectionsExitTwo(_ label: String, _ find: String, _ replace: String, _ path: String) throws {
        let (dir, file) = try CLI.editedFixture("example-pricing-3x24.json", find, replace)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["price", "--community", file.path, "--out", out.path])
        #expect(r.code == 2, "\(label): \(r.stderr)")
        #expect(r.stderr.contains(path + ":"), "\(label): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aFileWithoutPricingExitsTwo() throws {
        let r = try CLI.run(["price", "--community", CLI.fixture("example-3x24.json")])
        #expect(r.code == 2)
        #expect(r.stderr.contains("pricing: the community file has no pricing section"))
    }
}
