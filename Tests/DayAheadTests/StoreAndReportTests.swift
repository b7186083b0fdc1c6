@testable import DayAhead
import Foundation
import Optimize
import Reports
import ResultStore
import TestFixtures
import Testing

/// The results store on its own: every field survives the round trip, and queries order, filter and limit.
@Suite struct ResultStoreTests {
    func record(_ k: Int, community: String, nils: Bool = false) -> RunRecord {
        RunRecord(
            runKey: "\(community)/2000-01-0\(k)/abc", community: community, date: "2000-01-0\(k)",
            finishedAt: "2000-01-0\(k)T10:00:00Z", status: k % 2 == 0 ? "optimal" : "feasible", solver: "cbc",
            model: "auto", modelsJSON: "{\"h1/load\":\"arima\"}", communityHash: "c\(k)", historyHash: "h\(k)",
            settingsJSON: "{\"gap\":0.0001}", cost: nils ? nil : 10.5 + Double(k), standaloneCost: nils ? nil : 12.25,
            savings: nils ? nil : 1.75, gap: nils ? nil : 1e-5, pricingStatus: nils ? "skipped" : "optimal",
            profit: nils ? nil : 0.125, pricesJSON: "[]", forecastMAPE: nils ? nil : 2.5, forecastSeconds: 1.5,
            scheduleSeconds: 2.5, pricingSeconds: 0.5, totalSeconds: 4.75, reportDirectory: "/tmp/r\(k)",
            keptCost: nils ? nil : 11.5 + Double(k), hindsightCost: nils ? nil : 11.25 + Double(k), forecastErrorCost: nils ? nil : 0.25)
    }

    @Test func everyFieldRoundTripsAndQueriesOrderFilterAndLimit() throws {
        let dir = TestScratch.root.appendingPathComponent("peergrid-store-\(UUID().uuidString)")
        let store = try ResultStore(path: dir.appendingPathComponent("runs.sqlite").path)
        var written: [RunRecord] = []
        for k in 1...6 {
            var r = record(k, community: k <= 4 ? "alpha" : "beta", nils: k == 3)
            r.id = try store.record(r)
            written.append(r)
        }
        // Every field, nils included, comes back as written; ids are assigned in order.
        for r in written { #expect(try store.run(id: r.id!) == r) }
        #expect(written.map { $0.id! } == [1, 2, 3, 4, 5, 6])
        #expect(try store.run(id: 99) == nil)
        // Newest first, filtered by community, limited.
        #expect(try store.runs().map(\.id) == [6, 5, 4, 3, 2, 1])
        #expect(try store.runs(community: "alpha").map(\.id) == [4, 3, 2, 1])
        #expect(try store.runs(community: "beta", limit: 1).map(\.id) == [6])
        #expect(try store.runs(community: "gamma").isEmpty)
        // A run key is recorded once.
        #expect(try store.contains(runKey: written[0].runKey))
        #expect(try !store.recordIfAbsent(written[0]))
        #expect(try store.recordIfAbsent(record(7, community: "beta")))
        #expect(try store.runs().count == 7)
        // Reopened (another process), the same rows.
        #expect(try ResultStore(path: store.path).runs(limit: 100).count == 7)
        // Runs copied into another store (batch merge) get that store's ids; their fields are kept.
        let other = try ResultStore(path: dir.appendingPathComponent("merged.sqlite").path)
        _ = try other.record(record(9, community: "gamma"))
        for r in try store.runs(community: "alpha").reversed() { #expect(try other.recordIfAbsent(r)) }
        let copied = try other.runs(community: "alpha")
        #expect(copied.map(\.id) == [5, 4, 3, 2])
        #expect(
            copied.reversed().map {
                var c = $0; c.id = nil; return c
            }
                == written.prefix(4).map {
                    var c = $0; c.id = nil; return c
                })
    }

    /// A store written before the metered-day columns (schema v1, PeerGrid 0.21 and older) is migrated when it is
    /// opened: its rows read back with no metered-day figures, and new rows keep theirs.
    @Test func aVersionOneStoreGainsTheMeteredDayColumns() throws {
        let path = TestScratch.file("store-v1", extension: "sqlite")
        var old = record(1, community: "alpha")
        do { old.id = try ResultStore(path: path).record(old) }
        // Back to schema v1: the columns and the migration's row removed, as 0.21 left the file.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(\"ALTER TABLE run DROP COLUMN kept_cost; ALTER TABLE run DROP COLUMN hindsight_cost; ALTER TABLE run DROP COLUMN forecast_error_cost; DELETE FROM grdb_migrations WHERE identifier = 'v2-metered-day';\"); c.commit()",
            path
        ]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        let store = try ResultStore(path: path)
        old.keptCost = nil; old.hindsightCost = nil; old.forecastErrorCost = nil
        #expect(try store.run(id: 1) == old)
        var new = record(2, community: "alpha")
        new.id = try store.record(new)
        #expect(try store.run(id: new.id!) == new)
        #expect(new.forecastErrorCost == 0.25)
        // `peergrid history` shows `-` for the old run and the figure for the new one.
        let lines = HistoryReport.list(try store.runs()).split(separator: "\n")
        #expect(lines[0].contains("error cost"))
        #expect(lines[1].contains("0.25") && !lines[2].contains("0.25"))
        let compare = HistoryReport.compare(old, new)
        #expect(compare.contains("error cost") && compare.contains("kept (metered)") && compare.contains("hindsight"))
        // `history --csv`: the old run's metered-day fields are empty, the new run's keep every digit; a community
        // with a comma and the JSON columns are quoted.
        var odd = new
        odd.community = "north, \"east\""
        let rows = HistoryReport.csv([old, new, odd]).split(separator: "\n").map(String.init)
        let header = rows[0].split(separator: ",").map(String.init)
        #expect(header == HistoryReport.csvHeader && rows.count == 4)
        let kept = header.firstIndex(of: "kept_cost")!
        #expect(rows[1].split(separator: ",", omittingEmptySubsequences: false)[kept...].prefix(3) == ["", "", ""])
        #expect(rows[2].split(separator: ",", omittingEmptySubsequences: false)[kept...].prefix(3) == ["13.5", "13.25", "0.25"])
        #expect(rows[3].contains(",\"north, \"\"east\"\"\",") && rows[3].contains(",\"{\"\"h1/load\"\":\"\"arima\"\"}\","))
    }

