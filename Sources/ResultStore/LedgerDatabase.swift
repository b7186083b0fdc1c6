import DataIO
import Foundation
import GRDB
import GRDBSQLite
import Ledger

/// A ledger kept in an SQLite file (through GRDB). Each append is one transaction: a process killed while
/// appending leaves the ledger as it was before, or with the whole append. The tables hold exactly what the spec
/// (docs/ledger-spec.md) says a ledger stores: entries with their bytes and leaf hashes, signed batches, the
/// perfect subtree hashes of the Merkle tree and the signed checkpoints.
public final class LedgerDatabase: LedgerStorage {
    public let path: String
    private let queue: DatabaseQueue

    /// Opens the ledger at `path`, creating an empty file when it does not exist and `create` is true. A file that
    /// is not a PeerGrid ledger (another SQLite database, or not SQLite) is refused untouched.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !create { throw LedgerError.badInput("\(path): no such file (no ledger there yet)") }
        var isDirectory: ObjCBool = false
        if exists, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw LedgerError.badInput("\(path): is a directory, not a ledger file")
        }
        do {
            try ResultStore.refuseForeignDatabase(path, table: "ledger_entry", kind: "PeerGrid ledger")
            var config = Configuration()
            config.busyMode = .timeout(30)
            queue = try DatabaseQueue(path: path, configuration: config)
            // WAL with synchronous NORMAL: a commit is atomic whatever happens (a killed process leaves all or none
            // of an append); only a power cut may lose the last committed append.
            // Opened to read (verify, prove, replay, a sync source): the file is left as it is.
            if create {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536")
                }
            }
            try Self.migrator.migrate(queue)
        } catch let e as ResultStoreError {
            throw LedgerError.badInput(e.description)
        } catch {
            throw LedgerError.badInput("\(path): cannot open the ledger: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("ledger-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                    CREATE TABLE ledger_entry (idx INTEGER PRIMARY KEY, batch INTEGER NOT NULL, type INTEGER NOT NULL,
                                               body BLOB NOT NULL, leaf BLOB NOT NULL);
                    CREATE TABLE ledger_key (party TEXT NOT NULL, entry INTEGER NOT NULL, public_key BLOB NOT NULL,
                                             PRIMARY KEY (party, entry));
                    CREATE TABLE ledger_clearing (clearing TEXT PRIMARY KEY, first INTEGER NOT NULL);
                    CREATE TABLE ledger_batch (id INTEGER PRIMARY KEY, submitter TEXT NOT NULL, first INTEGER NOT NULL,
                                               count INTEGER NOT NULL, signature BLOB NOT NULL);
                    CREATE TABLE ledger_node (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
                                              PRIMARY KEY (level, idx)) WITHOUT ROWID;
                    CREATE TABLE ledger_checkpoint (size INTEGER PRIMARY KEY, root BLOB NOT NULL, time INTEGER NOT NULL,
                                                    signature BLOB NOT NULL);
                    """)
        }
        return m
    }

    private func read<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let e as LedgerError { throw e } catch {
            throw LedgerError.badInput("\(path): cannot read the \(what): \(error)")
        }
    }

    public func header() throws -> LedgerHeader? {
        try read("header") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM ledger_meta")
            var meta: [String: Data] = [:]
            for row in rows { meta[row["key"]] = row["value"] }
            guard !meta.isEmpty else { return nil }
            guard let format = meta["format"], let name = meta["operator"], let key = meta["operator_key"] else {
                throw LedgerError.integrity("\(path): the ledger header is incomplete", entry: nil)
            }
            return LedgerHeader(
                format: String(decoding: format, as: UTF8.self),
                operatorName: String(decoding: name, as: UTF8.self), operatorKey: Array(key))
        }
    }

    public func size() throws -> Int {
        try read("size") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entry") ?? 0 }
    }

    public func subtree(level: Int, index: Int) throws -> Merkle.Hash {
        try read("tree") { db in
            let data: Data?
            if level == 0 {
                data = try Data.fetchOne(db, sql: "SELECT leaf FROM ledger_entry WHERE idx = ?", arguments: [index])
            } else {
                data = try Data.fetchOne(
                    db, sql: "SELECT hash FROM ledger_node WHERE level = ? AND idx = ?",
                    arguments: [level, index])
            }
            guard let data else {
                throw LedgerError.integrity(
                    "\(path): the tree node at level \(level), index \(index) is missing; run "
                        + "ledger verify", entry: nil)
            }
            return Array(data)
        }
    }

    public func latestCheckpoint() throws -> StoredCheckpoint? {
        try read("checkpoint") { db in
            try StoredCheckpoint.order(Column("size").desc).fetchOne(db)
        }
    }

    public func checkpoints() throws -> [StoredCheckpoint] {
        try read("checkpoints") { db in
            try StoredCheckpoint.order(Column("size")).fetchAll(db)
        }
    }

    public func registeredKeys() throws -> [String: [UInt8]] {
        try read("keys") { db in
            var keys: [String: [UInt8]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT party, public_key FROM ledger_key ORDER BY entry") {
                keys[row[0]] = Array(row[1] as Data)
            }
            return keys
        }
    }

    public func nextBatchID() throws -> Int {
        try read("batches") { db in (try Int.fetchOne(db, sql: "SELECT MAX(id) FROM ledger_batch") ?? 0) + 1 }
    }

    public func write(_ append: LedgerAppend, creating header: LedgerHeader?) throws {
        do {
            try queue.write { db in
                if let header {
                    guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_meta") == 0 else {
                        throw LedgerError.badInput("\(path): another process created this ledger meanwhile; try again")
                    }
                    for (key, value) in [
                        ("format", Data(header.format.utf8)), ("operator", Data(header.operatorName.utf8)),
                        ("operator_key", Data(header.operatorKey))
                    ] {
                        try db.execute(sql: "INSERT INTO ledger_meta (key, value) VALUES (?, ?)", arguments: [key, value])
                    }
                }
                let current = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entry") ?? 0
                guard current == (append.entries.first?.index ?? current) else {
                    throw LedgerError.badInput("\(path): another process appended meanwhile; try again")
                }
                // Entries and nodes are bound and stepped through SQLite's C API: 200,000 rows per 100,000 trades,
                // where GRDB's boxed arguments cost about a third of the append.
                let entry = try db.makeStatement(sql: "INSERT INTO ledger_entry (idx, batch, type, body, leaf) VALUES (?, ?, ?, ?, ?)")
                let entryHandle = entry.sqliteStatement
                for (clearing, first) in append.clearings {
                    if let at = try Int.fetchOne(db, sql: "SELECT first FROM ledger_clearing WHERE clearing = ?", arguments: [clearing]) {
                        throw LedgerError.badInput(
                            "\(path): clearing \(clearing) is in the ledger already (from entry \(at)); "
                                + "each clearing is appended once (give another --clearing id)")
                    }
                    try db.execute(sql: "INSERT INTO ledger_clearing (clearing, first) VALUES (?, ?)", arguments: [clearing, first])
                }
                for e in append.entries {
                    if e.body.count > 1, e.body[1] == 1, case .key(let party, let key) = try LedgerEntry.decode(e.body).record {
                        try db.execute(
                            sql: "INSERT INTO ledger_key (party, entry, public_key) VALUES (?, ?, ?)",
                            arguments: [party, e.index, Data(key)])
                    }
                    sqlite3_bind_int64(entryHandle, 1, Int64(e.index))
                    sqlite3_bind_int64(entryHandle, 2, Int64(e.batch))
                    sqlite3_bind_int64(entryHandle, 3, e.body.count > 1 ? Int64(e.body[1]) : 0)
                    Self.bind(entryHandle, 4, e.body)
                    Self.bind(entryHandle, 5, e.leaf)
                    try Self.step(entryHandle, db)
                }
                let batch = try db.makeStatement(sql: "INSERT INTO ledger_batch (id, submitter, first, count, signature) VALUES (?, ?, ?, ?, ?)")
                for b in append.batches {
                    try batch.execute(arguments: [b.id, b.submitter, b.first, b.count, Data(b.signature)])
                }
                let node = try db.makeStatement(sql: "INSERT INTO ledger_node (level, idx, hash) VALUES (?, ?, ?)")
                let nodeHandle = node.sqliteStatement
                for n in append.nodes {
                    sqlite3_bind_int64(nodeHandle, 1, Int64(n.level))
                    sqlite3_bind_int64(nodeHandle, 2, Int64(n.index))
                    Self.bind(nodeHandle, 3, n.hash)
                    try Self.step(nodeHandle, db)
                }
                for c in append.earlierCheckpoints + [append.checkpoint] {
                    try db.execute(
                        sql: "INSERT INTO ledger_checkpoint (size, root, time, signature) VALUES (?, ?, ?, ?)",
                        arguments: [c.size, Data(c.root), c.time, Data(c.signature)])
                }
            }
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError.badInput("\(path): cannot append: \(error)")
        }
    }

    /// Binds a blob (SQLite copies it).
    static func bind(_ statement: SQLiteStatement, _ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(
                statement, index, buffer.baseAddress, Int32(buffer.count),
                unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }

    static func step(_ statement: SQLiteStatement, _ db: Database) throws {
        let rc = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard rc == SQLITE_DONE else {
            throw LedgerError.badInput("cannot append: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
    }

    public func entries(from: Int, to: Int) throws -> [StoredEntry] {
        try read("entries") { db in
            try StoredEntry.filter(Column("idx") >= from && Column("idx") < to).order(Column("idx")).fetchAll(db)
        }
    }

    public func snapshot() throws -> LedgerSnapshot {
        guard let header = try header() else {
            throw LedgerError.badInput("\(path): the ledger is empty (nothing was ever appended)")
        }
        return try read("ledger") { db in
            let entries = try StoredEntry.order(Column("idx")).fetchAll(db)
            let batches = try StoredBatch.order(Column("first"), Column("id")).fetchAll(db)
            let nodes = try StoredNode.order(Column("level"), Column("idx")).fetchAll(db)
            let checkpoints = try StoredCheckpoint.order(Column("size")).fetchAll(db)
            return LedgerSnapshot(header: header, entries: entries, batches: batches, nodes: nodes, checkpoints: checkpoints)
        }
    }

    /// Copies the source's entries from `fromSize` on, with their batches, nodes and checkpoints, in one
    /// transaction (sync). The caller has checked that the source is consistent with this replica up to `fromSize`.
    public func copy(from source: LedgerSnapshot, fromSize: Int) throws {
        guard let last = source.checkpoints.last, last.size > fromSize else { return }
        var clearings: [(id: String, first: Int)] = []
        var seen = Set<String>()
        for e in source.entries[fromSize...] {
            if let c = try? LedgerEntry.decode(e.body).clearing, !c.isEmpty, seen.insert(c).inserted { clearings.append((c, e.index)) }
        }
        let append = LedgerAppend(
            entries: Array(source.entries[fromSize...]),
            batches: source.batches.filter { $0.first >= fromSize },
            nodes: source.nodes.filter { (($0.index + 1) << $0.level) > fromSize },
            checkpoint: last,
            earlierCheckpoints: source.checkpoints.filter { $0.size > fromSize && $0.size < last.size },
            clearings: clearings)
        try write(append, creating: try header() == nil ? source.header : nil)
    }
}

// The ledger's tables as GRDB records (read side). Writes go through prepared statements in ``write(_:creating:)``:
// one statement per table reused for every row of an append (10,000 trades in one transaction).

extension StoredEntry: FetchableRecord, TableRecord {
    public static let databaseTableName = "ledger_entry"
    public static var databaseSelection: [any SQLSelectable] { [Column("idx"), Column("batch"), Column("body"), Column("leaf")] }
    public init(row: Row) {
        self.init(index: row["idx"], batch: row["batch"], body: Array(row["body"] as Data), leaf: Array(row["leaf"] as Data))
    }
}

extension StoredBatch: FetchableRecord, TableRecord {
    public static let databaseTableName = "ledger_batch"
    public init(row: Row) {
        self.init(
            id: row["id"], submitter: row["submitter"], first: row["first"], count: row["count"],
            signature: Array(row["signature"] as Data))
    }
}

extension StoredNode: FetchableRecord, TableRecord {
    public static let databaseTableName = "ledger_node"
    public static var databaseSelection: [any SQLSelectable] { [Column("level"), Column("idx"), Column("hash")] }
    public init(row: Row) { self.init(level: row["level"], index: row["idx"], hash: Array(row["hash"] as Data)) }
}

extension StoredCheckpoint: FetchableRecord, TableRecord {
    public static let databaseTableName = "ledger_checkpoint"
    public init(row: Row) {
        self.init(size: row["size"], root: Array(row["root"] as Data), time: row["time"], signature: Array(row["signature"] as Data))
    }
}
