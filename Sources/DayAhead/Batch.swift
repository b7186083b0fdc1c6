import DataIO
import Forecast
import Foundation
import Optimize
import Reports
import ResultStore

/// Which job a run is, known before any forecasting: the community's name, the day and the run key.
public struct RunIdentity: Sendable, Equatable {
    public var community: String
    public var date: String
    public var runKey: String
}

/// What a run reads before any forecasting: the community template, where each series' history is, the day,
/// and fingerprints of the files.
struct RunInputs {
    var template: Community
    var sources: [SeriesSource]
    var dayStart: Date
    var historyFiles: [String]
    var communityHash: String
    var historyHash: String
    var provenance: [String]
}

extension DayAheadPlanner {
    func inputs(communityFile: String, history: String?) throws -> RunInputs {
        // Read once: the run key hashes the bytes the template was parsed from (and a pipe can be read only once).
        let communityData: Data
        do { communityData = try InputFiles.data(communityFile) } catch { throw DayAheadError.badInput("\(communityFile): \(error)") }
        let template: Community
        do { template = try CommunityFile.readTemplate(communityFile, data: communityData) } catch let e as CommunityFileError {
            throw DayAheadError.community(e)
        }
        let sources = try HistoryLocator(history: history).sources(for: template)
        let start = try dayStart(template, firstSource: sources[0])
        var files: [String] = []
        for s in sources where !files.contains(s.file) { files.append(s.file) }
        var bytes = Data()
        for f in files { bytes.append(FileManager.default.contents(atPath: f) ?? Data()) }
        return RunInputs(
            template: template, sources: sources, dayStart: start, historyFiles: files, communityHash: fnv1a(communityData),
            historyHash: fnv1a(bytes), provenance: Self.provenance(communityData))
    }

    /// The identity of the run `run(communityFile:history:)` would make, from the files alone (cheap: no
    /// forecasting, no solving).
    public func identity(communityFile: String, history: String?) throws -> RunIdentity {
        let i = try inputs(communityFile: communityFile, history: history)
        let date = Self.dayFormatter.string(from: i.dayStart)
        return RunIdentity(
            community: i.template.name, date: date,
            runKey: Self.runKey(community: i.template.name, date: date, options: options, communityHash: i.communityHash, historyHash: i.historyHash))
    }

    /// `community/date/fnv1a(settings + input fingerprints)`.
    static func runKey(community: String, date: String, options: DayAheadOptions, communityHash: String, historyHash: String) -> String {
        "\(community)/\(date)/" + fnv1a(Data((options.fingerprintText + communityHash + historyHash).utf8))
    }
}

/// A day-ahead run with its outputs: the files go to `outRoot/<community>/<date>/` all at once (staged, then
/// renamed), then the run is recorded in the results store in one transaction. Killed at any moment, it leaves
/// the previous complete report (or none) and no partial row; running it again gives the same files.
///
/// The store is either open already (``store``) or named by ``storePath``: an existing file there is opened
/// before the work (a foreign or locked file fails first), a missing one is created only when a run has
/// succeeded, so a run on bad input leaves no empty store behind.
public struct DayAheadJob: Sendable {
    public var planner: DayAheadPlanner
    /// Root of the reports (`Reports`).
    public var outRoot: String
    public var store: ResultStore?
    /// Where to create the store at the first successful run when ``store`` is nil (nil: record nothing).
    public var storePath: String?
    /// Record a run only when the store has no row with its run key (batch stores: a job finished by two
    /// processes is counted once).
    public var recordOnce = false

    public init(planner: DayAheadPlanner, outRoot: String, store: ResultStore?, recordOnce: Bool = false) {
        self.planner = planner
        self.outRoot = outRoot
        self.store = store
        self.recordOnce = recordOnce
    }

    /// A job recording into the store at `storePath` (nil: none): opened now when the file exists, created by the
    /// first successful run otherwise.
    public init(planner: DayAheadPlanner, outRoot: String, storePath: String?, recordOnce: Bool = false) throws {
        self.init(planner: planner, outRoot: outRoot, store: nil, recordOnce: recordOnce)
        self.storePath = storePath
        if let storePath, FileManager.default.fileExists(atPath: storePath) { store = try ResultStore(path: storePath) }
    }