    /// A store whose first open was killed after GRDB made its migrations table and before the first migration
    /// (the batch kill test once stopped there) opens as a new store; any other table still means another database.
    @Test func aStoreKilledBeforeItsFirstMigrationOpens() throws {
        let dir = try TestScratch.directory("peergrid-store")
        for (name, sql) in [
            ("killed.sqlite", "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)"),
            ("other.sqlite", "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); CREATE TABLE notes (x TEXT)")
        ] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [
                "python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                dir.appendingPathComponent(name).path, sql
            ]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        let store = try ResultStore(path: dir.appendingPathComponent("killed.sqlite").path)
        _ = try store.record(record(1, community: "alpha"))
        #expect(try store.runs().count == 1)
        #expect { try ResultStore(path: dir.appendingPathComponent("other.sqlite").path) } throws: { "\($0)".contains("not a PeerGrid results store") }
    }

    @Test func aFileThatIsNotAStoreIsRefusedUntouched() throws {
        let path = TestScratch.file("not-a-store", extension: "sqlite")
        try "hello\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try ResultStore(path: path) } throws: { "\($0)".contains("not an SQLite database") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello\n")
    }
}

/// The day-ahead report's content: the numbers it prints are the run's.
@Suite struct ReportContentTests {
    @Test func theReportPrintsTheRunsNumbers() throws {
        let r = try DayAheadPlanner(options: Fixture.options()).run(communityFile: Fixture.community, history: nil)
        let doc = DayAheadOutputs.report(r)
        var headings: [String] = []
        var tables: [(header: [String], rows: [[String]])] = []
        for block in doc.blocks {
            switch block {
            case let .heading(h): headings.append(h)
            case let .table(header, rows, _): tables.append((header, rows))
            default: break
            }
        }
        #expect(
            headings == [
                "Summary", "Forecasts against history", "Meter anomalies in the history", "Energy flows", "Batteries", "Pool trades", "Prices",
                "Bills and savings", "Solvers", "Data and provenance"
            ])
        // The anomaly section counts the series it checked and lists every flag of the run's forecasts.
        let checked = r.forecasts.filter { $0.anomalyWindowStart != nil }
        #expect(!checked.isEmpty)
        let flagged = checked.reduce(0) { $0 + $1.anomalies.count }
        let anomalyRows = tables.first { $0.header.first == "from" && $0.header.contains("reason") }?.rows ?? []
        #expect(anomalyRows.count == min(30, flagged))
        // One forecast row per prosumer and series, with the model used.
        func table(_ column: String) -> [[String]]? { tables.first { $0.header.contains(column) }?.rows }
        let forecasts = try #require(table("observations"))
        #expect(forecasts.count == r.forecasts.count)
        for (row, f) in zip(forecasts, r.forecasts) { #expect(row[0] == f.source.prosumer && row[2] == f.model) }
        // The bills: one row per prosumer, each the settlement's bill to the cent.
        let settlement = try #require(r.schedule.settlement)
        let bills = try #require(table("community bill"))
        #expect(bills.count == settlement.bills.count)
        for (row, b) in zip(bills, settlement.bills) {
            #expect(row[0] == b.id && row[1] == String(format: "%.2f", b.bill))
        }
        // The solver table's schedule row: status and objective.
        let solvers = try #require(table("best bound"))
        #expect(solvers[0][0] == "schedule" && solvers[0][2] == r.schedule.status.rawValue)
        #expect(solvers[0][3] == String(format: "%.2f", r.schedule.objective!))
        // The markdown carries the same summary sentence.
        #expect(doc.markdown().contains("community cost \(String(format: "%.2f", r.schedule.objective!))"))
    }
}

