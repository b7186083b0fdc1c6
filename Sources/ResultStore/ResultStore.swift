import DataIO
import Foundation
import GRDB

/// One recorded run of `peergrid day-ahead`: what went in (hashes, settings), what came out (status, costs,
/// prices) and how long it took.
public struct RunRecord: Sendable, Equatable, Codable {
    /// Row id (assigned by the store).
    public var id: Int64?
    /// `community/date/settings-hash`: equal keys mean the same job (batch reruns skip it).
    public var runKey: String
    public var community: String
    /// The scheduled day, `YYYY-MM-DD`.
    public var date: String
    /// ISO 8601 UTC time the run finished.
    public var finishedAt: String
    /// The schedule's status (`optimal`, `feasible`, `infeasible`, ...).
    public var status: String
    public var solver: String
    /// The model option (`auto`, `arima`, ...) and, as JSON, what each series used.
    public var model: String
    public var modelsJSON: String
    /// SHA-256 of the community file and of the history files read.
    public var communityHash: String
    public var historyHash: String
    /// All settings as JSON.
    public var settingsJSON: String
    public var cost: Double?
    public var standaloneCost: Double?
    public var savings: Double?
    public var gap: Double?
    public var pricingStatus: String
    public var profit: Double?
    /// Prices as JSON (`{"charge": [...], "discharge": [...]}` per path).
    public var pricesJSON: String
    /// Forecast MAPE against the day's actuals, when the history covers the day.
    public var forecastMAPE: Double?
    public var forecastSeconds: Double
    public var scheduleSeconds: Double
    public var pricingSeconds: Double
    public var totalSeconds: Double
    /// Where the report was written.
    public var reportDirectory: String
    /// The metered-day check (when the history covers the day, central schedules only): what the plan costs with
    /// the homes' batteries and flexible loads kept as planned on the metered load and PV, and the metered day's
    /// optimum with hindsight. Nil for runs recorded before the store's schema v2, or when the check did not run.
    public var keptCost: Double?
    public var hindsightCost: Double?
    /// `keptCost - hindsightCost`: what the forecast errors cost the plan. Nil when the plan holds nothing (no home
    /// battery or flexible load) or either cost is missing.
    public var forecastErrorCost: Double?

    public init(
        runKey: String, community: String, date: String, finishedAt: String, status: String, solver: String,
        model: String, modelsJSON: String, communityHash: String, historyHash: String, settingsJSON: String,
        cost: Double?, standaloneCost: Double?, savings: Double?, gap: Double?, pricingStatus: String,
        profit: Double?, pricesJSON: String, forecastMAPE: Double?, forecastSeconds: Double,
        scheduleSeconds: Double, pricingSeconds: Double, totalSeconds: Double, reportDirectory: String,
        keptCost: Double? = nil, hindsightCost: Double? = nil, forecastErrorCost: Double? = nil
    ) {
        self.runKey = runKey; self.community = community; self.date = date; self.finishedAt = finishedAt
        self.status = status; self.solver = solver; self.model = model; self.modelsJSON = modelsJSON
        self.communityHash = communityHash; self.historyHash = historyHash; self.settingsJSON = settingsJSON
        self.cost = cost; self.standaloneCost = standaloneCost; self.savings = savings; self.gap = gap
        self.pricingStatus = pricingStatus; self.profit = profit; self.pricesJSON = pricesJSON
        self.forecastMAPE = forecastMAPE; self.forecastSeconds = forecastSeconds; self.scheduleSeconds = scheduleSeconds
        self.pricingSeconds = pricingSeconds; self.totalSeconds = totalSeconds; self.reportDirectory = reportDirectory
        self.keptCost = keptCost; self.hindsightCost = hindsightCost; self.forecastErrorCost = forecastErrorCost
    }
}

/// The `run` table's row: GRDB reads and writes it through `Codable` with the table's column names.
extension RunRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, runKey = "run_key", community, date, finishedAt = "finished_at", status, solver, model
        case modelsJSON = "models_json", communityHash = "community_hash", historyHash = "history_hash"
        case settingsJSON = "settings_json", cost, standaloneCost = "standalone_cost", savings, gap
        case pricingStatus = "pricing_status", profit, pricesJSON = "prices_json", forecastMAPE = "forecast_mape"
        case forecastSeconds = "forecast_seconds", scheduleSeconds = "schedule_seconds", pricingSeconds = "pricing_seconds"
        case totalSeconds = "total_seconds", reportDirectory = "report_dir"
        case keptCost = "kept_cost", hindsightCost = "hindsight_cost", forecastErrorCost = "forecast_error_cost"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A store failure, with the database file named.