    /// The report directory of a community and day.
    public func directory(community: String, date: String) -> String {
        let safe = String(community.map { $0 == "/" || $0 == "\\" ? "_" : $0 }).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return outRoot + "/" + (safe.isEmpty ? "community" : safe) + "/" + date
    }

    /// Runs, writes and records. Returns the result, the report directory and the store the run went into (nil
    /// when nothing is recorded); a store named by ``storePath`` and not there yet is created now.
    public func run(communityFile: String, history: String?) throws -> (result: DayAheadResult, directory: String, store: ResultStore?) {
        let result = try planner.run(communityFile: communityFile, history: history)
        let dir = directory(community: result.community.name, date: result.date)
        do { try OutputFiles.writeDirectory(DayAheadOutputs.files(result), to: dir) } catch {
            throw DayAheadError.badInput("cannot write the report to \(dir): \(error.localizedDescription)")
        }
        var target = store
        if target == nil, let storePath {
            do { target = try ResultStore(path: storePath) } catch let e as ResultStoreError { throw DayAheadError.badInput(e.description) }
        }
        if let target { try record(result, directory: dir, in: target) }
        return (result, dir, target)
    }

    /// Records a run whose report is in `directory` (one transaction; with ``recordOnce``, only when its run key
    /// is not there yet).
    public func record(_ result: DayAheadResult, directory dir: String, in store: ResultStore) throws {
        do {
            let record = DayAheadOutputs.record(result, reportDirectory: dir)
            if recordOnce { try store.recordIfAbsent(record) } else { try store.record(record) }
        } catch let e as ResultStoreError { throw DayAheadError.badInput(e.description) }
    }

    /// Whether this job is already done: its report exists with the same run key (and, when runs are recorded, the
    /// store exists and has its row).
    public func isDone(_ id: RunIdentity) -> Bool {
        let summary = directory(community: id.community, date: id.date) + "/summary.json"
        guard let data = FileManager.default.contents(atPath: summary),
            let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            o["run_key"] as? String == id.runKey
        else { return false }
        if let store { return (try? store.contains(runKey: id.runKey)) ?? false }
        // A store that is created at the first success does not exist yet, so it cannot hold the run's row: a run
        // killed between writing its report and creating the store is run again and recorded.
        return storePath == nil
    }
}

/// A batch manifest: one community per line of a CSV with header `community,history,date,model` (`history`,
/// `date` and `model` may be empty: the community file's own history columns, the day after the history, the
/// batch's `--model`), and optionally `holidays` (a holiday file for that community, replacing the batch's
/// `--holidays`). Paths are relative to the manifest. Lines starting with `#` are comments.
public struct BatchManifest: Sendable {
    /// One line of the manifest; `history`, `date` and `model` are nil where the line leaves them empty.
    public struct Entry: Sendable, Equatable {
        public var community: String
        public var history: String?
        public var date: String?
        public var model: String?
        /// The entry's holiday file (nil: the batch's `--holidays`, if any).
        public var holidays: String?
        /// 1-based line in the manifest.
        public var line: Int
        /// What the entry is, as written in the manifest (community, history, date, model): the same entry has the
        /// same identity whichever shard, array task or array size runs it.
        public var identity: String = ""

