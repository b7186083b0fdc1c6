import Foundation
import Testing

/// Every regular file under `root` (relative path -> contents), skipping timing-dependent `summary.json`
/// fields by comparing only the data files, and the SQLite store.
func dataFiles(_ root: URL) throws -> [String: String] {
    var out: [String: String] = [:]
    let fm = FileManager.default
    guard let e = fm.enumerator(atPath: root.path) else { return out }
    for case let rel as String in e where rel.hasSuffix(".csv") && !rel.hasSuffix("batch.csv") {
        out[rel] = try String(contentsOf: root.appendingPathComponent(rel), encoding: .utf8)
    }
    return out
}

/// Hidden entries (staging left by a killed run) anywhere under `root`.
func hiddenEntries(_ root: URL) -> [String] {
    (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? [])
        .filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }
}

@Suite(.serialized) struct DayAheadCommandTests {
    @Test func dayAheadWritesTheReportAndRecordsTheRun() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27",
            "--model", "seasonal-naive", "--out", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "progress must be silent when stderr is not a terminal: \(r.stderr)")
        #expect(r.stdout.contains("report    \(out.path)/small-3/2000-08-27/report.html"))
        #expect(r.stdout.contains("schedule  optimal") && r.stdout.contains("pricing   personalized optimal"))
        let dir = out.appendingPathComponent("small-3/2000-08-27")
        for f in ["report.html", "report.md", "forecast.csv", "schedule.csv", "prices.csv", "summary.json", "charts/flows.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), "missing \(f)")
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "optimal" && summary["date"] as? String == "2000-08-27")
        // The history covers the day: the plan kept on the metered day, on the terminal and in summary.json.
        #expect(r.stdout.contains("metered   the plan kept costs ") && r.stdout.contains("the forecast errors cost"), "\(r.stdout)")
        #expect((summary["metered_day"] as? [String: Any])?["kept_status"] as? String == "optimal")

        // A second run with another model, then the store lists and compares both.
        let r2 = try CLI.run([
            "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27",
            "--model", "seasonal-naive-day", "--out", out.path
        ])
        #expect(r2.code == 0, "\(r2.stderr)")
        let store = out.appendingPathComponent("peergrid.sqlite").path
        let list = try CLI.run(["history", "--store", store])
        #expect(list.code == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == 3 && list.stdout.contains("small-3"))
        let cmp = try CLI.run(["history", "--store", store, "--compare", "1", "2"])
        #expect(cmp.code == 0, "\(cmp.stderr)")
        #expect(cmp.stdout.contains("seasonal-naive-day") && cmp.stdout.contains("settings") && cmp.stdout.contains("changed"))
        #expect(cmp.stdout.contains("h02/load: seasonal-naive -> seasonal-naive-day"))
        // The store keeps the metered-day check: run 1's error cost is summary.json's.
        let errorCost = try #require((summary["metered_day"] as? [String: Any])?["forecast_error_cost"] as? Double)
        let errorLine = try #require(cmp.stdout.split(separator: "\n").first { $0.hasPrefix("error cost") })
        #expect(
            errorLine.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first == Substring(String(format: "%.2f", errorCost)), "\(errorLine)")
        let missing = try CLI.run(["history", "--store", store, "--compare", "1", "9"])
        #expect(missing.code == 2 && missing.stderr.contains("no run 9"))

        // --csv: every run, oldest first, every figure as the store holds it.
        let csvPath = out.appendingPathComponent("runs.csv").path
        let exported = try CLI.run(["history", "--store", store, "--csv", csvPath])
        #expect(exported.code == 0 && exported.stdout.contains("wrote 2 run(s) to \(csvPath)"), "\(exported.stderr)")
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let header = lines[0].split(separator: ",").map(String.init)
        let errorColumn = try #require(header.firstIndex(of: "forecast_error_cost"))
        #expect(lines[1].hasPrefix("1,") && lines[2].hasPrefix("2,"))
        let exportedError = try #require(Double(lines[1].split(separator: ",")[errorColumn]))
        #expect(abs(exportedError - errorCost) < 1e-9)
        // '-' writes the same text to standard output, for a pipe.
        let piped = try CLI.run(["history", "--store", store, "--csv", "-"])
        #expect(try piped.code == 0 && piped.stdout == String(contentsOfFile: csvPath, encoding: .utf8), "\(piped.stderr)")
        // A file that cannot be written exits 2 naming it, and leaves nothing behind.
        let blocked = try CLI.run(["history", "--store", store, "--csv", out.path])
        #expect(blocked.code == 2 && blocked.stderr.contains("cannot write \(out.path): is a directory"), "\(blocked.stderr)")
        let both = try CLI.run(["history", "--store", store, "--csv", csvPath, "--compare", "1", "2"])
        #expect(both.code == 2 && both.stderr.contains("--csv"))
        let filtered = try CLI.run(["history", "--store", store, "--limit", "1", "--compare", "1", "2"])
        #expect(filtered.code == 2 && filtered.stderr.contains("--compare takes run ids"))
    }

    /// `--level`: the interval's columns and summary.json follow it, it is narrower than the 95 % one around the same
    /// point forecasts, the schedule does not change, and a bad or a second level exits 2 with nothing written.
    @Test func theIntervalLevelIsAnOption() throws {
        let out = try CLI.temporaryDirectory()
        func run(_ level: String?, _ dir: String) throws -> (csv: [[String]], summary: [String: Any]) {
            let r = try CLI.run(
                [
                    "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27", "--model", "seasonal-naive", "--store", "none",
                    "--out", out.appendingPathComponent(dir).path
                ] + (level.map { ["--level", $0] } ?? []))
            #expect(r.code == 0, "\(r.stderr)")
            let day = out.appendingPathComponent("\(dir)/small-3/2000-08-27")
            let csv = try String(contentsOf: day.appendingPathComponent("forecast.csv"), encoding: .utf8).split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            return (csv, try JSONSerialization.jsonObject(with: Data(contentsOf: day.appendingPathComponent("summary.json"))) as! [String: Any])
        }
        let (c95, s95) = try run(nil, "a"), (c80, s80) = try run("80", "b")
        #expect(c95[0][6...7] == ["lower_95_kw", "upper_95_kw"] && c80[0][6...7] == ["lower_80_kw", "upper_80_kw"])
        #expect((s80["forecast"] as? [String: Any])?["interval_level"] as? Double == 0.8)
        #expect((s95["forecast"] as? [String: Any])?["interval_level"] as? Double == 0.95)
        #expect(s80["run_key"] as? String != s95["run_key"] as? String)
        #expect((s80["schedule"] as? [String: Any])?["objective"] as? Double == (s95["schedule"] as? [String: Any])?["objective"] as? Double)
        var narrower = 0
        for (a, b) in zip(c95.dropFirst(), c80.dropFirst()) {
            #expect(a[5] == b[5])  // the same point forecast
            let w95 = Double(a[7])! - Double(a[6])!, w80 = Double(b[7])! - Double(b[6])!
            #expect(w80 <= w95 + 1e-9)
            if w80 < w95 - 1e-9 { narrower += 1 }
        }
        #expect(narrower > 0)
        // The report's band and text name the level.
        let html = try String(contentsOf: out.appendingPathComponent("b/small-3/2000-08-27/report.html"), encoding: .utf8)
        #expect(html.contains("(80 % interval shaded)") && html.contains("80 % prediction interval") && !html.contains("95 %"))
        for bad in ["40", "80,95", "x"] {
            let r = try CLI.run(
                ["day-ahead", "--community", CLI.fixture("small-community.json"), "--level", bad, "--out", out.appendingPathComponent("bad").path])
            #expect(r.code == 2 && r.stderr.contains("--level"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("bad").path))
        }
    }

    /// An infeasible day still gets its report (with the diagnosis) and exits 3; without a pricing section the
    /// pricing is skipped and prices.csv is the header alone.
    @Test func anInfeasibleDayExitsThreeWithItsDiagnosis() throws {
        let dir = try CLI.temporaryDirectory()
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("small-community.json")))) as! [String: Any]
        var grid = json["grid"] as! [String: Any]
        grid["import_limit_kw"] = 0.5
        json["grid"] = grid
        json["pricing"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("c.json"))
        try FileManager.default.copyItem(atPath: CLI.fixture("small-history.csv"), toPath: dir.appendingPathComponent("small-history.csv").path)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run([
            "day-ahead", "--community", dir.appendingPathComponent("c.json").path, "--date", "2000-08-27",
            "--model", "seasonal-naive", "--out", out.path, "--store", "none"
        ])
        #expect(r.code == 3, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("schedule  infeasible") && r.stdout.contains("diagnosis import limit"))
        #expect(r.stdout.contains("pricing   skipped: the community file has no pricing section"))
        let day = out.appendingPathComponent("small-3/2000-08-27")
        let html = try String(contentsOf: day.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Diagnosis: import limit"))
        #expect(try String(contentsOf: day.appendingPathComponent("prices.csv"), encoding: .utf8) == "period,timestamp,charge_price,discharge_price\n")
        #expect(!FileManager.default.fileExists(atPath: day.appendingPathComponent("schedule.csv").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("peergrid.sqlite").path))
    }

    @Test func badHistoryExitsTwoNamingFileAndLine() throws {
        let dir = try CLI.temporaryDirectory()
        var lines = try String(contentsOfFile: CLI.fixture("small-history.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        lines[300] = lines[299]
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("small-history.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: CLI.fixture("small-community.json"), toPath: dir.appendingPathComponent("c.json").path)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["day-ahead", "--community", dir.appendingPathComponent("c.json").path, "--model", "seasonal-naive", "--out", out.path])
        #expect(r.code == 2)
        #expect(r.stderr.contains("small-history.csv:301: duplicate timestamp"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("small-3").path))
        // Nothing written, not even a new results store.
        #expect(!FileManager.default.fileExists(atPath: out.path), "bad input left \(out.path) behind")
        let bad = try CLI.run(["day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "27/08/2000", "--out", out.path])
        #expect(bad.code == 2 && bad.stderr.contains("--date"))
        let model = try CLI.run(["day-ahead", "--community", CLI.fixture("small-community.json"), "--model", "prophet", "--out", out.path])
        #expect(model.code == 2 && model.stderr.contains("unknown model 'prophet'"))
    }

    /// `--holidays`: a planned day in the calendar is named on the terminal; a bad calendar exits 2 naming file
    /// and line, before anything is written.
    @Test func holidaysAreNamedAndBadCalendarsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let calendar = dir.appendingPathComponent("uk.csv"), out = dir.appendingPathComponent("out")
        try "date,name\n2000-08-28,Summer bank holiday\n".write(to: calendar, atomically: true, encoding: .utf8)
        let base = ["day-ahead", "--community", CLI.fixture("small-community.json"), "--model", "seasonal-naive", "--store", "none"]
        var r = try CLI.run(base + ["--holidays", calendar.path, "--out", out.path])
        #expect(
            r.code == 0 && r.stdout.contains("note      2000-08-28 is a holiday in the calendar: the load series are forecast as Sundays"),
            "\(r.stdout)\(r.stderr)")
        try "date\n2000-08-28\n28.08.2000\n".write(to: calendar, atomically: true, encoding: .utf8)
        let other = dir.appendingPathComponent("other")
        r = try CLI.run(base + ["--holidays", calendar.path, "--out", other.path])
        #expect(r.code == 2 && r.stderr.contains("uk.csv:3: '28.08.2000' is not a date (YYYY-MM-DD)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: other.path))
    }

    /// `--history` where every series names its own CSV in the community file would not be read: refused, not
    /// dropped (it was ignored). The same file by another path is the one read, and runs.
    @Test func aHistoryThatWouldNotBeReadIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        for name in ["small-history.csv", "small-community.json"] {
            try FileManager.default.copyItem(atPath: CLI.fixture(name), toPath: dir.appendingPathComponent(name).path)
        }
        try FileManager.default.copyItem(atPath: CLI.fixture("small-history.csv"), toPath: dir.appendingPathComponent("other.csv").path)
        let base = ["day-ahead", "--community", "small-community.json", "--model", "seasonal-naive", "--store", "none"]
        let other = try CLI.run(base + ["--history", "other.csv", "--out", "o1"], in: dir)
        #expect(other.code == 2 && other.stderr.contains("--history other.csv would not be used"), "\(other.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o1").path))
        let same = try CLI.run(base + ["--history", "./small-history.csv", "--out", "o2"], in: dir)
        #expect(same.code == 0, "\(same.stderr)")
    }

    /// On the demo, whose seven PV series share one sky, the deviations most PV meters show at the same time are
    /// left out of the anomaly table and counted (they were 168 of 171 rows); no PV row is left in the table.
    @Test func deviationsEveryPVMeterSharesAreNotListed() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "day-ahead", "--community", CLI.packageRoot.appendingPathComponent("Datasets/demo/community.json").path, "--model", "seasonal-naive",
            "--store", "none", "--out", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let md = try String(contentsOf: out.appendingPathComponent("demo-10/2000-08-28/report.md"), encoding: .utf8)
        let tail: String = md.components(separatedBy: "## Meter anomalies in the history").last ?? ""
        let section: String = tail.components(separatedBy: "## Energy flows").first ?? ""
        #expect(section.contains("Left out: 168 flags outside the band or spikes that at least half of the PV series show at the same time"), "\(section)")
        #expect(!section.contains("| pv |"), "\(section)")
    }

    /// `--auto-candidates` sets what `auto` chooses among (each candidate's validation MAE is in the summary); a model
    /// `auto` cannot keep, or an empty list, exits 2 before anything is read or written.
    @Test func autoCandidatesAreChosenAmongAndCheckedFirst() throws {
        let out = try CLI.temporaryDirectory()
        let r = try CLI.run([
            "day-ahead", "--community", CLI.fixture("small-community.json"), "--date", "2000-08-27",
            "--auto-candidates", "seasonal-naive, mstl-ets", "--store", "none", "--out", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("small-3/2000-08-27/summary.json"))) as! [String: Any]
        let series = (summary["forecast"] as! [String: Any])["series"] as! [[String: Any]]
        let selected = series.compactMap { $0["selection_mae_kw"] as? [String: Double] }.filter { !$0.isEmpty }
        #expect(!selected.isEmpty && selected.allSatisfy { Set($0.keys) == ["seasonal-naive", "mstl-ets"] }, "\(selected)")
        #expect(series.allSatisfy { ["seasonal-naive", "mstl-ets", "zero"].contains($0["model"] as? String ?? "") })
        for (option, value, message) in [
            ("--auto-candidates", "seasonal-naive,lstm", "auto cannot choose 'lstm'"), ("--auto-candidates", ",", "no candidate given"),
            ("--auto-candidates", "arima,seasonal-naive,arima", "arima is named twice"),
            ("--calibration-days", "400", "--calibration-days must be 0 to 366"),
            // Settings the run would not use are refused, not dropped.
            ("--model", "seasonal-naive --auto-candidates arima", "--auto-candidates applies to --model auto only"),
            ("--epochs", "3", "--seed and --epochs apply to --model lstm or cnn only (auto trains no network)"),
            ("--market-steps", "3", "--market-steps applies with --market only")
        ] {
            let bad = try CLI.run(
                ["day-ahead", "--community", CLI.fixture("small-community.json"), option]
                    + value.split(separator: " ").map(String.init) + ["--out", out.appendingPathComponent("bad").path])
            #expect(bad.code == 2 && bad.stderr.contains(message), "\(bad.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("bad").path))
        }
    }

    /// Three shards as three concurrent processes merge to the same table and the same files as one unsharded run.
    @Test func threeShardsEqualOneUnshardedRun() throws {
        let whole = try CLI.temporaryDirectory(), sharded = try CLI.temporaryDirectory()
        let manifest = CLI.fixture("manifest.csv")
        let one = try CLI.run(["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", whole.path])
        #expect(one.code == 0, "\(one.stderr)")
        #expect(one.stdout.contains("4 done, 0 skipped"))
        let processes = try (0..<3).map { i -> Process in
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["batch", "--manifest", manifest, "--shard", "\(i)/3", "--model", "seasonal-naive", "--out", sharded.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        for dir in [whole, sharded] {
            let m = try CLI.run(["batch", "merge", "--manifest", manifest, "--out", dir.path])
            #expect(m.code == 0, "\(m.stderr)")
        }
        let a = try String(contentsOf: whole.appendingPathComponent("batch.csv"), encoding: .utf8)
        let b = try String(contentsOf: sharded.appendingPathComponent("batch.csv"), encoding: .utf8)
        #expect(a == b)
        #expect(a.hasPrefix("line,community,date,status,cost,standalone_cost,savings,pricing_status,profit,models,run_key,forecast_error_cost\n"))
        #expect(a.split(separator: "\n").count == 5 && !a.contains("missing"))
        #expect(try dataFiles(whole) == dataFiles(sharded))
        #expect(try dataFiles(whole).count == 4 * 3)
        // The overview report: the same bytes, every entry linked to a report that exists, the chart beside the
        // Markdown.
        let html = try String(contentsOf: whole.appendingPathComponent("batch.html"), encoding: .utf8)
        #expect(try html == String(contentsOf: sharded.appendingPathComponent("batch.html"), encoding: .utf8))
        let links = html.components(separatedBy: "<a href=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(links.count == 4 && links.allSatisfy { $0.hasSuffix("/report.html") && !$0.hasPrefix("/") }, "\(links)")
        for link in links { #expect(FileManager.default.fileExists(atPath: whole.appendingPathComponent(link).path), "\(link)") }
        #expect(html.contains("4 manifest entries") && html.contains("<svg"))
        let md = try String(contentsOf: whole.appendingPathComponent("batch.md"), encoding: .utf8)
        #expect(md.contains("](batch-charts/savings.svg)"))
        #expect(FileManager.default.fileExists(atPath: whole.appendingPathComponent("batch-charts/savings.svg").path))
        // The shared store has one row per community.
        let list = try CLI.run(["history", "--store", sharded.appendingPathComponent("peergrid.sqlite").path])
        #expect(list.stdout.split(separator: "\n").count == 5)
        // Merge does not depend on the settings the batch ran with: a batch with a time limit merges the same.
        let limited = try CLI.temporaryDirectory()
        #expect(try CLI.run(["batch", "--manifest", manifest, "--model", "seasonal-naive", "--time-limit", "300", "--out", limited.path]).code == 0)
        #expect(try CLI.run(["batch", "merge", "--manifest", manifest, "--out", limited.path]).code == 0)
        #expect(try String(contentsOf: limited.appendingPathComponent("batch.csv"), encoding: .utf8).split(separator: "\n").count == 5)
        // A rerun skips everything.
        let again = try CLI.run(["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", whole.path])
        #expect(again.code == 0 && again.stdout.contains("0 done, 4 skipped"))
        // Slurm's environment picks the shard.
        let slurm = try CLI.temporaryDirectory()
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", slurm.path, "--store", "none"]
        p.environment = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && text.contains("shard 1/2, 2 of 4 communities"), "\(text)")
    }

    /// Killed at several moments and run again, a batch ends with the same files as an uninterrupted run and
    /// nothing partial.
    @Test func killingAndRerunningGivesTheSameResults() throws {
        let manifest = CLI.fixture("manifest.csv")
        let reference = try CLI.temporaryDirectory()
        let ref = try CLI.run(["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", reference.path])
        #expect(ref.code == 0, "\(ref.stderr)")
        for delay in [0.05, 0.4, 1.2] {
            let out = try CLI.temporaryDirectory()
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", out.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            // Whatever was written is complete: every report directory has all its files.
            for (rel, _) in try dataFiles(out) where rel.hasSuffix("forecast.csv") {
                let dir = out.appendingPathComponent(rel).deletingLastPathComponent()
                for f in ["schedule.csv", "prices.csv", "summary.json", "report.html"] {
                    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), "partial report after a kill at \(delay) s")
                }
            }
            let again = try CLI.run(["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", out.path])
            #expect(again.code == 0, "\(again.stderr)")
            #expect(try dataFiles(out) == dataFiles(reference), "different results after a kill at \(delay) s")
            #expect(hiddenEntries(out).isEmpty, "left behind: \(hiddenEntries(out))")
            let list = try CLI.run(["history", "--store", out.appendingPathComponent("peergrid.sqlite").path])
            #expect(list.stdout.split(separator: "\n").count == 5, "one row per community after a kill at \(delay) s:\n\(list.stdout)")
        }
    }
}

@Suite struct BacktestReportTests {
    @Test func backtestWritesAnHTMLReportComparingModels() throws {
        let out = try CLI.temporaryDirectory().appendingPathComponent("bt")
        let r = try CLI.run([
            "backtest", "--data", CLI.fixture("small-history.csv"), "--column", "h02_load_kw", "--horizon", "48",
            "--test-days", "3", "--models", "seasonal-naive,seasonal-naive-day", "--report", out.path
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("Errors per model") && html.contains("MAE by time of day") && html.contains("Test day 3"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 2 + 3)
        #expect(!html.contains("<script"))
        // A directory with other files is not replaced.
        let busy = try CLI.temporaryDirectory()
        try "keep".write(to: busy.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let refused = try CLI.run([
            "backtest", "--data", CLI.fixture("small-history.csv"), "--column", "h02_load_kw", "--horizon", "48",
            "--test-days", "3", "--report", busy.path
        ])
        #expect(refused.code == 2 && FileManager.default.fileExists(atPath: busy.appendingPathComponent("notes.txt").path))
    }
}

/// `batch --store-dir`: stores named after manifest entries, so any shard layout finds finished work.
@Suite(.serialized) struct BatchStoreDirTests {
    @Test func resubmittingWithAnotherShardLayoutRecomputesNothingAndCountsEachRunOnce() throws {
        let out = try CLI.temporaryDirectory()
        let manifest = CLI.fixture("manifest.csv")
        let stores = out.appendingPathComponent("stores").path
        for i in 0..<2 {
            let r = try CLI.run([
                "batch", "--manifest", manifest, "--shard", "\(i)/2", "--model", "seasonal-naive", "--out", out.path,
                "--store-dir", stores
            ])
            #expect(r.code == 0 && r.stdout.contains("2 done, 0 skipped"), "\(r.stdout)\(r.stderr)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: stores).filter { $0.hasSuffix(".sqlite") }.sorted()
        #expect(names.count == 4, "one store per entry: \(names)")
        #expect(names.allSatisfy { $0.hasPrefix("small-community-2000-08-2") }, "\(names)")
        // Slurm resubmitting one task of an array (--array=1 alone: count 1) and another array size: all skipped.
        for env in [
            ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "1", "SLURM_ARRAY_TASK_MIN": "1"],
            ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"]
        ] {
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["batch", "--manifest", manifest, "--model", "seasonal-naive", "--out", out.path, "--store-dir", stores]
            p.environment = env
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0 && text.contains(": 0 done, ") && !text.contains(": 0 done, 0 skipped"), "\(env): \(text)")
        }
        let merged = out.appendingPathComponent("all.sqlite").path
        let m1 = try CLI.run(["batch", "merge", "--manifest", manifest, "--out", out.path, "--store-dir", stores, "--store", merged])
        #expect(m1.code == 0 && m1.stdout.contains("merged 4 of 4") && m1.stdout.contains("4 runs added, 0 there already"), "\(m1.stdout)")
        let m2 = try CLI.run(["batch", "merge", "--manifest", manifest, "--out", out.path, "--store-dir", stores, "--store", merged])
        #expect(m2.stdout.contains("0 runs added, 4 there already"), "\(m2.stdout)")
        let history = try CLI.run(["history", "--store", merged])
        #expect(history.code == 0 && history.stdout.split(separator: "\n").filter { $0.contains("small-3") }.count == 4, "\(history.stdout)")
    }

    @Test func theMergeNamesFailedEntries() throws {
        let dir = try CLI.temporaryDirectory()
        let manifest = dir.appendingPathComponent("m.csv")
        try "community,history,date,model\n\(CLI.fixture("small-community.json")),,2000-08-27,\n\(dir.path)/missing.json,,2000-08-27,\n"
            .write(to: manifest, atomically: true, encoding: .utf8)
        let run = try CLI.run(["batch", "--manifest", manifest.path, "--model", "seasonal-naive", "--out", dir.path, "--store-dir", dir.path + "/stores"])
        #expect(run.code == 2 && run.stderr.contains("m.csv:3:"), "\(run.stderr)")
        let merge = try CLI.run(["batch", "merge", "--manifest", manifest.path, "--out", dir.path, "--store-dir", dir.path + "/stores"])
        #expect(merge.code == 4 && merge.stdout.contains("merged 1 of 2") && merge.stdout.contains("line 3: "), "\(merge.stdout)")
        // The overview names the entry without a result and links only the one with a report; with --to elsewhere,
        // the link climbs back to the report.
        let html = try String(contentsOf: dir.appendingPathComponent("batch.html"), encoding: .utf8)
        #expect(html.contains("No result: line 3 (") && html.components(separatedBy: "<a href=").count == 2)
        let elsewhere = try CLI.run(["batch", "merge", "--manifest", manifest.path, "--out", dir.path, "--to", dir.path + "/tables/t.csv"])
        #expect(elsewhere.code == 4 && elsewhere.stdout.contains("report \(dir.path)/tables/t.html"), "\(elsewhere.stdout)")
        let moved = try String(contentsOf: dir.appendingPathComponent("tables/t.html"), encoding: .utf8)
        #expect(moved.contains("<a href=\"../small-3/2000-08-27/report.html\">"))
    }

    /// A store is created by the first entry that succeeds: a batch whose entries all fail leaves no store behind
    /// (neither the shared one nor any per-entry one), and `--store-dir` holds stores of the entries that ran only.
    @Test func aBatchCreatesStoresOnlyForRunsThatSucceeded() throws {
        let dir = try CLI.temporaryDirectory()
        let failing = dir.appendingPathComponent("failing.csv")
        try "community,history,date,model\n\(dir.path)/missing.json,,2000-08-27,\n\(dir.path)/absent.json,,2000-08-27,\n"
            .write(to: failing, atomically: true, encoding: .utf8)
        let shared = try CLI.run(["batch", "--manifest", failing.path, "--model", "seasonal-naive", "--out", dir.path + "/a"])
        #expect(shared.code == 2 && shared.stderr.contains("failing.csv:2:") && shared.stderr.contains("failing.csv:3:"), "\(shared.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/a/peergrid.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/a/peergrid.sqlite.lock"))
        let perEntry = try CLI.run([
            "batch", "--manifest", failing.path, "--model", "seasonal-naive", "--out", dir.path + "/b", "--store-dir", dir.path + "/stores"
        ])
        #expect(perEntry.code == 2)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/stores")) ?? []).isEmpty)
        // One entry succeeds after one fails: the shared store is created then and holds its run.
        let mixed = dir.appendingPathComponent("mixed.csv")
        try "community,history,date,model\n\(dir.path)/missing.json,,2000-08-27,\n\(CLI.fixture("small-community.json")),,2000-08-27,\n"
            .write(to: mixed, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["batch", "--manifest", mixed.path, "--model", "seasonal-naive", "--out", dir.path + "/c"]).code == 2)
        let history = try CLI.run(["history", "--store", dir.path + "/c/peergrid.sqlite"])
        #expect(history.code == 0 && history.stdout.split(separator: "\n").filter { $0.contains("small-3") }.count == 1, "\(history.stdout)")
        // The store gone (a run killed after its report was written and before the store was created), the
        // entry is not taken as done: it runs again and is recorded.
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: dir.path + "/c/peergrid.sqlite" + suffix) }
        let again = try CLI.run(["batch", "--manifest", mixed.path, "--model", "seasonal-naive", "--out", dir.path + "/c"])
        #expect(again.code == 2 && again.stdout.contains("1 done, 0 skipped"), "\(again.stdout)")
        let recorded = try CLI.run(["history", "--store", dir.path + "/c/peergrid.sqlite"])
        #expect(recorded.stdout.split(separator: "\n").filter { $0.contains("small-3") }.count == 1, "\(recorded.stdout)")
    }
}
