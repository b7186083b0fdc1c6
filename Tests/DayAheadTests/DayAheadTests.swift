import DayAhead
import Forecast
import Foundation
import Optimize
import ResultStore
import Synchronization
import TestFixtures
import Testing

enum Fixture {
    static let directory = TestFixtures.directory
    static var community: String { directory.appendingPathComponent("small-community.json").path }
    static var history: String { directory.appendingPathComponent("small-history.csv").path }

    static func temporaryDirectory() throws -> URL {
        try TestScratch.directory("peergrid-dayahead")
    }

    /// The fixture community and a history edited by `edit` (a list of CSV lines), in a new directory.
    static func editedHistory(_ edit: (inout [String]) -> Void) throws -> (community: String, history: String) {
        let dir = try temporaryDirectory()
        var lines = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n").map(String.init)
        edit(&lines)
        let h = dir.appendingPathComponent("small-history.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: h, atomically: true, encoding: .utf8)
        let c = dir.appendingPathComponent("small-community.json")
        try FileManager.default.copyItem(atPath: community, toPath: c.path)
        return (c.path, h.path)
    }

    static func options(_ model: String = "seasonal-naive", date: String? = "2000-08-27") -> DayAheadOptions {
        var o = DayAheadOptions()
        o.model = model
        o.date = date
        // The pricing's limit is wall-clock time, and in a parallel test run that includes waiting for the solvers'
        // process-wide locks: a generous limit keeps the results independent of the machine's load.
        o.pricingTimeLimit = 3600
        return o
    }
}

@Suite struct DayAheadPlannerTests {
    @Test func plansTheDayFromHistory() throws {
        let r = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        #expect(r.date == "2000-08-27")
        #expect(r.community.prosumers.count == 3)
        #expect(r.forecasts.count == 6)
        #expect(r.schedule.status == .optimal)
        #expect(r.pricing?.status == .optimal)
        #expect(r.pricing?.check?.passed == true)
        // Every series has actuals on that day (the history covers it).
        #expect(r.forecasts.allSatisfy { $0.actual?.count == 24 })
        #expect(r.forecasts.allSatisfy { f in f.point.allSatisfy { $0 >= 0 } && zip(f.lower, f.upper).allSatisfy { $0 <= $1 + 1e-12 } })
    }

    /// The weekly seasonal naive forecast of an hourly period is the mean of the two half-hours a week earlier:
    /// checks the split at the day, the horizon and the aggregation to the community's periods.
    @Test func forecastsAreAggregatedToTheCommunityPeriod() throws {
        let r = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        let s = try TimeSeriesCSV.read(Fixture.history, column: "h02_load_kw")
        let dayStart = try #require(ISO8601DateFormatter().date(from: "2000-08-27T00:00:00Z"))
        let origin = Int(dayStart.timeIntervalSince(s.start) / s.step)
        let f = try #require(r.forecasts.first { $0.source.prosumer == "h02" && $0.source.kind == .load })
        #expect(f.model == "seasonal-naive")
        #expect(f.observations == origin)
        for t in 0..<24 {
            let weekAgo = origin - 336 + 2 * t
            let expected = (s.values[weekAgo] + s.values[weekAgo + 1]) / 2
            #expect(abs(f.point[t] - expected) < 1e-9)
            #expect(abs(f.actual![t] - (s.values[origin + 2 * t] + s.values[origin + 2 * t + 1]) / 2) < 1e-9)
        }
        #expect(r.community.prosumers[0].loadKW == f.point)
    }