        /// The file name of this entry's own results store (`batch --store-dir`): the community file's name, the
        /// date and a fingerprint of the identity.
        public var storeFileName: String {
            let stem = URL(fileURLWithPath: community).deletingPathExtension().lastPathComponent
            let safe = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(40))
            return "\(safe)-\(date ?? "next")-\(fnv1a(Data(identity.utf8))).sqlite"
        }
    }
    public var path: String
    public var entries: [Entry]

    /// Reads and checks a manifest: the header and that every line names a community (paths resolved against the
    /// manifest's directory; the files are read when their entry runs). Throws ``DayAheadError/badInput(_:)``
    /// naming the manifest's line.
    public static func read(_ path: String) throws -> BatchManifest {
        let text: String
        do { text = try InputFiles.text(path) } catch { throw DayAheadError.badInput("\(path): \(error)") }
        let base = InputFiles.baseDirectory(of: path)
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        // DataIO's RFC 4180 reader, with `#` comment lines blanked first (so that every line keeps its number).
        // Lines by any line break (CRLF is one Character in Swift, so splitting at "\n" would not break it).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let uncommented = lines.map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") ? "" : String($0) }.joined(separator: "\n")
        let table: CSVTable
        do { table = try CSVTable(text: uncommented, file: path) } catch let e as CSVError {
            if e.line == 0 { throw DayAheadError.badInput("\(path): no header line (community,history,date,model)") }
            throw DayAheadError.badInput(e.description)
        }
        let headerLine =
            (lines.firstIndex {
                let l = $0.trimmingCharacters(in: .whitespaces); return !l.isEmpty && !l.hasPrefix("#")
            } ?? 0) + 1
        let h = table.header
        guard h.first == "community" else {
            throw DayAheadError.badInput("\(path):\(headerLine): the header must start with 'community' (community,history,date,model)")
        }
        for c in h where !["community", "history", "date", "model", "holidays"].contains(c) {
            throw DayAheadError.badInput("\(path):\(headerLine): unknown column '\(c)' (community,history,date,model and optionally holidays)")
        }
        var entries: [Entry] = []
        for record in table.records {
            let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            func cell(_ name: String) -> String? { h.firstIndex(of: name).map { cells[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            guard let community = cell("community") else { throw DayAheadError.badInput("\(path):\(record.line): empty community") }
            // The identity of an entry without holidays is what it was before the column existed.
            let identity = [community, cell("history") ?? "", cell("date") ?? "", cell("model") ?? ""] + (cell("holidays").map { [$0] } ?? [])
            var entry = Entry(
                community: resolve(community), history: cell("history").map(resolve), date: cell("date"),
                model: cell("model"), line: record.line, identity: identity.joined(separator: "\u{1}"))
            entry.holidays = cell("holidays").map(resolve)
            entries.append(entry)
        }
        return BatchManifest(path: path, entries: entries)
    }
}

/// Which part of a batch this process runs: entries whose 0-based position `p` has `p % count == index`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else { throw DayAheadError.badInput("shard \(index)/\(count): need 0 <= i < N") }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// `i/N`.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { throw DayAheadError.badInput("--shard: '\(text)' is not i/N") }
        return try Shard(index: i, count: n)
    }

    /// The shard given by a cluster: Slurm array jobs (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`,
    /// `SLURM_ARRAY_TASK_MIN`) or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, with the shard count in
    /// `PEERGRID_SHARD_COUNT`). `nil` when neither is set.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        if let id = env["SLURM_ARRAY_TASK_ID"] {
            guard let i = Int(id), let n = env["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) else {
                throw DayAheadError.badInput("SLURM_ARRAY_TASK_ID=\(id) needs a numeric SLURM_ARRAY_TASK_COUNT")
            }
            let first = env["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            return try Shard(index: i - first, count: n)
        }
        if let idx = env["JOB_COMPLETION_INDEX"] {
            guard let i = Int(idx), let n = env["PEERGRID_SHARD_COUNT"].flatMap(Int.init) else {
                throw DayAheadError.badInput("JOB_COMPLETION_INDEX=\(idx) needs PEERGRID_SHARD_COUNT (the Job's completions)")
            }
            return try Shard(index: i, count: n)
        }
        return nil
    }

    /// Whether this shard runs the manifest entry at 0-based position `p` (entries are dealt round-robin).
    public func contains(position p: Int) -> Bool { p % count == index }
}

/// `peergrid batch merge`: one table of every manifest entry's outcome, from the per-community summaries.
/// Only fields that do not depend on timing are merged, so a sharded batch merges to the same bytes as an
/// unsharded one.
public enum BatchMerge {
    /// One entry's outcome: its manifest line, community, date, status (`ok`, `missing`, ...) and its summary.
    public struct Row: @unchecked Sendable {
        public var line: Int
        public var community: String
        public var date: String
        public var status: String
        public var summary: [String: Any]?
        /// The entry's report directory (nil when the entry's inputs could not be read).
        public var directory: String? = nil
    }

