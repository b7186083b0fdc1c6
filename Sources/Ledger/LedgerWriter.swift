import DataIO
import Foundation
import Synchronization

/// What an append did.
public struct AppendReceipt: Sendable {
    /// The entries the submitter asked for, and the key registrations added before them.
    public var appended: Int
    public var keyRegistrations: Int
    /// Tree size and root after the append, and the checkpoint signed for them.
    public var checkpoint: StoredCheckpoint
    /// Index of the first appended entry.
    public var firstIndex: Int
}

/// The ledger as an append finds it: its header (or the one to create), the Merkle frontier after its last
/// entry (checked against the signed head), the registered keys and the next batch id.
struct Head {
    var creating: LedgerHeader?
    var size: Int
    var frontier = MerkleFrontier()
    var keys: [String: [UInt8]]
    var batchID: Int

    init(storage: LedgerStorage, operatorKey: LedgerSigningKey) throws {
        let existing = try storage.header()
        if let header = existing {
            guard header.operatorKey == operatorKey.publicKey else {
                throw LedgerError.badInput(
                    "the operator key (party \(operatorKey.party)) is not this ledger's operator (\(header.operatorName))")
            }
        } else {
            creating = LedgerHeader(operatorName: operatorKey.party, operatorKey: operatorKey.publicKey)
        }
        size = existing == nil ? 0 : try storage.size()
        if size > 0 {
            frontier = try MerkleFrontier(size: size, view: storage.view)
            try LedgerWriter.checkHead(storage: storage, size: size, root: frontier.root, operatorKey: operatorKey.publicKey)
        }
        keys = existing == nil ? [:] : try storage.registeredKeys()
        batchID = existing == nil ? 1 : try storage.nextBatchID()
    }

    /// The batches to sign: a key registration for the operator and the submitter when new, then the body.
    mutating func plan(_ body: [LedgerEntry], submitter: LedgerSigningKey, operatorKey: LedgerSigningKey) throws
        -> (plan: [(signer: LedgerSigningKey, entries: [LedgerEntry])], registrations: Int)
    {
        var plan: [(signer: LedgerSigningKey, entries: [LedgerEntry])] = []
        for signer in [operatorKey, submitter] where keys[signer.party] == nil {
            let registration = LedgerEntry(
                submitter: signer.party, clearing: "", record: .key(party: signer.party, publicKey: signer.publicKey))
            plan.append((signer, [registration]))
            keys[signer.party] = signer.publicKey
        }
        guard keys[submitter.party] == submitter.publicKey else {
            throw LedgerError.badInput("party \(submitter.party) is registered in this ledger with another key")
        }
        let registrations = plan.count
        plan.append((submitter, body))
        return (plan, registrations)
    }

    /// The rows of the append: entries with their leaves, the new tree nodes, one signed batch per plan item and
    /// the operator's checkpoint over the new size.
    mutating func append(
        _ plan: [(signer: LedgerSigningKey, entries: [LedgerEntry])], clearing: String, time: Int64,
        operatorKey: LedgerSigningKey
    ) throws -> LedgerAppend {
        var append = LedgerAppend(
            entries: [], batches: [], nodes: [],
            checkpoint: StoredCheckpoint(size: 0, root: [], time: 0, signature: []), clearings: [])
        let count = plan.reduce(0) { $0 + $1.entries.count }
        append.entries.reserveCapacity(count)
        append.nodes.reserveCapacity(count)
        var index = size
        var firstIndex = size
        for (signer, entries) in plan {
            let first = index
            let encoded = LedgerWriter.encodeAndHash(entries)
            for (bytes, leaf) in encoded {
                append.entries.append(StoredEntry(index: index, batch: batchID, body: bytes, leaf: leaf))
                for node in frontier.append(leaf: leaf) {
                    append.nodes.append(StoredNode(level: node.level, index: node.index, hash: node.hash))
                }
                index += 1
            }
            let message = LedgerSignatures.batchMessage(
                first: first, count: entries.count, submitter: signer.party, leaves: encoded.map(\.leaf))
            append.batches.append(
                StoredBatch(id: batchID, submitter: signer.party, first: first, count: entries.count, signature: try signer.sign(message)))
            batchID += 1
            firstIndex = first
        }
        append.clearings = [(clearing, firstIndex)]
        let root = frontier.root
        let message = LedgerSignatures.checkpointMessage(size: index, root: root, time: time)
        append.checkpoint = StoredCheckpoint(size: index, root: root, time: time, signature: try operatorKey.sign(message))
        return append
    }
}

