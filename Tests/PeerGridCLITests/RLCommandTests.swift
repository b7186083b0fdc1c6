import Foundation
import TestFixtures
import Testing

@Suite(.serialized) struct RLCommandTests {
    static let demo = TestFixtures.packageRoot.appendingPathComponent("Datasets/demo/community.json").path

    /// Train (same seed twice: the same bytes), then evaluate against the references on the held-out days.
    @Test func trainsAndEvaluatesAPolicy() throws {
        let dir = try CLI.temporaryDirectory()
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        for path in [a, b] {
            let r = try CLI.run([
                "rl", "train", "--community", Self.demo, "--prosumer", "h03", "--episodes", "3000", "--seed", "5", "--also-train-on", "none", "--out", path
            ])
            #expect(r.code == 0, "\(r.stderr)")
            #expect(r.stdout.contains("qlearning for h03: trained on 63 days") && r.stdout.contains("learning curve"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        let json = dir.appendingPathComponent("eval.json").path
        let r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h03", "--policy", a, "--no-mpc", "--json", json])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("14 held-out days 2000-08-14 .. 2000-08-27"))
        for name in ["no-battery", "perfect-foresight", "rule", "qlearning"] { #expect(r.stdout.contains(name)) }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let policies = object["policies"] as! [[String: Any]]
        #expect(policies.map { $0["name"] as! String } == ["perfect-foresight", "rule", "qlearning"])
        let optimum = object["perfect_foresight_cost"] as! Double
        for p in policies {
            #expect((p["cost"] as! Double) >= optimum - 1e-6)
            #expect(p["share_of_optimal_savings"] is Double && (p["kpis"] as? [String: Any])?["daily_peak"] is Double)
        }
        #expect(object["days_below_optimum"] as? Int == 0)
        // Two policies of one kind are told apart by their files' names, in the table and the JSON.
        let both = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h03", "--policy", a, "--policy", b, "--no-mpc", "--json", json])
        #expect(both.code == 0, "\(both.stderr)")
        #expect(both.stdout.contains("qlearning a.json  ") && both.stdout.contains("qlearning b.json  "), "\(both.stdout)")
        let names = try (JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any])["policies"] as! [[String: Any]]
        #expect(names.map { $0["name"] as! String } == ["perfect-foresight", "rule", "qlearning a.json", "qlearning b.json"])
    }

    /// `--also-train-on` adds other prosumers' days of the training dates and says how many; an unknown id exits 2.
    @Test func trainsOnOtherProsumersDaysToo() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("p.json").path
        var r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h09", "--episodes", "2000", "--also-train-on", "h02,h05", "--out", out])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("qlearning for h09: trained on 63 days (2000-06-12 .. 2000-08-13) and 126 days of other prosumers"), "\(r.stdout)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h09", "--also-train-on", "h02,h99", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("h99"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h09", "--also-train-on", "h02,", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--also-train-on takes"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h09", "--also-train-on", "auto,h02", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("no prosumer 'auto'"), "\(r.stderr)")
    }

    /// `--also-train-on auto` (the default) judges two candidates on the last 14 training days, says which won and
    /// trains it, the same bytes for the same seed; with too few training days to judge on it trains on its own.
    @Test func choosesWhetherToTrainOnOtherProsumersDays() throws {
        let dir = try CLI.temporaryDirectory()
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        for (path, flag) in [(a, []), (b, ["--also-train-on", "auto"])] {
            let r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h09", "--episodes", "2000", "--out", path] + flag)
            #expect(r.code == 0, "\(r.stderr)")
            #expect(
                r.stdout.contains(
                    "--also-train-on auto: judged on 14 training days (2000-07-31 .. 2000-08-13) by candidates trained on the 49 days before: own days "),
                "\(r.stdout)")
            let pooled = r.stdout.contains("a day: training with them (")
            #expect(pooled || r.stdout.contains("a day: training on own days ("), "\(r.stdout)")
            #expect(
                r.stdout.contains("qlearning for h09: trained on 63 days (2000-06-12 .. 2000-08-13)\(pooled ? " and 567 days of other prosumers" : ",")"),
                "\(r.stdout)")
            // The learning curve says which days its bills are over.
            #expect(r.stdout.contains(pooled ? "mean daily bill on all the days played, the other prosumers' too)" : "mean daily bill on the training days)"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        // The file says which days it was trained on, and the two candidates' bills.
        let record = try #require(
            (JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a))) as? [String: Any])?["trained_on"] as? [String: Any])
        #expect(record["also_train_on"] as? String == "auto" && record["own_days"] as? Int == 63)
        let own = try #require(record["judged_own_daily_bill"] as? Double), others = try #require(record["judged_with_others_daily_bill"] as? Double)
        #expect(record["other_prosumers_days"] as? Int == (others < own ? 567 : 0), "\(record)")
        let r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h09", "--episodes", "2000", "--train-days", "20", "--out", a])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains("--also-train-on auto: 20 training days are too few to judge on (28: 14 to fit, 14 to judge): training on own days"),
            "\(r.stdout)")
        #expect(r.stdout.contains("qlearning for h09: trained on 20 days (2000-07-25 .. 2000-08-13), 2000 episodes"), "\(r.stdout)")
        let short = try #require(
            (JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a))) as? [String: Any])?["trained_on"] as? [String: Any])
        #expect(short["other_prosumers_days"] as? Int == 0 && short["judged_own_daily_bill"] == nil && (short["note"] as? String)?.contains("too few") == true)
    }

    /// By default `rl train` reads the other prosumers' series too: a bad cell in one (in a Windows copy: BOM, CRLF,
    /// quoted cells) exits 2 naming its file and line, says how to train without it and writes nothing; with
    /// `--also-train-on none` that series is not read.
    @Test func aBadSeriesOfAnotherProsumerIsNamed() throws {
        let dir = try CLI.temporaryDirectory()
        let history = try String(contentsOf: TestFixtures.packageRoot.appendingPathComponent("Datasets/demo/history.csv"), encoding: .utf8)
        var lines = history.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        try Data(history.utf8).write(to: dir.appendingPathComponent("history.csv"))
        // Line 101 of the copy: h02's load (the fourth cell) is not a number; every cell quoted, Windows line ends.
        var cells = lines[100].split(separator: ",").map(String.init)
        cells[3] = "n/a"
        lines[100] = cells.joined(separator: ",")
        let windows = lines.map { $0.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        try Data([0xEF, 0xBB, 0xBF] + Array(windows.utf8)).write(to: dir.appendingPathComponent("bad.csv"))
        var community = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.demo))) as! [String: Any]
        var prosumers = community["prosumers"] as! [[String: Any]]
        let k = try #require(prosumers.firstIndex { $0["id"] as? String == "h02" })
        prosumers[k]["load_kw"] = ["csv": "bad.csv", "column": "h02_load_kw"]
        community["prosumers"] = prosumers
        let file = dir.appendingPathComponent("community.json")
        try JSONSerialization.data(withJSONObject: community).write(to: file)
        let out = dir.appendingPathComponent("p.json").path
        var r = try CLI.run(["rl", "train", "--community", file.path, "--prosumer", "h09", "--episodes", "2000", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("bad.csv:101") && r.stderr.contains("--also-train-on none trains on own days alone"), "\(r.stderr)")
        // The series' path once (with its line), after the field that names it.
        #expect(r.stderr.components(separatedBy: "bad.csv").count == 2 && r.stderr.contains("prosumers[\(k)].load_kw: "), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        r = try CLI.run(["rl", "train", "--community", file.path, "--prosumer", "h09", "--episodes", "2000", "--also-train-on", "all", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("bad.csv:101"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", file.path, "--prosumer", "h09", "--episodes", "2000", "--also-train-on", "none", "--out", out])
        #expect(r.code == 0 && FileManager.default.fileExists(atPath: out), "\(r.stderr)")
    }

    @Test func badInputExitsTwoNamingTheProblem() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("p.json").path
        // No battery.
        var r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h01", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("h01 has no battery"), "\(r.stderr)")
        // No prosumer with a battery and none named: the case study's homes share a community battery only.
        let caseStudy = TestFixtures.packageRoot.appendingPathComponent("Datasets/case-study/community.json").path
        r = try CLI.run(["rl", "train", "--community", caseStudy, "--out", out])
        #expect(r.code == 2 && r.stderr.contains("none of the 50 prosumers has a battery (the community's shared storage"), "\(r.stderr)")
        #expect(!r.stderr.contains("b01"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A battery that cannot act: no power, or no room between min_soc and max_soc.
        for (field, value) in [("power_kw", 0.0), ("max_soc", 0.1)] {
            let copy = dir.appendingPathComponent("idle-\(field)")
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: TestFixtures.packageRoot.appendingPathComponent("Datasets/demo/history.csv").path,
                toPath: copy.appendingPathComponent("history.csv").path)
            var community = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.demo))) as! [String: Any]
            var prosumers = community["prosumers"] as! [[String: Any]]
            let k = try #require(prosumers.firstIndex { $0["id"] as? String == "h03" })
            var battery = prosumers[k]["battery"] as! [String: Any]
            battery[field] = value
            if field == "max_soc" { battery["initial_soc"] = 0.1; battery["final_min_soc"] = 0.1 }
            prosumers[k]["battery"] = battery
            community["prosumers"] = prosumers
            let file = copy.appendingPathComponent("community.json")
            try JSONSerialization.data(withJSONObject: community).write(to: file)
            r = try CLI.run(["rl", "train", "--community", file.path, "--prosumer", "h03", "--out", out])
            #expect(r.code == 2 && r.stderr.contains("h03's battery cannot act"), "\(field): \(r.stderr)")
        }
        // Too little history for the windows.
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--prosumer", "h03", "--test-days", "80", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("too little history"), "\(r.stderr)")
        // A community whose series are one inline day.
        r = try CLI.run(["rl", "train", "--community", CLI.fixture("example-3x24.json"), "--out", out])
        #expect(r.code == 2 && r.stderr.contains("too little history"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A corrupt policy file: named, and nothing written.
        let corrupt = dir.appendingPathComponent("corrupt.json")
        try Data("{\"format\": \"peergrid-rl-policy\", \"version\": 1, \"kind\": \"dqn\"".utf8).write(to: corrupt)
        let json = dir.appendingPathComponent("eval.json").path
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--policy", corrupt.path, "--json", json])
        #expect(r.code == 2 && r.stderr.contains("corrupt.json: not a readable policy"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: json))
        // Options out of range.
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--episodes", "0", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--episodes"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--episodes", "1000000000", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--episodes") && r.stderr.contains("1...10000000"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--load-forecaster", "lstm", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--load-forecaster"), "\(r.stderr)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--mpc-scenarios", "57", "--json", json])
        #expect(r.code == 2 && r.stderr.contains("--mpc-scenarios"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: json))
        // Settings the run would not use are refused, not dropped.
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--policy", "dqn", "--soc-bins", "5", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--soc-bins applies to --policy qlearning only"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--members", "3", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--members applies to --policy dqn only"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--n-step", "3", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--n-step applies to --policy dqn only"), "\(r.stderr)")
        r = try CLI.run(["rl", "train", "--community", Self.demo, "--policy", "dqn", "--members", "0", "--out", out])
        #expect(r.code == 2 && r.stderr.contains("--members must be in 1...100, got 0"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--no-mpc", "--mpc-scenarios", "5", "--mpc-all-days"])
        #expect(r.code == 2 && r.stderr.contains("--no-mpc skips MPC; --mpc-scenarios, --mpc-all-days would not be used"), "\(r.stderr)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--mpc-scenarios", "0", "--mpc-equal-weights"])
        #expect(r.code == 2 && r.stderr.contains("with --mpc-scenarios 0 there are none"), "\(r.stderr)")
    }

    /// MPC runs by default over past days of the same type with analog weights and says so; `--mpc-all-days` pairs
    /// each day's own load; `--mpc-scenarios 0` plans on the forecasts.
    @Test func mpcVariantsAreChosenOnTheCommandLine() throws {
        var r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h09", "--test-days", "2"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("MPC over 28 past days (same day type, analog weights)") && r.stdout.contains("\nmpc "), "\(r.stdout)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h09", "--test-days", "2", "--mpc-all-days"])
        #expect(r.code == 0 && r.stdout.contains("MPC over 28 past days (analog weights)"), "\(r.stdout)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h09", "--test-days", "2", "--mpc-scenarios", "0"])
        #expect(r.code == 0 && r.stdout.contains("MPC on the forecasts"), "\(r.stderr)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h09", "--test-days", "2", "--mpc-scenarios", "5", "--mpc-equal-weights"])
        #expect(r.code == 0 && r.stdout.contains("MPC over 5 past days (same day type, equal weights)"), "\(r.stderr)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--prosumer", "h09", "--test-days", "2", "--mpc-knows", "pv", "--mpc-knows", "load"])
        #expect(r.code == 0 && r.stdout.contains("told the actual load and pv"), "\(r.stderr)")
        r = try CLI.run(["rl", "evaluate", "--community", Self.demo, "--mpc-knows", "price"])
        #expect(r.code == 2 && r.stderr.contains("--mpc-knows"), "\(r.stderr)")
    }
}