    /// Reads each entry's `summary.json` (the latest run of that community and day, whatever its settings; the
    /// run key column tells them apart); an entry without one is `missing`.
    public static func collect(_ manifest: BatchManifest, job: DayAheadJob) -> [(BatchManifest.Entry, Row)] {
        manifest.entries.map { e in
            var planner = job.planner
            if let d = e.date { planner.options.date = d }
            guard let id = try? planner.identity(communityFile: e.community, history: e.history) else {
                return (e, Row(line: e.line, community: e.community, date: e.date ?? "", status: "bad-input", summary: nil))
            }
            let directory = job.directory(community: id.community, date: id.date)
            guard let data = FileManager.default.contents(atPath: directory + "/summary.json"),
                let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
                return (e, Row(line: e.line, community: id.community, date: id.date, status: "missing", summary: nil, directory: directory))
            }
            return (e, Row(line: e.line, community: id.community, date: id.date, status: o["status"] as? String ?? "?", summary: o, directory: directory))
        }
    }

    /// `batch.csv`: `line,community,date,status,cost,standalone_cost,savings,pricing_status,profit,models,run_key,
    /// forecast_error_cost` (the last from `summary.json`'s `metered_day`, empty when the history does not cover the day
    /// or the plan holds nothing).
    public static func csv(_ rows: [(BatchManifest.Entry, Row)]) -> String {
        var s = "line,community,date,status,cost,standalone_cost,savings,pricing_status,profit,models,run_key,forecast_error_cost\n"
        for (_, r) in rows {
            let sched = r.summary?["schedule"] as? [String: Any]
            let pricing = r.summary?["pricing"] as? [String: Any]
            func num(_ o: [String: Any]?, _ k: String) -> String { (o?[k] as? Double).map { String(format: "%.6f", $0) } ?? "" }
            let series = ((r.summary?["forecast"] as? [String: Any])?["series"] as? [[String: Any]]) ?? []
            let models = Dictionary(grouping: series.compactMap { $0["model"] as? String }, by: { $0 }).map { "\($0.key):\($0.value.count)" }.sorted().joined(
                separator: " ")
            s +=
                [
                    String(r.line), CSV.field(r.community), r.date, r.status, num(sched, "objective"), num(sched, "standalone_cost"),
                    num(sched, "savings"), pricing?["status"] as? String ?? "", num(pricing, "profit"), models,
                    r.summary?["run_key"] as? String ?? "", num(r.summary?["metered_day"] as? [String: Any], "forecast_error_cost")
                ].joined(separator: ",") + "\n"
        }
        return s
    }
}

extension BatchMerge {
    /// The most entries the savings chart shows (in manifest order); the table lists every entry.
    static let chartedEntries = 60

