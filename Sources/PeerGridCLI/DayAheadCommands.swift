import ArgumentParser
import CommandLineExit
import DayAhead
import Optimize
import Forecast
import DataIO
import Foundation
import Ledger
import Market
import Reports
import ResultStore

extension DayAheadOptions.Method: ExpressibleByArgument {}

/// Options of `day-ahead` and `batch`.
struct DayAheadOptionGroup: ParsableArguments {
    @Option(
        help:
            "Forecaster: auto (a short backtest per series picks among --auto-candidates), or one model for every series: \(ForecasterCatalog.names.filter { $0 != "auto" }.joined(separator: ", "))."
    )
    var model: String = "auto"

    @Option(
        name: .customLong("auto-candidates"),
        help: ArgumentHelp(
            "auto: the models it chooses among, comma-separated (\(AutoSelectForecaster.choosable.joined(separator: ", ")); default: \(DayAheadOptions().autoCandidates.joined(separator: ",")))",
            valueName: "M1,M2,..."))
    var autoCandidatesGiven: String?

    var autoCandidates: String { autoCandidatesGiven ?? DayAheadOptions().autoCandidates.joined(separator: ",") }

    @Option(
        help: ArgumentHelp(
            "The prediction intervals' level in percent, 50 to 99.9: forecast.csv's lower_L_kw and upper_L_kw, the report's band and coverage, and what --calibration-days calibrates (the schedule uses the point forecasts).",
            valueName: "PERCENT"))
    var level = "95"

    @Option(
        name: .customLong("calibration-days"),
        help:
            "Calibrate every series' interval (at --level) by split conformal: the forecaster is refitted at this many rolling origins one day apart before the day, and its errors there set the interval (0: the models' own intervals; C more fits per series)."
    )
    var calibrationDays = 0

    @Option(
        name: .customLong("aci-days"),
        help:
            "With --calibration-days: first adapt each interval's level over this many more days before them (adaptive conformal inference, gamma 0.5, as forecast --aci-days; 0: plain split conformal; A more fits per series)."
    )
    var aciDays = 0

    @Option(help: "Solver backend for the schedule and the pricing: cbc or glpk.")
    var solver: SolverBackend = .cbc

    @Option(help: "How the schedule is found: central (one MILP) or agents (each prosumer's agent plans at the coordinator's prices, as `peergrid clear`).")
    var method: DayAheadOptions.Method = .central

    @Option(name: .customLong("time-limit"), help: "Wall-clock limit of the schedule solve, seconds.")
    var timeLimit: Double?

    @Option(name: .customLong("pricing-time-limit"), help: "Wall-clock limit of the storage pricing solve, seconds (the report gives the gap reached).")
    var pricingTimeLimit: Double = 60

    @Option(help: "Relative MIP gap at which to stop.")
    var gap: Double = 1e-4

    @Option(help: "Time zone of offset-free timestamps in history files, e.g. Europe/London.")
    var timezone: ZoneArgument?

    @Option(
        help:
            "CSV of public holidays (a `date` column, YYYY-MM-DD): the load series forecast them as Sundays and see them at their weekday's level in the history (PV is not affected). Dates are days in --timezone (UTC without it)."
    )
    var holidays: String?

    @Option(help: "lstm/cnn: training seed.")
    var seed: UInt64?

    @Option(help: "lstm/cnn: most training epochs.")
    var epochs: Int?

    @Option(help: "Root directory of the reports; each run writes <out>/<community>/<date>/.")
    var out: String = "Reports"

    @Option(help: "Results store (SQLite): a file, or 'none' to record nothing (default: <out>/peergrid.sqlite).")
    var store: String?

    @Flag(help: "Show the solvers' logs.")
    var verbose = false

    @Option(
        help:
            "Also clear a peer-to-peer market on the forecast community: pay-as-clear, pay-as-bid, huang, muda or bilateral (the report compares every mechanism's bills)."
    )
    var market: MechanismName?

    @Option(name: .customLong("market-steps"), help: "With --market: price steps of the derived bids (1 to 50; default: 5).")
    var marketStepsGiven: Int?

    var marketSteps: Int { marketStepsGiven ?? 5 }