    /// `--calibration-days C`: the day's interval is the point +- the split-conformal half-width of the same
    /// forecaster refitted at the C days before (``ConformalCalibration``), aggregated to the community's periods;
    /// the point forecast and the schedule's inputs do not change.
    @Test func calibratedIntervalsAreTheConformalHalfWidths() throws {
        var o = Fixture.options()
        o.calibrationDays = 3
        let r = try DayAheadPlanner(options: o).run(communityFile: Fixture.community, history: nil)
        let plain = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        #expect(r.runKey != plain.runKey)
        let s = try TimeSeriesCSV.read(Fixture.history, column: "h02_load_kw")
        let dayStart = try #require(ISO8601DateFormatter().date(from: "2000-08-27T00:00:00Z"))
        let history = s.prefix(Int(dayStart.timeIntervalSince(s.start) / s.step))
        let widths = try ConformalCalibration.halfWidths(
            model: try ForecasterCatalog.make("seasonal-naive", periodsPerDay: 48), series: history, horizon: 48, days: 3)
        let f = try #require(r.forecasts.first { $0.source.prosumer == "h02" && $0.source.kind == .load })
        let before = try #require(plain.forecasts.first { $0.source.prosumer == "h02" && $0.source.kind == .load })
        #expect(f.point == before.point && f.upper != before.upper)
        for t in 0..<24 {
            let w = try (#require(widths[2 * t]) + #require(widths[2 * t + 1])) / 2
            #expect(abs(f.upper[t] - f.point[t] - w) < 1e-9)
        }
        #expect(r.community.prosumers.map(\.loadKW) == plain.community.prosumers.map(\.loadKW))
        // Too little history for the calibration origins names the series and exits as bad input.
        o.calibrationDays = 300
        #expect {
            try DayAheadPlanner(options: o).run(communityFile: Fixture.community, history: nil)
        } throws: { e in "\(e)".contains("with --calibration-days 300") && (e as? DayAheadError)?.kind == .badInput }
        o.calibrationDays = -1
        #expect { try DayAheadPlanner(options: o).run(communityFile: Fixture.community, history: nil) } throws: {
            "\($0)".contains("--calibration-days must be 0 to 366")
        }
        // A library caller's impossible interval level is refused before anything is fitted.
        for bad in [1.5, 0.2, Double.nan] {
            var l = Fixture.options()
            l.level = bad
            #expect { try DayAheadPlanner(options: l).run(communityFile: Fixture.community, history: nil) } throws: {
                "\($0)".contains("--level must be 50 to 99.9 percent") && ($0 as? DayAheadError)?.kind == .badInput
            }
        }
        // --aci-days adapts the level first, as ConformalCalibration does, and is part of the run key.
        var adaptive = Fixture.options()
        (adaptive.calibrationDays, adaptive.aciDays) = (3, 4)
        let a = try DayAheadPlanner(options: adaptive).run(communityFile: Fixture.community, history: nil)
        #expect(a.runKey != r.runKey)
        let adapted = try ConformalCalibration.halfWidths(
            model: try ForecasterCatalog.make("seasonal-naive", periodsPerDay: 48), series: history, horizon: 48, days: 3, adaptiveDays: 4,
            adaptiveGamma: Backtest.recommendedAdaptiveGamma)
        let g = try #require(a.forecasts.first { $0.source.prosumer == "h02" && $0.source.kind == .load })
        for t in 0..<24 {
            let w = try (#require(adapted[2 * t]) + #require(adapted[2 * t + 1])) / 2
            #expect(abs(g.upper[t] - g.point[t] - w) < 1e-9)
        }
        adaptive.calibrationDays = 0
        #expect { try DayAheadPlanner(options: adaptive).run(communityFile: Fixture.community, history: nil) } throws: {
            "\($0)".contains("--aci-days needs --calibration-days") && ($0 as? DayAheadError)?.kind == .badInput
        }
    }

    @Test func autoPicksTheModelWithTheLowestBacktestError() throws {
        var o = Fixture.options("auto")
        o.autoCandidates = ["seasonal-naive", "seasonal-naive-day", "ar-weekly"]
        o.autoTestDays = 2
        let r = try DayAheadPlanner(options: o).run(communityFile: Fixture.community, history: nil)
        for f in r.forecasts where f.model != "zero" {
            #expect(f.selection.count == 3)
            let best = try #require(f.selection.min { $0.mae < $1.mae })
            #expect(f.model == best.model)
        }
        // h06 has no PV: its series is zero and stays zero.
        let pv = try #require(r.forecasts.first { $0.source.prosumer == "h06" && $0.source.kind == .pv })
        #expect(pv.model == "zero" && pv.point.allSatisfy { $0 == 0 })
    }

    @Test func autoRefusesACandidateItCannotChoose() throws {
        var o = Fixture.options("auto")
        o.autoCandidates = ["seasonal-naive", "lstm"]
        #expect {
            try DayAheadPlanner(options: o).run(communityFile: Fixture.community, history: nil)
        } throws: { e in
            "\(e)".contains("auto cannot choose 'lstm'") && (e as? DayAheadError).map { $0.kind == .badInput } == true
        }
    }

    /// When the history covers the day, the plan is kept on what was metered: the homes' battery powers stay the
    /// plan's, the kept plan never costs less than the metered day's optimum, and summary.json and the report say
    /// so. The day after the history has no metered day. The agents check their plan themselves, at the same
    /// costs within the clearing's tolerance.
    @Test func thePlanIsKeptOnTheMeteredDay() throws {
        let r = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        let d = try #require(r.meteredDay)
        #expect(d.holdsDecisions && d.keptStatus == .optimal && d.optimumStatus == .optimal)
        #expect(abs(d.planCost - r.schedule.objective!) < 1e-9)
        let (kept, optimum) = (try #require(d.keptCost), try #require(d.optimumCost))
        #expect(kept >= optimum - 1e-6 * max(1, abs(optimum)) && abs(d.forecastErrorCost! - (kept - optimum)) < 1e-12)
        let files = DayAheadOutputs.files(r)
        let summary = try JSONSerialization.jsonObject(with: Data(files.first { $0.name == "summary.json" }!.text.utf8)) as! [String: Any]
        let json = try #require(summary["metered_day"] as? [String: Any])
        #expect(json["kept_status"] as? String == "optimal" && abs((json["kept_cost"] as! Double) - kept) < 1e-9)
        #expect(files.first { $0.name == "report.md" }!.text.contains("On the metered day"))
        let later = try DayAheadPlanner(options: Fixture.options(date: nil)).run(communityFile: Fixture.community, history: nil)
        #expect(later.meteredDay == nil)
        var agents = Fixture.options()
        agents.method = .agents
        let byAgents = try #require(try DayAheadPlanner(options: agents).run(communityFile: Fixture.community, history: nil).meteredDay)
        #expect(byAgents.keptStatus.hasSolution && byAgents.optimumStatus.hasSolution)
        let agentsOptimum = try #require(byAgents.optimumCost)
        #expect(abs(agentsOptimum - optimum) <= 1e-3 * max(1, abs(optimum)), "agents \(agentsOptimum), central \(optimum)")
        #expect(try #require(byAgents.keptCost) >= optimum - 1e-6 * max(1, abs(optimum)))
    }

    @Test func theDefaultDayIsTheDayAfterTheHistory() throws {
        let r = try DayAheadPlanner(options: Fixture.options(date: nil)).run(communityFile: Fixture.community, history: nil)
        #expect(r.date == "2000-08-28")
        #expect(r.forecasts.allSatisfy { $0.actual == nil })
        #expect(r.forecasts.allSatisfy { $0.leadSeconds == 0 }, "the history runs up to the day")
        // Three days after the history's end: the forecasts run 48 hours further ahead, and say so.
        let later = try DayAheadPlanner(options: Fixture.options(date: "2000-08-30")).run(communityFile: Fixture.community, history: nil)
        #expect(later.forecasts.allSatisfy { $0.leadSeconds == 48 * 3600 }, "\(later.forecasts.map(\.leadSeconds))")
    }

    /// `--holidays`: on a holiday the load forecasts move to a Sunday's profile (lower, for loads shaped like
    /// national demand), PV does not move, and the report, the summary and the run key say so.
    @Test func aHolidayLowersTheLoadForecastsOnly() throws {
        let plain = try DayAheadPlanner(options: Fixture.options(date: nil)).run(communityFile: Fixture.community, history: nil)
        var o = Fixture.options(date: nil)
        o.holidays = try HolidayCalendar(dates: ["2000-08-28"])
        let told = try DayAheadPlanner(options: o).run(communityFile: Fixture.community, history: nil)
        for (a, b) in zip(plain.forecasts, told.forecasts) {
            #expect(a.source.prosumer == b.source.prosumer && a.source.kind == b.source.kind)
            if a.source.kind == .pv {
                #expect(a.point == b.point)
            } else {
                let ratio = b.point.reduce(0, +) / a.point.reduce(0, +)
                #expect(ratio < 0.98 && ratio > 0.5, "\(a.source.prosumer): \(ratio)")
            }
        }
        let files = DayAheadOutputs.files(told)
        let report = try #require(files.first { $0.name == "report.md" }?.text)
        #expect(report.contains("Holidays: 1 date (days in UTC)") && report.contains("2000-08-28 is one of them"))
        #expect(files.first { $0.name == "summary.json" }?.text.contains("\"holidays\": [\"2000-08-28\"]") == true)
        #expect(told.runKey != plain.runKey)
    }

    @Test func sameInputsGiveTheSameFiles() throws {
        let a = DayAheadOutputs.files(try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil))
        let b = DayAheadOutputs.files(try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil))
        for name in ["forecast.csv", "schedule.csv", "prices.csv"] {
            #expect(a.first { $0.name == name }?.text == b.first { $0.name == name }?.text, "\(name) differs")
        }
    }

    @Test func theReportIsSelfContained() throws {
        let r = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        let files = DayAheadOutputs.files(r)
        let names = Set(files.map(\.name))
        for n in [
            "report.html", "report.md", "forecast.csv", "schedule.csv", "prices.csv", "summary.json",
            "charts/flows.svg", "charts/batteries.svg", "charts/pool.svg", "charts/prices.svg", "charts/forecast-load.svg"
        ] {
            #expect(names.contains(n), "missing \(n)")
        }
        let html = try #require(files.first { $0.name == "report.html" }?.text)
        #expect(!html.contains("<script") && !html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(!html.contains("src=") && !html.contains("<link"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 6)
        for section in [
            "Forecasts against history", "Meter anomalies in the history", "Energy flows", "Batteries", "Pool trades", "Prices", "Bills and savings",
            "Solvers", "Data and provenance"
        ] {
            #expect(html.contains(section), "no section \(section)")
        }
        #expect(html.contains("three households of the bundled demo community"))
        let csv = try #require(files.first { $0.name == "forecast.csv" }?.text).split(separator: "\n")
        #expect(csv.count == 1 + 6 * 24)
        #expect(csv[0] == "prosumer,series,period,timestamp,model,forecast_kw,lower_95_kw,upper_95_kw,actual_kw")
    }
}