    /// The batch's overview report (`batch.html` and `batch.md` next to `batch.csv`): the totals, one row per entry
    /// linked to its community's report (`reportLink` maps a report directory to the link, relative to the overview),
    /// and a chart of each entry's savings and forecast error cost. Like `batch.csv`, it holds nothing that depends on
    /// timing, so a sharded batch gives the same bytes as an unsharded one.
    public static func report(
        _ rows: [(BatchManifest.Entry, Row)], manifest: String, reportLink: (String) -> String
    ) -> ReportDocument {
        let money = DayAheadOutputs.money
        func number(_ o: [String: Any]?, _ k: String) -> Double? { o?[k] as? Double }
        struct Figures { var cost, standalone, savings, profit, errorCost: Double? }
        let figures = rows.map { _, r -> Figures in
            let schedule = r.summary?["schedule"] as? [String: Any], pricing = r.summary?["pricing"] as? [String: Any]
            return Figures(
                cost: number(schedule, "objective"), standalone: number(schedule, "standalone_cost"), savings: number(schedule, "savings"),
                profit: number(pricing, "profit"), errorCost: number(r.summary?["metered_day"] as? [String: Any], "forecast_error_cost"))
        }
        var doc = ReportDocument(title: "Batch: \(URL(fileURLWithPath: manifest).lastPathComponent)")
        doc.add(.heading("Summary"))
        let done = rows.filter { $0.1.summary != nil }
        let statuses = Dictionary(grouping: done.map(\.1.status), by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted()
        var facts = [
            "\(counted(rows.count, "manifest entry", "manifest entries")) (\(manifest)); \(done.count) with a result"
                + (statuses.isEmpty ? "." : ": " + statuses.joined(separator: ", ") + ".")
        ]
        let missing = rows.filter { $0.1.summary == nil }
        if !missing.isEmpty {
            facts.append("No result: " + missing.map { "line \($0.1.line) (\($0.1.community) \($0.1.date), \($0.1.status))" }.joined(separator: ", ") + ".")
        }
        let priced = figures.filter { $0.cost != nil && $0.standalone != nil }
        if !priced.isEmpty {
            let cost = priced.reduce(0) { $0 + $1.cost! }, standalone = priced.reduce(0) { $0 + $1.standalone! }
            facts.append(
                "Over the \(counted(priced.count, "entry", "entries")) with a schedule: community cost \(money(cost)), stand-alone \(money(standalone)), savings \(money(standalone - cost))"
                    + (standalone > 0 ? String(format: " (%.1f %%)", 100 * (standalone - cost) / standalone) : "") + ".")
        }
        let profits = figures.compactMap(\.profit)
        if !profits.isEmpty { facts.append("Shared storage profit: \(money(profits.reduce(0, +))) over \(counted(profits.count, "entry", "entries")).") }
        let errors = figures.compactMap(\.errorCost)
        if !errors.isEmpty {
            facts.append(
                "What the forecast errors cost the plans on their metered days: \(money(errors.reduce(0, +))) over \(counted(errors.count, "entry", "entries"))"
                    + (errors.count < done.count ? " (the others' history does not cover the day, or their plans hold nothing)." : "."))
        }
        doc.add(.bullets(facts))
        doc.add(.heading("Entries"))
        let tableRows = zip(rows, figures).map { row, f -> [String] in
            let r = row.1
            let share = (f.savings != nil && (f.standalone ?? 0) > 0) ? String(format: "%.1f %%", 100 * f.savings! / f.standalone!) : "-"
            return [
                "\(r.community) \(r.date)", String(r.line), r.status, money(f.cost), money(f.standalone), money(f.savings), share,
                (r.summary?["pricing"] as? [String: Any])?["status"] as? String ?? "-", money(f.profit), money(f.errorCost)
            ]
        }
        let links = rows.map { $0.1.summary == nil ? nil : $0.1.directory.map { reportLink($0) } }
        doc.add(
            .linkedTable(
                header: ["entry", "line", "status", "cost", "stand-alone", "savings", "savings %", "pricing", "profit", "error cost"],
                rows: tableRows, links: links,
                note:
                    "Each entry links to its report. error cost: the plan kept on the metered day minus the day's optimum with hindsight (- when the history does not cover the day)."
            ))
        let withSavings = zip(rows, figures).filter { $0.1.savings != nil }
        let charted = Array(withSavings.prefix(chartedEntries))
        if !charted.isEmpty {
            doc.add(.heading("Savings by entry"))
            doc.add(
                .chart(
                    name: "savings",
                    svg: SVGChart.groupedBars(
                        title: "Savings against stand-alone, and what the forecast errors cost"
                            + (charted.count < withSavings.count ? " (first \(charted.count) entries with a schedule)" : ""),
                        categories: charted.map { "\($0.0.1.community) \($0.0.1.date)" },
                        series: [
                            ChartSeries("savings", charted.map { $0.1.savings! }, color: "#59a14f"),
                            ChartSeries("forecast error cost", charted.map { $0.1.errorCost ?? .nan }, color: "#e15759")
                        ], yLabel: "currency")))
        }
        return doc
    }
}

/// `peergrid batch run`: one shard of a manifest, community by community. A community done before (same run key)
/// is skipped; a community with bad input is reported and the others still run.
public struct BatchRun {
    /// What became of one manifest entry.
    public enum Outcome {
        case done(DayAheadResult, directory: String)
        case skipped(RunIdentity)
        case failed(DayAheadError)
    }