    func validate() throws {
        guard try IntervalLevels.parse(level).count == 1 else { throw ValidationError("--level '\(level)': day-ahead writes one interval") }
        guard (1...50).contains(marketSteps) else { throw ValidationError("--market-steps must be 1 to 50, not \(marketSteps)") }
        if marketStepsGiven != nil, market == nil { throw ValidationError("--market-steps applies with --market only") }
        guard pricingTimeLimit > 0 else { throw ValidationError("--pricing-time-limit must be > 0") }
        // The planner checks these again; here a bad name exits 2 before `batch` opens its store.
        do { try DayAheadPlanner.checkForecasters(options(date: nil)) } catch let e as DayAheadError { throw ValidationError(e.description) }
    }

    /// `day-ahead` refuses model settings its one model would not use (`batch` keeps them: a manifest entry's own
    /// model may use them).
    func refuseUnusedModelSettings() throws {
        if autoCandidatesGiven != nil, model != "auto" { throw ValidationError("--auto-candidates applies to --model auto only, not \(model)") }
        if seed != nil || epochs != nil, !["lstm", "cnn"].contains(model) {
            throw ValidationError("--seed and --epochs apply to --model lstm or cnn only (\(model) trains no network)")
        }
    }

    /// `--auto-candidates` as a list.
    var candidateList: [String] { autoCandidates.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func options(date: String?) throws -> DayAheadOptions {
        var o = DayAheadOptions()
        o.model = model
        o.autoCandidates = candidateList
        o.calibrationDays = calibrationDays
        o.aciDays = aciDays
        o.level = try IntervalLevels.parse(level)[0]
        o.date = date
        o.solver = solver
        o.method = method
        o.scheduleTimeLimit = timeLimit
        o.pricingTimeLimit = pricingTimeLimit
        o.gap = gap
        o.seed = seed
        o.epochs = epochs
        o.verbose = verbose
        o.market = market
        o.marketSteps = marketSteps
        o.timeZone = timezone?.zone
        if let holidays { o.holidays = try HolidayCalendar.read(holidays, timeZone: timezone?.zone) }
        return o
    }

    /// The results store's path, nil for `--store none`.
    var storePath: String? {
        let path = store ?? out + "/peergrid.sqlite"
        return path == "none" ? nil : path
    }
}

/// `peergrid day-ahead`: history to forecasts, schedule, storage prices and a report.
struct DayAheadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "day-ahead",
        abstract: "Forecast every prosumer's load and PV for a day, schedule the community, price the shared storage and write a report.",
        discussion: """
            Writes <out>/<community>/<date>/: report.html (one self-contained file), report.md with charts/*.svg, forecast.csv, \
            schedule.csv, prices.csv and summary.json, all at once; then records the run in the results store. \
            History: the community file's load_kw/pv_kw may name CSV columns ({"csv": ..., "column": ...}); otherwise --history is \
            a CSV with columns <id>_load_kw and <id>_pv_kw, or a directory of <id>.csv files with load_kw and pv_kw. \
            Exit codes: 0 done, 2 bad input (file and line named), 3 infeasible (diagnosis in the report), 4 solver error or time limit without a solution.
            """)

    @Option(help: "The community file (JSON, spec/community.md).")
    var community: String

    @Option(help: "History: a CSV file or a directory of per-prosumer CSVs (see above).")
    var history: String?

    @Option(help: "The day to plan, YYYY-MM-DD (UTC; default: the day after the history ends).")
    var date: String?

    @OptionGroup var settings: DayAheadOptionGroup

    @OptionGroup var ledgerOptions: LedgerAppendOptions

    func validate() throws { try settings.refuseUnusedModelSettings() }

    func run() throws {
        let ledgerKeys = try ledgerOptions.keys()
        let options = try settings.options(date: date)
        // An existing store is opened first (a foreign or locked file fails before the work); a new one is created
        // only once the run has succeeded, so bad input leaves nothing behind.
        let planner = DayAheadPlanner(options: options, progress: { StatusLine.show($0) })
        let job = try DayAheadJob(planner: planner, outRoot: settings.out, storePath: settings.storePath)
        let output: (result: DayAheadResult, directory: String, store: ResultStore?)
        do {
            defer { StatusLine.clear() }
            output = try job.run(communityFile: community, history: history)
        }
        let store = output.store
        let r = output.result
        print(Self.text(r))
        print("report    \(output.directory)/report.html")
        print("files     \(output.directory)/{report.md,forecast.csv,schedule.csv,prices.csv,summary.json}")
        if let store { print("recorded  run in \(store.path)") }
        if r.schedule.status.hasSolution { try appendToLedger(r, keys: ledgerKeys) }
        let code = Backends.exitCode(r.schedule.status)
        if code != .success { throw ExitCode(code.rawValue) }
    }

    /// With --ledger: the day's schedule, the storage service of the pricing run and the market's trades, each
    /// as its own clearing.
    func appendToLedger(_ r: DayAheadResult, keys: (submitter: LedgerSigningKey, operator: LedgerSigningKey)?) throws {
        guard keys != nil else { return }
        let base = "\(r.community.name)/\(r.date)"
        try ledgerOptions.append(try LedgerRecords.schedule(r.schedule, community: r.community), clearing: "day-ahead/\(base)/pool", keys: keys)
        if let pricing = r.pricing, pricing.status.hasSolution {
            let records = try LedgerRecords.pricing(pricing, community: r.community, storageOperator: "storage_operator")
            if !records.isEmpty { try ledgerOptions.append(records, clearing: "day-ahead/\(base)/storage", keys: keys) }
        }
        if let market = r.market {
            let records = try LedgerRecords.market(market.chosen, start: r.community.start, periodMinutes: r.community.periodMinutes)
            if !records.isEmpty { try ledgerOptions.append(records, clearing: "day-ahead/\(base)/market-\(market.mechanism.rawValue)", keys: keys) }
        }
    }

    static func text(_ r: DayAheadResult) -> String {
        func money(_ x: Double?) -> String { x.map { String(format: "%.2f", $0) } ?? "-" }
        let c = r.community, s = r.schedule
        var lines = ["community \(c.name), \(r.date): \(counted(c.prosumers.count, "prosumer")), \(c.periods) x \(c.periodMinutes) min"]
        let picks = Dictionary(grouping: r.forecasts, by: \.model).map { "\($0.key) x\($0.value.count)" }.sorted().joined(separator: ", ")
        lines.append(String(format: "forecast  %@ (%@) in %.1f s", picks, r.options.model, r.forecastSeconds))
        if r.options.model == "auto" {
            for f in r.forecasts where !f.selection.isEmpty {
                let best = f.selection.min { $0.mae < $1.mae }!
                lines.append(String(format: "          %@ %@: %@ (backtest MAE %.3f kW)", f.source.prosumer, f.source.kind.rawValue, f.model, best.mae))
            }
        }
        if let lead = r.forecasts.map(\.leadSeconds).max(), lead >= 3600 {
            lines.append(
                String(
                    format: "note      the history ends %.0f h before the day, so the forecasts run that much further ahead than a day-ahead one%@",
                    lead / 3600, r.options.model == "auto" ? " (auto chose on one-day-ahead errors)" : ""))
        }
        if let h = r.options.holidays, h.dates.contains(r.date) {
            lines.append("note      \(r.date) is a holiday in the calendar: the load series are forecast as Sundays")
        }
        if let m = DayAheadOutputs.totalLoadMAPE(r) { lines.append(String(format: "          total load against the day's meter readings: MAPE %.2f %%", m)) }
        lines.append(
            String(
                format: "schedule  %@ (%@), cost %@, stand-alone %@, savings %@, gap %@, %.1f s", s.status.rawValue, s.solver,
                money(s.objective), money(s.standaloneCost), money(s.savings), s.gap.map { String(format: "%.1e", $0) } ?? "-", r.scheduleSeconds))
        if let p = r.pricing {
            lines.append(
                String(
                    format: "pricing   %@ %@ (%@), profit %@, gap %@, check %@, %.1f s", p.mode.rawValue, p.status.rawValue, p.solver,
                    money(p.profit), p.gap.map { String(format: "%.1e", $0) } ?? "-", p.check.map { $0.passed ? "passed" : "FAILED" } ?? "-", r.pricingSeconds))
        } else {
            lines.append("pricing   skipped: \(r.pricingSkipped ?? "")")
        }
        if let m = r.market {
            let c = m.chosen
            lines.append(
                String(
                    format: "market    %@: %d bids, %d trades, %.2f kWh, welfare %.1f %% of the optimum, market bills %@ (pool %@, stand-alone %@), %.1f s",
                    m.mechanism.rawValue, m.book.bids.count, c.trades.count, c.trades.reduce(0) { $0 + $1.quantity }, 100 * (c.welfareShare ?? 0),
                    money(m.bills[MechanismName.allCases.firstIndex(of: m.mechanism)!].reduce(0) { $0 + $1.market }),
                    money(m.bills[0].allSatisfy { $0.pool != nil } ? m.bills[0].reduce(0) { $0 + ($1.pool ?? 0) } : nil),
                    money(m.bills[0].reduce(0) { $0 + $1.standalone }), m.seconds))
        }
        if let d = r.meteredDay { lines.append("metered   \(d.sentence)" + String(format: ", %.1f s", d.seconds)) }
        if let d = s.diagnosis { lines.append("diagnosis \(d.sentence)") }
        return lines.joined(separator: "\n")
    }
}