@Suite struct BadHistoryTests {
    func failure(_ edit: (inout [String]) -> Void, timeZone: TimeZone? = nil) throws -> TimeSeriesError {
        let (c, _) = try Fixture.editedHistory(edit)
        var o = Fixture.options()
        o.timeZone = timeZone
        do {
            _ = try DayAheadPlanner(options: o).run(communityFile: c, history: nil)
        } catch let DayAheadError.history(e) {
            return e
        }
        Issue.record("no error")
        return TimeSeriesError(file: "", line: nil, message: "")
    }

    /// The history file, read once for all its series, as a Windows export (BOM, CRLF, quoted header and cells)
    /// forecasts exactly as the plain file does; a bad cell in it is named by file, line and column.
    @Test func aWindowsHistoryReadOnceForAllSeries() throws {
        let plain = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        func windows(_ edit: (inout [String]) -> Void) throws -> String {
            let (c, h) = try Fixture.editedHistory(edit)
            let lines = try String(contentsOfFile: h, encoding: .utf8).split(separator: "\n").map { line in
                line.split(separator: ",", omittingEmptySubsequences: false).map { "\"\($0)\"" }.joined(separator: ",")
            }
            try Data(("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: h))
            return c
        }
        let r = try DayAheadPlanner(options: Fixture.options()).run(communityFile: try windows { _ in }, history: nil)
        let csv = { (x: DayAheadResult) in DayAheadOutputs.files(x).first { $0.name == "forecast.csv" }?.text }
        #expect(csv(r) != nil && csv(r) == csv(plain))
        let bad = try windows { lines in
            var cells = lines[300].split(separator: ",").map(String.init)
            cells[2] = "n/a"
            lines[300] = cells.joined(separator: ",")
        }
        do {
            _ = try DayAheadPlanner(options: Fixture.options()).run(communityFile: bad, history: nil)
            Issue.record("accepted")
        } catch let DayAheadError.history(e) {
            #expect(e.file.hasSuffix("small-history.csv") && e.line == 301 && e.message.contains("'n/a'"), "\(e)")
        }
    }

    @Test func aGapNamesTheLine() throws {
        let e = try failure { $0.remove(at: 100) }
        #expect(e.file.hasSuffix("small-history.csv") && e.line == 101 && e.message.contains("gap"))
    }

    @Test func aDuplicatedTimestampNamesTheLine() throws {
        let e = try failure { $0[51] = $0[50] }
        #expect(e.line == 52 && e.message.contains("duplicate timestamp"))
    }

    @Test func textInANumberColumnNamesTheLineAndColumn() throws {
        let e = try failure { lines in
            var cells = lines[200].split(separator: ",").map(String.init)
            cells[1] = "n/a"
            lines[200] = cells.joined(separator: ",")
        }
        #expect(e.line == 201 && e.message.contains("'n/a'") && e.message.contains("h02_load_kw"))
    }

    @Test func localTimesWithoutAZoneAreRefused() throws {
        let e = try failure { lines in
            for k in 1..<lines.count { lines[k] = lines[k].replacingOccurrences(of: "Z,", with: ",") }
        }
        #expect(e.line == 2 && e.message.contains("--timezone"))
    }

    @Test func aDaylightSavingJumpInLocalTimeNamesTheLine() throws {
        // Local London times across the spring change of 2000-03-26: 01:00 and 01:30 do not exist.
        let e = try failure(
            { lines in
                let f = DateFormatter()
                f.locale = Locale(identifier: "en_US_POSIX")
                f.timeZone = TimeZone(identifier: "UTC")
                f.dateFormat = "yyyy-MM-dd'T'HH:mm"
                var t = f.date(from: "2000-03-25T00:00")!
                for k in 1..<lines.count {
                    let rest = lines[k].split(separator: ",", maxSplits: 1)[1]
                    lines[k] = f.string(from: t) + "," + rest
                    t = t.addingTimeInterval(1800)
                }
            }, timeZone: TimeZone(identifier: "Europe/London"))
        #expect(e.line == 2 + 48 + 2, "\(e)")
        #expect(e.message.contains("does not exist in Europe/London"))
    }

    @Test func aSeriesTooShortToForecastNamesFileAndLine() throws {
        let e = try failure { lines in lines = [lines[0]] + Array(lines[(lines.count - 48 * 8)...]) }
        #expect(e.file.hasSuffix("small-history.csv"))
        #expect(e.message.contains("needs at least") && e.line != nil)
    }
}

@Suite struct BatchPartsTests {
    @Test func shardsSplitTheManifestAndComeFromTheCluster() throws {
        let s = try Shard.parse("1/3")
        #expect((0..<7).filter { s.contains(position: $0) } == [1, 4])
        #expect(throws: DayAheadError.self) { try Shard.parse("3/3") }
        #expect(throws: DayAheadError.self) { try Shard.parse("x") }
        #expect(
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"]) == Shard(index: 2, count: 3))
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0", "PEERGRID_SHARD_COUNT": "4"]) == Shard(index: 0, count: 4))
        #expect(throws: DayAheadError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"]) }
        #expect(try Shard.fromEnvironment([:]) == nil)
    }

    @Test func badManifestsNameTheLine() throws {
        let dir = try Fixture.temporaryDirectory()
        let m = dir.appendingPathComponent("m.csv")
        try "community,history,date\n# comment\na.json,,2000-01-01\nb.json\n".write(to: m, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.read(m.path) } throws: { "\($0)".contains("m.csv:4: 1 fields where the header has 3") }
        try "communities\n".write(to: m, atomically: true, encoding: .utf8)
        #expect { try BatchManifest.read(m.path) } throws: { "\($0)".contains("m.csv:1:") }
        try "community,date\na.json,2000-01-01\n".write(to: m, atomically: true, encoding: .utf8)
        let ok = try BatchManifest.read(m.path)
        #expect(ok.entries.count == 1 && ok.entries[0].date == "2000-01-01" && ok.entries[0].community == dir.appendingPathComponent("a.json").path)
    }

    /// A manifest's optional `holidays` column gives an entry its own calendar (a bad one fails that entry alone,
    /// naming file and line); entries without it keep the identity they had before the column existed.
    @Test func manifestEntriesMayNameTheirHolidays() throws {
        let dir = try Fixture.temporaryDirectory()
        try FileManager.default.copyItem(atPath: Fixture.community, toPath: dir.appendingPathComponent("c.json").path)
        try FileManager.default.copyItem(atPath: Fixture.history, toPath: dir.appendingPathComponent("small-history.csv").path)
        try "date,name\n2000-08-28,Summer bank holiday\n".write(to: dir.appendingPathComponent("uk.csv"), atomically: true, encoding: .utf8)
        try "date\n2000-08-32\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let m = dir.appendingPathComponent("m.csv")
        try "community,history,date,model,holidays\nc.json,,,,\nc.json,,,,uk.csv\nc.json,,,,bad.csv\n".write(to: m, atomically: true, encoding: .utf8)
        let manifest = try BatchManifest.read(m.path)
        #expect(manifest.entries.map(\.holidays) == [nil, dir.appendingPathComponent("uk.csv").path, dir.appendingPathComponent("bad.csv").path])
        #expect(manifest.entries[0].identity == ["c.json", "", "", ""].joined(separator: "\u{1}"))
        #expect(manifest.entries[1].identity != manifest.entries[0].identity)
        let out = try Fixture.temporaryDirectory()
        let run = BatchRun(
            manifest: manifest, shard: try Shard(index: 0, count: 1), outRoot: out.path, storePath: nil, storeDirectory: nil,
            options: { Fixture.options("seasonal-naive", date: $0) })
        var loads: [Double] = [], failures: [String] = []
        try run.run(progress: { _, _ in }) { _, _, outcome in
            switch outcome {
            case let .done(r, _): loads.append(r.forecasts.filter { $0.source.kind == .load }.map { $0.point.reduce(0, +) }.reduce(0, +))
            case let .failed(e): failures.append(e.description)
            default: break
            }
        }
        #expect(loads.count == 2 && loads[1] < 0.98 * loads[0], "\(loads) \(failures)")
        #expect(failures.count == 1 && failures[0].contains("bad.csv:2: '2000-08-32' is not a date"), "\(failures)")
    }

    /// A manifest from Windows (BOM, CRLF) with quoted cells reads as its plain original; a refusal names the line.
    @Test func windowsManifestsReadLikeAnyOther() throws {
        let dir = try Fixture.temporaryDirectory()
        let plain = dir.appendingPathComponent("plain.csv"), windows = dir.appendingPathComponent("windows.csv")
        try "community,history,date\n# comment\na.json,,2000-01-01\nb c.json,h.csv,2000-01-02\n".write(to: plain, atomically: true, encoding: .utf8)
        try Data("\u{FEFF}community,\"history\",date\r\n# comment\r\n\"a.json\",,2000-01-01\r\n\"b c.json\",h.csv,\"2000-01-02\"\r\n".utf8).write(to: windows)
        let a = try BatchManifest.read(plain.path), b = try BatchManifest.read(windows.path)
        #expect(a.entries.map(\.community) == b.entries.map(\.community) && a.entries.map(\.date) == b.entries.map(\.date))
        #expect(a.entries.map(\.history) == b.entries.map(\.history) && b.entries.map(\.line) == [3, 4])
        try Data("\u{FEFF}community,date\r\n\r\n\"a.json\",2000-01-01,extra\r\n".utf8).write(to: windows)
        #expect { try BatchManifest.read(windows.path) } throws: { "\($0)".contains("windows.csv:3: 3 fields where the header has 2") }
    }

    /// Batch shards start together and open the same new store: without the open lock, one of them failed with
    /// "table run already exists" or "database is locked" about once in 25 rounds of three processes.
    @Test func storesOpenedAtOnceAllOpen() throws {
        for _ in 0..<20 {
            let path = try Fixture.temporaryDirectory().appendingPathComponent("runs.sqlite").path
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do { _ = try ResultStore(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            let seen = failures.withLock { $0 }
            #expect(seen.isEmpty, "\(seen)")
            #expect(try ResultStore(path: path).runs().isEmpty)
        }
    }

    @Test func theJobWritesRecordsAndIsThenDone() throws {
        let out = try Fixture.temporaryDirectory()
        let store = try ResultStore(path: out.appendingPathComponent("runs.sqlite").path)
        let job = DayAheadJob(planner: DayAheadPlanner(options: Fixture.options()), outRoot: out.path, store: store)
        let id = try job.planner.identity(communityFile: Fixture.community, history: nil)
        #expect(id.community == "small-3" && id.date == "2000-08-27")
        #expect(!job.isDone(id))
        let (r, dir, _) = try job.run(communityFile: Fixture.community, history: nil)
        #expect(r.runKey == id.runKey)
        #expect(dir == out.path + "/small-3/2000-08-27")
        #expect(job.isDone(id))
        let runs = try store.runs()
        #expect(runs.count == 1 && runs[0].runKey == id.runKey && runs[0].status == "optimal")
        #expect(abs(runs[0].cost! - r.schedule.objective!) < 1e-9)
        // Another model is another job.
        var other = job
        other.planner.options.model = "seasonal-naive-day"
        #expect(!other.isDone(try other.planner.identity(communityFile: Fixture.community, history: nil)))
        // Nothing staged is left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path + "/small-3").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }
}