/// Appends signed batches to a ledger. One call is one transaction: its entries, the key registrations they need,
/// the new subtree hashes and a checkpoint signed by the operator are all written or none are.
public enum LedgerWriter {
    /// Appends `records` for `clearing`, submitted and signed by `submitter`; the operator signs the checkpoint.
    /// Bills are not passed in: for every clearing that has trades, the settlement rule computes them and they
    /// are appended after the trades, in the same batch.
    public static func append(
        records: [LedgerRecord], clearing: String, submitter: LedgerSigningKey,
        operator operatorKey: LedgerSigningKey, to storage: LedgerStorage,
        time: Int64 = Int64(Date().timeIntervalSince1970)
    ) throws -> AppendReceipt {
        try validate(records: records, clearing: clearing, submitter: submitter.party)
        var body = records.map { LedgerEntry(submitter: submitter.party, clearing: clearing, record: $0) }
        let trades = records.compactMap { if case .trade(let t) = $0 { t } else { nil } }
        if !trades.isEmpty {
            body += SettlementRule.bills(for: trades).map {
                LedgerEntry(submitter: submitter.party, clearing: clearing, record: .bill($0))
            }
        }
        var head = try Head(storage: storage, operatorKey: operatorKey)
        let (plan, registrations) = try head.plan(body, submitter: submitter, operatorKey: operatorKey)
        let append = try head.append(plan, clearing: clearing, time: time, operatorKey: operatorKey)
        try storage.write(append, creating: head.creating)
        let firstIndex = append.clearings.first?.first ?? head.size
        return AppendReceipt(
            appended: body.count, keyRegistrations: registrations, checkpoint: append.checkpoint,
            firstIndex: firstIndex)
    }

    /// Canonical bytes and leaf hashes, computed on every core for large batches.
    static func encodeAndHash(_ entries: [LedgerEntry]) -> [(body: [UInt8], leaf: Merkle.Hash)] {
        let chunks = entries.count < 4096 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        let size = (entries.count + chunks - 1) / max(chunks, 1)
        let parts = Mutex(Array(repeating: [(body: [UInt8], leaf: Merkle.Hash)](), count: chunks))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (c * size)..<min(entries.count, (c + 1) * size)
            guard !range.isEmpty else { return }
            let part = entries[range].map { entry -> (body: [UInt8], leaf: Merkle.Hash) in
                let bytes = entry.encoded()
                return (bytes, Merkle.leafHash(bytes))
            }
            parts.withLock { $0[c] = part }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }

    /// The latest checkpoint must cover every stored entry, match the stored tree and carry the operator's
    /// signature; otherwise nothing is appended (run `verify` to find what is wrong).
    static func checkHead(storage: LedgerStorage, size: Int, root: Merkle.Hash, operatorKey: [UInt8]) throws {
        guard let head = try storage.latestCheckpoint() else {
            throw LedgerError.integrity(
                "the ledger has \(counted(size, "entry")) but no signed checkpoint; run ledger verify",
                entry: 0)
        }
        guard head.size == size, head.root == root,
            LedgerSignatures.isValid(head.signature, message: head.message, publicKey: operatorKey)
        else {
            throw LedgerError.integrity(
                "the latest signed checkpoint does not match the stored tree; refusing to "
                    + "append (run ledger verify to find the bad entry)", entry: nil)
        }
    }

    static func validate(records: [LedgerRecord], clearing: String, submitter: String) throws {
        guard !records.isEmpty else { throw LedgerError.badInput("nothing to append: no trades or tariffs") }
        guard !clearing.isEmpty, clearing.utf8.count <= 200 else {
            throw LedgerError.badInput("the clearing id must have 1 to 200 bytes")
        }
        guard !submitter.isEmpty, submitter.utf8.count <= 200 else {
            throw LedgerError.badInput("the party name must have 1 to 200 bytes")
        }
        var tariffPeriods = Set<Int64>()
        var magnitude: Int128 = 0
        for (i, record) in records.enumerated() {
            switch record {
            case .trade(let t):
                guard !t.seller.isEmpty, !t.buyer.isEmpty, t.seller.utf8.count <= 200, t.buyer.utf8.count <= 200 else {
                    throw LedgerError.badInput("trade \(i + 1): seller and buyer must have 1 to 200 bytes")
                }
                guard t.seller != t.buyer else { throw LedgerError.badInput("trade \(i + 1): \(t.seller) trades with itself") }
                if t.kind == .charge {
                    guard t.energyWh == 0 else { throw LedgerError.badInput("trade \(i + 1): a charge carries no energy") }
                } else {
                    guard t.energyWh > 0, t.energyWh <= LedgerUnits.maxEnergyWh else {
                        throw LedgerError.badInput("trade \(i + 1): energy \(t.energyWh) Wh is outside 1 ... 10^12")
                    }
                }
                guard abs(t.price) <= LedgerUnits.maxPrice else {
                    throw LedgerError.badInput("trade \(i + 1): price \(t.price) micro-units per kWh is out of range")
                }
                guard t.periodSeconds > 0 else { throw LedgerError.badInput("trade \(i + 1): period length 0") }
                magnitude += Int128(t.value.magnitude)
                guard magnitude < Int128(Int64.max) else {
                    throw LedgerError.badInput("trade \(i + 1): the clearing's trades are worth more than 2^63 micro-units")
                }
            case .tariff(let t):
                guard tariffPeriods.insert(t.periodStart).inserted else {
                    throw LedgerError.badInput("tariff \(i + 1): a second tariff for the period starting \(t.periodStart)")
                }
                guard t.periodSeconds > 0,
                    [t.importPrice, t.exportPrice, t.poolPrice, t.poolFee].allSatisfy({ abs($0) <= LedgerUnits.maxPrice })
                else { throw LedgerError.badInput("tariff \(i + 1): period length 0 or a price out of range") }
            case .key, .bill:
                throw LedgerError.badInput("entry \(i + 1): keys and bills are added by the ledger itself")
            }
        }
    }
}