/// `peergrid batch`: day-ahead for every community of a manifest, sharded for a cluster.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run day-ahead for every community of a manifest (one shard of it on a cluster); `batch merge` collects the results.",
        discussion: """
            The manifest is a CSV with header community,history,date,model (paths relative to it; empty cells take the defaults). \
            The shard is --shard i/N, else SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm array jobs), else JOB_COMPLETION_INDEX \
            with PEERGRID_SHARD_COUNT (Kubernetes Indexed Jobs), else the whole manifest. Communities whose report exists with the same \
            run key are skipped, so a rerun finishes what a killed one left. Exit codes: 0 every community done, 2 bad manifest or a \
            community with bad input, 3 a community infeasible, 4 a solver failure; the others still run.
            """,
        subcommands: [BatchRunCommand.self, BatchMergeCommand.self],
        defaultSubcommand: BatchRunCommand.self)
}

struct BatchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run one shard of a manifest (the default subcommand).")

    @Option(help: "The manifest CSV: community,history,date,model.")
    var manifest: String

    @Option(help: "This process's part: i/N (0-based i).")
    var shard: String?

    @Option(
        name: .customLong("store-dir"),
        help:
            "One results store per manifest entry in this directory, named after the entry (not the shard or task): any task, array size or resubmission finds an entry's run; `batch merge --store-dir` collects them. Overrides --store."
    )
    var storeDir: String?

    @OptionGroup var settings: DayAheadOptionGroup

    func run() throws {
        let batch = BatchRun(
            manifest: try BatchManifest.read(manifest), shard: try shard.map(Shard.parse) ?? Shard.fromEnvironment() ?? Shard(index: 0, count: 1),
            outRoot: settings.out, storePath: storeDir == nil ? settings.storePath : nil, storeDirectory: storeDir,
            options: settings.options(date:))
        let mine = batch.entries
        print("batch \(manifest): shard \(batch.shard), \(mine.count) of \(batch.manifest.entries.count) communities")
        var worst = ExitStatus.success
        var counts = (done: 0, skipped: 0, failed: 0)
        try batch.run(progress: { k, text in StatusLine.show("[\(k + 1)/\(mine.count)] " + text) }) { k, e, outcome in
            StatusLine.clear()
            switch outcome {
            case let .skipped(id):
                counts.skipped += 1
                print("[\(k + 1)/\(mine.count)] \(id.community) \(id.date): done before, skipped")
            case let .done(r, dir):
                let code = Backends.exitCode(r.schedule.status)
                if code != .success { worst = max(worst, code); counts.failed += 1 } else { counts.done += 1 }
                print(
                    "[\(k + 1)/\(mine.count)] \(r.community.name) \(r.date): \(r.schedule.status.rawValue), cost \(r.schedule.objective.map { String(format: "%.2f", $0) } ?? "-"), \(dir)"
                )
            case let .failed(err):
                counts.failed += 1
                worst = max(worst, ExitStatus(err.kind))
                FileHandle.standardError.write(Data("peergrid: \(manifest):\(e.line): \(err.description)\n".utf8))
            }
        }
        print("shard \(batch.shard): \(counts.done) done, \(counts.skipped) skipped (done before), \(counts.failed) failed")
        if worst != .success { throw ExitCode(worst.rawValue) }
    }
}