    public var manifest: BatchManifest
    public var shard: Shard
    public var outRoot: String
    /// One store for every entry, or `nil` (with ``storeDirectory`` or when nothing is recorded). Created at the
    /// first entry that succeeds when it does not exist, so a batch whose entries all fail leaves none.
    public var storePath: String?
    /// One store per manifest entry in this directory (named after the entry), recorded once per run key.
    public var storeDirectory: String?
    /// The settings of an entry (its date given); the entry's model, when set, replaces the settings' model.
    public var options: (_ date: String?) throws -> DayAheadOptions

    public init(
        manifest: BatchManifest, shard: Shard, outRoot: String, storePath: String?, storeDirectory: String?,
        options: @escaping (_ date: String?) throws -> DayAheadOptions
    ) {
        self.manifest = manifest
        self.shard = shard
        self.outRoot = outRoot
        self.storePath = storePath
        self.storeDirectory = storeDirectory
        self.options = options
    }

    /// This shard's entries, in manifest order.
    public var entries: [BatchManifest.Entry] {
        manifest.entries.enumerated().filter { shard.contains(position: $0.offset) }.map(\.element)
    }

    /// Runs every entry of the shard; `progress` gets the entry's position and a status text, `finished` each
    /// entry's outcome. Errors other than an entry's bad input (an unreadable store, say) end the run.
    public func run(
        progress: @escaping @Sendable (_ position: Int, _ text: String) -> Void,
        finished: (_ position: Int, _ entry: BatchManifest.Entry, _ outcome: Outcome) -> Void
    ) throws {
        var shared: ResultStore?  // the one store of every entry, once open (opened or created by a job)
        for (k, e) in entries.enumerated() {
            var o = try options(e.date)
            if let model = e.model { o.model = model }
            if let file = e.holidays {
                do { o.holidays = try HolidayCalendar.read(file, timeZone: o.timeZone) } catch let err as any PeerGridError {
                    finished(k, e, .failed(.badInput(err.description)))
                    continue
                }
            }
            let planner = DayAheadPlanner(options: o, progress: { progress(k, $0) })
            let job: DayAheadJob
            if let storeDirectory {
                job = try DayAheadJob(planner: planner, outRoot: outRoot, storePath: storeDirectory + "/" + e.storeFileName, recordOnce: true)
            } else if let shared {
                job = DayAheadJob(planner: planner, outRoot: outRoot, store: shared)
            } else {
                job = try DayAheadJob(planner: planner, outRoot: outRoot, storePath: storePath)
                shared = job.store
            }
            do {
                let id = try planner.identity(communityFile: e.community, history: e.history)
                if job.isDone(id) {
                    finished(k, e, .skipped(id))
                    continue
                }
                let (r, dir, used) = try job.run(communityFile: e.community, history: e.history)
                if storeDirectory == nil, shared == nil { shared = used }
                finished(k, e, .done(r, directory: dir))
            } catch let err as DayAheadError {
                finished(k, e, .failed(err))
            }
        }
    }
}

extension BatchMerge {
    /// Copies every run of the per-entry stores in `storeDirectory` into the store at `target` (each run key once,
    /// oldest first). Returns how many were added and how many were there already.
    public static func mergeStores(_ manifest: BatchManifest, storeDirectory: String, into target: String) throws -> (added: Int, present: Int) {
        var added = 0, present = 0
        let merged = try ResultStore(path: target)
        for e in manifest.entries where FileManager.default.fileExists(atPath: storeDirectory + "/" + e.storeFileName) {
            for run in try ResultStore(path: storeDirectory + "/" + e.storeFileName).runs(limit: Int.max).reversed() {
                if try merged.recordIfAbsent(run) { added += 1 } else { present += 1 }
            }
        }
        return (added, present)
    }
}
