import DataIO
/// What a successful verification saw.
public struct LedgerVerification: Sendable {
    public var entries: Int
    public var batches: Int
    public var checkpoints: Int
    public var root: Merkle.Hash
    public var latest: StoredCheckpoint?
    /// The decoded entries, in order (for replay).
    public var decoded: [(index: Int, entry: LedgerEntry)]
}

/// Checks everything a ledger stores: every entry's bytes and leaf hash, every batch signature, every stored tree
/// node, every checkpoint's root and signature, that every append has its checkpoint, and that the latest
/// checkpoint covers every entry. The first
/// problem found is thrown as `LedgerError.integrity`, naming the first bad entry where one can be named.
public enum LedgerVerifier {
    /// `pinnedOperatorKey`: the operator's public key from a trusted source; without it the key in the ledger's
    /// header is used, which detects every change to the data but not a ledger rewritten whole with another key.
    public static func verify(_ s: LedgerSnapshot, pinnedOperatorKey: [UInt8]? = nil) throws -> LedgerVerification {
        try checkHeader(s, pinnedOperatorKey: pinnedOperatorKey)
        let decoded = try checkEntries(s)
        try checkBatches(s, decoded)
        let view = try checkTree(s)
        try checkCheckpoints(s, view)
        try checkEveryAppendIsCheckpointed(s, decoded)
        let n = s.entries.count
        guard let latest = s.checkpoints.last else {
            if n == 0 {
                return LedgerVerification(
                    entries: 0, batches: 0, checkpoints: 0, root: Merkle.emptyRoot,
                    latest: nil, decoded: [])
            }
            throw fail("no signed checkpoint covers the \(counted(n, "entry"))", 0)
        }
        guard latest.size == n else {
            throw fail("entries \(latest.size)...\(n - 1) are not covered by a signed checkpoint", latest.size)
        }
        return LedgerVerification(
            entries: n, batches: s.batches.count, checkpoints: s.checkpoints.count,
            root: latest.root, latest: latest, decoded: decoded)
    }

    static func fail(_ m: String, _ entry: Int?) -> LedgerError { .integrity(m, entry: entry) }

    /// The format, the operator key's size and, when given, the trusted key.
    static func checkHeader(_ s: LedgerSnapshot, pinnedOperatorKey: [UInt8]?) throws {
        guard s.header.format == LedgerHeader.currentFormat else {
            throw fail("the ledger format is '\(s.header.format)', expected \(LedgerHeader.currentFormat)", nil)
        }
        guard s.header.operatorKey.count == 32 else { throw fail("the operator key in the header is not 32 bytes", nil) }
        if let pinned = pinnedOperatorKey, pinned != s.header.operatorKey {
            throw fail("the ledger's operator key is not the trusted key given", nil)
        }

    }

    /// Entries: contiguous, leaf hash of their bytes, canonical. Returns them decoded.
    static func checkEntries(_ s: LedgerSnapshot) throws -> [(index: Int, entry: LedgerEntry)] {
        let n = s.entries.count
        var decoded: [(index: Int, entry: LedgerEntry)] = []
        decoded.reserveCapacity(n)
        for (position, e) in s.entries.enumerated() {
            guard e.index == position else {
                throw fail("entry \(position) is missing (the next stored entry is \(e.index))", position)
            }
            guard e.leaf == Merkle.leafHash(e.body) else {
                throw fail("entry \(position): its stored leaf hash does not match its bytes", position)
            }
            do {
                decoded.append((position, try LedgerEntry.decode(e.body)))
            } catch {
                throw fail("entry \(position): not a canonical entry: \(error)", position)
            }
        }

        return decoded
    }