struct BatchMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the per-community results of a manifest into batch.csv and an overview report (batch.html, batch.md).")

    @Option(help: "The manifest CSV.")
    var manifest: String

    @Option(help: "Root directory of the reports (as given to batch).")
    var out: String = "Reports"

    @Option(help: "The merged table (default: <out>/batch.csv); the overview report goes beside it under the same name (.html, .md, -charts/).")
    var to: String?

    @Option(name: .customLong("store-dir"), help: "The per-entry stores of `batch --store-dir`: their runs are copied into --store (each run key once).")
    var storeDir: String?

    @Option(help: "With --store-dir: the store that collects every entry's runs (default: <out>/peergrid.sqlite).")
    var store: String?

    func run() throws {
        let m = try BatchManifest.read(manifest)
        let job = DayAheadJob(planner: DayAheadPlanner(options: DayAheadOptions()), outRoot: out, store: nil)
        let rows = BatchMerge.collect(m, job: job)
        let path = to ?? out + "/batch.csv"
        // The overview report goes next to the table, under the table's name: batch.html, batch.md, batch-charts/.
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let stem = url.pathExtension.lowercased() == "csv" ? url.deletingPathExtension() : url
        let directory = stem.deletingLastPathComponent().path
        let chartDirectory = stem.lastPathComponent + "-charts"
        let doc = BatchMerge.report(rows, manifest: manifest) { reportDirectory in
            relativePath(from: directory, to: URL(fileURLWithPath: reportDirectory).standardizedFileURL.path + "/report.html")
        }
        var files = [(path, BatchMerge.csv(rows)), (stem.path + ".html", doc.html()), (stem.path + ".md", doc.markdown(chartDirectory: chartDirectory))]
        files += doc.charts.map { (directory + "/" + chartDirectory + "/" + $0.name, $0.svg) }
        do { try OutputFiles.write(files: files) } catch let error as OutputFileError {
            throw CLIFailure("cannot write \(error.path): \(error.message)")
        } catch { throw CLIFailure("cannot write \(path): \(error.localizedDescription)") }
        let missing = rows.filter { $0.1.summary == nil }
        print("merged \(rows.count - missing.count) of \(rows.count) communities into \(path)")
        print("report \(stem.path).html")
        for (e, r) in missing { print("  line \(e.line): \(r.community) \(r.date): \(r.status)") }
        for (e, r) in rows where r.summary != nil && !["optimal", "feasible"].contains(r.status) {
            print("  line \(e.line): \(r.community) \(r.date): \(r.status)")
        }
        if let storeDir {
            let target = store ?? out + "/peergrid.sqlite"
            let (added, present) = try BatchMerge.mergeStores(m, storeDirectory: storeDir, into: target)
            print("store  \(target): \(added) runs added, \(present) there already")
        }
        if !missing.isEmpty { throw ExitCode(ExitStatus.noSolution.rawValue) }
    }
}