/// `batch merge`'s overview report on made-up summaries: totals over the entries that have them, every entry in the
/// table, links only where a report exists, and the chart capped at its first entries.
@Suite struct BatchOverviewTests {
    @Test func theOverviewAddsUpTheEntriesAndLinksTheirReports() throws {
        var rows: [(BatchManifest.Entry, BatchMerge.Row)] = []
        var cost = 0.0, standalone = 0.0, errorCost = 0.0
        for k in 0..<65 {
            let entry = BatchManifest.Entry(community: "c\(k).json", line: k + 2)
            guard k % 20 != 7 else {  // three entries without a result
                rows.append(
                    (entry, BatchMerge.Row(line: k + 2, community: "c\(k)", date: "2000-01-01", status: "missing", summary: nil, directory: "/r/c\(k)")))
                continue
            }
            let c = 10 + Double(k), s = 12 + 1.5 * Double(k), e = Double(k % 3) / 10
            cost += c; standalone += s; errorCost += e
            let summary: [String: Any] = [
                "status": "optimal", "schedule": ["objective": c, "standalone_cost": s, "savings": s - c],
                "pricing": ["status": "optimal", "profit": 1.0], "metered_day": ["forecast_error_cost": e]
            ]
            rows.append(
                (entry, BatchMerge.Row(line: k + 2, community: "c\(k)", date: "2000-01-01", status: "optimal", summary: summary, directory: "/r/c\(k)")))
        }
        let doc = BatchMerge.report(rows, manifest: "m.csv") { "x/" + URL(fileURLWithPath: $0).lastPathComponent + "/report.html" }
        let md = doc.markdown(chartDirectory: "batch-charts")
        #expect(md.contains("65 manifest entries (m.csv); 62 with a result: 62 optimal."))
        #expect(md.contains("No result: line 9 (c7 2000-01-01, missing), line 29 (c27 2000-01-01, missing), line 49 (c47 2000-01-01, missing)."))
        #expect(md.contains(String(format: "community cost %.2f, stand-alone %.2f, savings %.2f", cost, standalone, standalone - cost)))
        #expect(md.contains("Shared storage profit: 62.00 over 62 entries."))
        #expect(md.contains(String(format: "forecast errors cost the plans on their metered days: %.2f over 62 entries.", errorCost)))
        var tableRows: [[String]] = [], links: [String?] = []
        var chartSVG = ""
        for block in doc.blocks {
            if case let .linkedTable(_, r, l, _) = block { tableRows = r; links = l }
            if case let .chart(_, svg) = block { chartSVG = svg }
        }
        #expect(tableRows.count == 65 && links.count == 65)
        #expect(links.enumerated().allSatisfy { k, link in (k % 20 == 7) == (link == nil) })
        #expect(links[0] == "x/c0/report.html" && md.contains("| [c0 2000-01-01](x/c0/report.html) | 2 | optimal | 10.00 | 12.00 | 2.00 | 16.7 % |"))
        #expect(chartSVG.contains("(first 60 entries with a schedule)"))
    }
}
