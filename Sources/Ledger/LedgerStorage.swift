/// One stored entry: its position, the batch that carries it, its canonical bytes and its leaf hash.
public struct StoredEntry: Sendable, Equatable {
    public var index: Int
    public var batch: Int
    public var body: [UInt8]
    public var leaf: Merkle.Hash
    public init(index: Int, batch: Int, body: [UInt8], leaf: Merkle.Hash) {
        self.index = index; self.batch = batch; self.body = body; self.leaf = leaf
    }
}

/// A run of consecutive entries submitted and signed together by one party.
public struct StoredBatch: Sendable, Equatable {
    public var id: Int
    public var submitter: String
    public var first: Int
    public var count: Int
    public var signature: [UInt8]
    public init(id: Int, submitter: String, first: Int, count: Int, signature: [UInt8]) {
        self.id = id; self.submitter = submitter; self.first = first; self.count = count; self.signature = signature
    }
}

/// A stored perfect subtree hash (level >= 1; level 0 are the entries' leaf hashes).
public struct StoredNode: Sendable, Equatable {
    public var level: Int
    public var index: Int
    public var hash: Merkle.Hash
    public init(level: Int, index: Int, hash: Merkle.Hash) { self.level = level; self.index = index; self.hash = hash }
}

/// A tree head signed by the operator.
public struct StoredCheckpoint: Sendable, Equatable {
    public var size: Int
    public var root: Merkle.Hash
    /// Seconds since 1970-01-01 UTC.
    public var time: Int64
    public var signature: [UInt8]
    public init(size: Int, root: Merkle.Hash, time: Int64, signature: [UInt8]) {
        self.size = size; self.root = root; self.time = time; self.signature = signature
    }

    public var message: [UInt8] { LedgerSignatures.checkpointMessage(size: size, root: root, time: time) }
}

/// Who runs the ledger: the operator signs every checkpoint.
public struct LedgerHeader: Sendable, Equatable {
    public static let currentFormat = "peergrid-ledger/1"
    public var format: String
    public var operatorName: String
    public var operatorKey: [UInt8]
    public init(format: String = LedgerHeader.currentFormat, operatorName: String, operatorKey: [UInt8]) {
        self.format = format; self.operatorName = operatorName; self.operatorKey = operatorKey
    }
}

/// Everything one append writes, in one transaction.
public struct LedgerAppend: Sendable {
    public var entries: [StoredEntry]
    public var batches: [StoredBatch]
    public var nodes: [StoredNode]
    /// The checkpoint that covers everything after the append.
    public var checkpoint: StoredCheckpoint
    /// Checkpoints inside the appended range (sync copies a source's history of checkpoints).
    public var earlierCheckpoints: [StoredCheckpoint]
    /// The clearings the append carries, with the index of each one's first entry (a clearing is appended once).
    public var clearings: [(id: String, first: Int)]

    public init(
        entries: [StoredEntry], batches: [StoredBatch], nodes: [StoredNode], checkpoint: StoredCheckpoint,
        earlierCheckpoints: [StoredCheckpoint] = [], clearings: [(id: String, first: Int)]
    ) {
        self.entries = entries; self.batches = batches; self.nodes = nodes; self.checkpoint = checkpoint
        self.earlierCheckpoints = earlierCheckpoints; self.clearings = clearings
    }
}

/// Everything stored, read verbatim (what `verify` checks).
public struct LedgerSnapshot: Sendable, Equatable {
    public var header: LedgerHeader
    public var entries: [StoredEntry]
    public var batches: [StoredBatch]
    public var nodes: [StoredNode]
    public var checkpoints: [StoredCheckpoint]
    public init(
        header: LedgerHeader, entries: [StoredEntry], batches: [StoredBatch], nodes: [StoredNode],
        checkpoints: [StoredCheckpoint]
    ) {
        self.header = header; self.entries = entries; self.batches = batches; self.nodes = nodes
        self.checkpoints = checkpoints
    }
}

/// Where a ledger lives. `ResultStore.LedgerDatabase` keeps it in SQLite; the ledger's logic needs only this.
public protocol LedgerStorage {
    /// The header, or nil for a ledger not created yet.
    func header() throws -> LedgerHeader?
    /// The number of entries.
    func size() throws -> Int
    /// The stored hash of the perfect subtree at (level, index); level 0 is an entry's leaf hash.
    func subtree(level: Int, index: Int) throws -> Merkle.Hash
    func latestCheckpoint() throws -> StoredCheckpoint?
    /// Every checkpoint, smallest size first.
    func checkpoints() throws -> [StoredCheckpoint]
    /// The public keys registered by key entries, by party (the latest registration wins).
    func registeredKeys() throws -> [String: [UInt8]]
    /// The next free batch id.
    func nextBatchID() throws -> Int
    /// Writes one append in one transaction; creates the ledger with `header` when it is not nil.
    func write(_ append: LedgerAppend, creating header: LedgerHeader?) throws
    /// Entries [from, to) as stored.
    func entries(from: Int, to: Int) throws -> [StoredEntry]
    /// Everything, for verification and sync.
    func snapshot() throws -> LedgerSnapshot
}

extension LedgerStorage {
    /// A view of the stored tree for roots and proofs.
    public var view: MerkleView { MerkleView { level, index in try self.subtree(level: level, index: index) } }
}