/// `to` (an absolute path) relative to the directory `from` (absolute), with `..` where they part:
/// `relativePath(from: "/r/out", to: "/r/out/demo/report.html")` is `demo/report.html`.
func relativePath(from: String, to: String) -> String {
    let a = from.split(separator: "/"), b = to.split(separator: "/")
    var common = 0
    while common < a.count && common < b.count && a[common] == b[common] { common += 1 }
    return (Array(repeating: "..", count: a.count - common) + b[common...].map(String.init)).joined(separator: "/")
}

/// `peergrid history`: the runs in the results store.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the runs in the results store, or compare two (`--compare A B`).")

    @Option(help: "The results store.")
    var store: String = "Reports/peergrid.sqlite"

    @Option(help: "Only this community.")
    var community: String?

    @Option(help: "Most runs to list (default: 20; with --csv, every run).")
    var limit: Int?

    @Option(parsing: .upToNextOption, help: "Compare two runs by id.")
    var compare: [Int64] = []

    @Option(help: "Write the runs (every column but the prices, oldest first) as CSV to this file instead of listing them ('-': standard output).")
    var csv: String?

    func validate() throws {
        guard compare.isEmpty || compare.count == 2 else { throw ValidationError("--compare takes two run ids") }
        guard compare.isEmpty || csv == nil else { throw ValidationError("--csv writes the list; it does not go with --compare") }
        guard compare.isEmpty || (community == nil && limit == nil) else {
            throw ValidationError("--community and --limit filter the list; --compare takes run ids and does not use them")
        }
        guard (limit ?? 1) > 0 else { throw ValidationError("--limit must be > 0") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: store) else { throw CLIFailure("\(store): no results store (run day-ahead first)") }
        let db = try ResultStore.openForReading(path: store)
        if !compare.isEmpty {
            let runs = try compare.map { id -> RunRecord in
                guard let r = try db.run(id: id) else { throw CLIFailure("\(store): no run \(id)") }
                return r
            }
            print(HistoryReport.compare(runs[0], runs[1]))
            return
        }
        if let csv {
            let runs = try db.runs(community: community, limit: limit ?? Int.max).reversed()
            if csv == "-" {
                print(HistoryReport.csv(Array(runs)), terminator: "")
                return
            }
            try writingOutput { try OutputFiles.write(HistoryReport.csv(Array(runs)), to: csv) }
            print("wrote \(runs.count) run(s) to \(csv)")
            return
        }
        print(HistoryReport.list(try db.runs(community: community, limit: limit ?? 20)))
    }
}