public struct ResultStoreError: PeerGridError {
    public var path: String
    public var message: String
    public var kind: FailureKind = .badInput
    public var description: String { "\(path): \(message)" }
}

/// The results store: an embedded SQLite database (through GRDB) with one row per run. Each write is one
/// transaction, so a run killed while recording leaves no partial row. Several processes (batch shards) may
/// write to the same file: SQLite's write-ahead log serializes them, and a writer waits up to 60 s for a lock.
/// Opening (switching a new file to WAL and creating its schema) is serialized across processes by an exclusive
/// `flock` on `<path>.lock`: shards that create the same store at once otherwise fail with "table run already
/// exists" or "database is locked" (seen in 3 of 75 concurrent opens).
public final class ResultStore: Sendable {
    public let path: String
    private let pool: DatabasePool
    /// The private copy's directory of a store read from a read-only folder, removed when the store is released.
    private let privateCopy: URL?

    deinit {
        guard let privateCopy else { return }
        try? pool.close()
        try? FileManager.default.removeItem(at: privateCopy)
    }

    /// Opens an existing store to read it (`peergrid history`). A store in a folder this process cannot write (a
    /// read-only mount, another user's reports) is read from a private copy: SQLite's write-ahead log needs its
    /// `-shm` file next to the database even to read, and the lock file cannot be created there.
    public static func openForReading(path: String) throws -> ResultStore {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard access(directory, W_OK) != 0 else { return try ResultStore(path: path) }
        guard access(path, R_OK) == 0 else { throw ResultStoreError(path: path, message: "cannot be read (permissions)") }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-store-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            let target = copy.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
            try FileManager.default.copyItem(atPath: path, toPath: target)
            if FileManager.default.fileExists(atPath: path + "-wal") { try FileManager.default.copyItem(atPath: path + "-wal", toPath: target + "-wal") }
            try refuseForeignDatabase(target)
            return try ResultStore(path: target, shownAs: path, privateCopy: copy)
        } catch let e as ResultStoreError {
            try? FileManager.default.removeItem(at: copy)
            throw ResultStoreError(path: path, message: e.message)
        } catch {
            try? FileManager.default.removeItem(at: copy)
            throw ResultStoreError(path: path, message: "cannot be read from a read-only folder: \(error)")
        }
    }

    /// Opens (creating when absent) the store at `path` and brings its schema up to date.
    public convenience init(path: String) throws {
        try self.init(path: path, shownAs: path)
    }

    /// `shownAs`: the path messages and ``path`` give (the original of a private copy).
    init(path openPath: String, shownAs: String, privateCopy: URL? = nil) throws {
        let path = openPath
        self.path = shownAs
        self.privateCopy = privateCopy
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                withIntermediateDirectories: true)
            let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard lock >= 0 else {
                throw ResultStoreError(path: path, message: "cannot open the results store's lock file \(path).lock: \(String(cString: strerror(errno)))")
            }
            defer { close(lock) }  // closing releases the lock
            // Another process holds the lock while it opens the store; wait for it, but not forever.
            let deadline = Date().addingTimeInterval(Self.lockTimeout)
            while flock(lock, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    throw ResultStoreError(path: path, message: "cannot lock \(path).lock: \(String(cString: strerror(errno)))")
                }
                guard Date() < deadline else {
                    throw ResultStoreError(
                        path: path,
                        message:
                            "another process has held \(path).lock for \(Int(Self.lockTimeout)) s (a PeerGrid run opening the store, or a stuck one); try again, or remove the lock file if no PeerGrid process is running"
                    )
                }
                usleep(50_000)
            }
            try Self.refuseForeignDatabase(path)
            var config = Configuration()
            config.busyMode = .timeout(Self.lockTimeout)
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch let e as ResultStoreError {
            throw e
        } catch {
            throw ResultStoreError(path: path, message: "cannot open the results store: \(error)")
        }
    }

    /// An existing file that is not a PeerGrid store (another SQLite database, or not SQLite at all) is refused
    /// before anything is written to it: opening the pool would switch it to WAL and add PeerGrid's tables.
    static func refuseForeignDatabase(
        _ path: String, table: String = "run",
        kind: String = "PeerGrid results store"
    ) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(lockTimeout)
        let tables: [String]
        do {
            tables = try DatabaseQueue(path: path, configuration: config).read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        } catch {
            throw ResultStoreError(path: path, message: "is not a \(kind) (not an SQLite database: \(error)); give another path")
        }
        // Only GRDB's migrations table: a first open killed between GRDB creating it and the first migration's
        // transaction (found by the batch kill test, killed 0.05 s in). PeerGrid's own store, unfinished: migrate.
        if !tables.isEmpty && !tables.contains(table) && tables != ["grdb_migrations"] {
            throw ResultStoreError(
                path: path, message: "is an SQLite database, but not a \(kind) (tables: \(tables.prefix(5).joined(separator: ", "))); give another path")
        }
    }

    /// The schema this build writes: 1 until 0.21.0, 2 from 0.22.0 (the metered-day columns). Opening a store
    /// migrates it to this version.
    public static let schemaVersion = 2

    /// Seconds a process waits for another to release the store (its lock file, then SQLite's own locks).
    static let lockTimeout: TimeInterval = 30

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run_key", .text).notNull().indexed()
                t.column("community", .text).notNull().indexed()
                t.column("date", .text).notNull()
                t.column("finished_at", .text).notNull()
                t.column("status", .text).notNull()
                t.column("solver", .text).notNull()
                t.column("model", .text).notNull()
                t.column("models_json", .text).notNull()
                t.column("community_hash", .text).notNull()
                t.column("history_hash", .text).notNull()
                t.column("settings_json", .text).notNull()
                t.column("cost", .double)
                t.column("standalone_cost", .double)
                t.column("savings", .double)
                t.column("gap", .double)
                t.column("pricing_status", .text).notNull()
                t.column("profit", .double)
                t.column("prices_json", .text).notNull()
                t.column("forecast_mape", .double)
                t.column("forecast_seconds", .double).notNull()
                t.column("schedule_seconds", .double).notNull()
                t.column("pricing_seconds", .double).notNull()
                t.column("total_seconds", .double).notNull()
                t.column("report_dir", .text).notNull()
            }
        }
        // 0.22.0: the metered-day check. Rows recorded before have NULL there; older PeerGrid versions still read the
        // store (they ignore the new columns).
        m.registerMigration("v2-metered-day") { db in
            try db.alter(table: "run") { t in
                t.add(column: "kept_cost", .double)
                t.add(column: "hindsight_cost", .double)
                t.add(column: "forecast_error_cost", .double)
            }
        }
        return m
    }

    /// Records a run in one transaction and returns its id.
    @discardableResult
    public func record(_ r: RunRecord) throws -> Int64 {
        do {
            return try pool.write { db in
                try Self.insert(r, db)
                return db.lastInsertedRowID
            }
        } catch {
            throw ResultStoreError(path: path, message: "cannot record the run: \(error)")
        }
    }

    static func insert(_ r: RunRecord, _ db: Database) throws {
        var row = r
        row.id = nil  // the store assigns ids: a run copied from another store gets a new one
        try row.insert(db)
    }

    /// Records a run unless one with the same run key is there already, both in one transaction (two processes that
    /// finish the same job record it once). Returns whether it recorded.
    @discardableResult
    public func recordIfAbsent(_ r: RunRecord) throws -> Bool {
        do {
            return try pool.write { db in
                if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM run WHERE run_key = ?)", arguments: [r.runKey]) == true {
                    return false
                }
                try Self.insert(r, db)
                return true
            }
        } catch {
            throw ResultStoreError(path: path, message: "cannot record the run: \(error)")
        }
    }

    /// Whether a run with this key was recorded.
    public func contains(runKey: String) throws -> Bool {
        do {
            return try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM run WHERE run_key = ?)", arguments: [runKey]) ?? false }
        } catch { throw ResultStoreError(path: path, message: "cannot read: \(error)") }
    }

    /// Runs, newest first, optionally of one community.
    public func runs(community: String? = nil, limit: Int = 50) throws -> [RunRecord] {
        do {
            return try pool.read { db in
                var request = RunRecord.order(RunRecord.CodingKeys.id.desc).limit(limit)
                if let community { request = request.filter(RunRecord.CodingKeys.community == community) }
                return try request.fetchAll(db)
            }
        } catch { throw ResultStoreError(path: path, message: "cannot read: \(error)") }
    }

    /// One run by id.
    public func run(id: Int64) throws -> RunRecord? {
        do { return try pool.read { db in try RunRecord.fetchOne(db, key: id) } } catch { throw ResultStoreError(path: path, message: "cannot read: \(error)") }
    }
}