    /// Batches: cover the entries in order; each signature verifies with its submitter's registered key.
    static func checkBatches(_ s: LedgerSnapshot, _ decoded: [(index: Int, entry: LedgerEntry)]) throws {
        let n = s.entries.count
        var keys: [String: [UInt8]] = [:]
        var next = 0
        for (i, b) in s.batches.enumerated() {
            guard b.first == next, b.count > 0, b.first + b.count <= n else {
                let at = min(next, max(n - 1, 0))
                throw fail(
                    "batch \(b.id) covers entries \(b.first)..<\(b.first + b.count) but the next unbatched entry "
                        + "is \(next) of \(n)", n == 0 ? nil : at)
            }
            if i > 0, b.id <= s.batches[i - 1].id { throw fail("batch ids are not increasing at batch \(b.id)", b.first) }
            let range = b.first..<(b.first + b.count)
            for j in range {
                guard s.entries[j].batch == b.id else {
                    throw fail(
                        "entry \(j) names batch \(s.entries[j].batch), "
                            + "but batch \(b.id) covers it", j)
                }
                guard decoded[j].entry.submitter == b.submitter else {
                    throw fail(
                        "entry \(j) was submitted by \(decoded[j].entry.submitter) but sits in a batch signed "
                            + "by \(b.submitter)", j)
                }
            }
            var key = keys[b.submitter]
            if key == nil, case .key(let party, let publicKey) = decoded[b.first].entry.record, party == b.submitter {
                key = publicKey
            }
            guard let signer = key else {
                throw fail(
                    "batch \(b.id) (entries \(range.lowerBound)...\(range.upperBound - 1)) is signed by "
                        + "\(b.submitter), who has no registered key", b.first)
            }
            if keys.isEmpty, b.submitter != s.header.operatorName || signer != s.header.operatorKey {
                throw fail("the first key registered is not the operator's key from the header", b.first)
            }
            let message = LedgerSignatures.batchMessage(
                first: b.first, count: b.count, submitter: b.submitter,
                leaves: s.entries[range].lazy.map(\.leaf))
            guard LedgerSignatures.isValid(b.signature, message: message, publicKey: signer) else {
                throw fail(
                    "batch \(b.id) (entries \(range.lowerBound)...\(range.upperBound - 1), submitter "
                        + "\(b.submitter)): the signature does not verify", b.first)
            }
            for j in range {
                if case .key(let party, let publicKey) = decoded[j].entry.record, party == b.submitter {
                    keys[party] = publicKey
                }
            }
            next = b.first + b.count
        }
        guard next == n else { throw fail("entries \(next)...\(n - 1) are in no signed batch", next) }

    }

    /// The tree: recompute every perfect subtree and compare with what is stored. Returns the recomputed tree.
    static func checkTree(_ s: LedgerSnapshot) throws -> MerkleView {
        let n = s.entries.count
        var levels: [[Merkle.Hash]] = [s.entries.map(\.leaf)]
        while levels.last!.count >= 2 {
            let below = levels.last!
            levels.append((0..<(below.count / 2)).map { Merkle.nodeHash(below[2 * $0], below[2 * $0 + 1]) })
        }
        let expectedNodes = levels.dropFirst().reduce(0) { $0 + $1.count }
        var seen = 0
        for node in s.nodes {
            guard node.level >= 1, node.level < levels.count, node.index >= 0, node.index < levels[node.level].count
            else { throw fail("a stored tree node (level \(node.level), index \(node.index)) is outside the tree", nil) }
            guard levels[node.level][node.index] == node.hash else {
                let first = node.index << node.level
                throw fail(
                    "the stored tree node at level \(node.level), index \(node.index) does not match entries "
                        + "\(first)...\(min(n, first + (1 << node.level)) - 1)", first)
            }
            seen += 1
        }
        guard seen == expectedNodes else {
            throw fail("\(expectedNodes - seen) stored tree nodes are missing or duplicated", nil)
        }
        return MerkleView { level, index in levels[level][index] }
    }

    /// Every append ends with a checkpoint, and an append's last batch holds its submitter's entries (the batches
    /// before it only register keys). So a batch whose last entry is not a key registration ends an append and must
    /// be followed by a checkpoint at its end: removing an intermediate checkpoint is detected.
    static func checkEveryAppendIsCheckpointed(_ s: LedgerSnapshot, _ decoded: [(index: Int, entry: LedgerEntry)]) throws {
        let sizes = Set(s.checkpoints.map(\.size))
        for b in s.batches {
            let end = b.first + b.count
            if case .key = decoded[end - 1].entry.record { continue }
            guard sizes.contains(end) else {
                throw fail(
                    "the checkpoint signed after batch \(b.id) (entries \(b.first)...\(end - 1)) is missing: every "
                        + "append ends with one", end - 1)
            }
        }
    }

    /// Checkpoints: signed by the operator, roots of the tree at their sizes, in increasing size and time.
    static func checkCheckpoints(_ s: LedgerSnapshot, _ view: MerkleView) throws {
        let n = s.entries.count
        var lastTime = Int64.min, lastSize = -1
        for c in s.checkpoints {
            guard c.size > lastSize else { throw fail("checkpoints are not in increasing size at \(c.size)", nil) }
            guard c.size <= n else {
                throw fail(
                    "a signed checkpoint covers \(counted(c.size, "entry")), but only \(n) are stored: entries "
                        + "\(n)...\(c.size - 1) are missing", n)
            }
            guard c.time >= lastTime else { throw fail("the checkpoint at size \(c.size) is older than the one before", nil) }
            guard LedgerSignatures.isValid(c.signature, message: c.message, publicKey: s.header.operatorKey) else {
                throw fail("the checkpoint at size \(c.size): the operator's signature does not verify", nil)
            }
            guard try view.root(size: c.size) == c.root else {
                throw fail(
                    "the checkpoint at size \(c.size) signs a root that the stored entries do not give",
                    c.size == 0 ? nil : c.size - 1)
            }
            lastTime = c.time; lastSize = c.size
        }
    }
}
