import DataIO
import Foundation

/// A proof that anyone can check with the operator's public key: an entry's inclusion in a signed tree head, or
/// the consistency of two signed tree heads (the later tree extends the earlier one). Written as JSON with hex
/// strings (docs/ledger-spec.md, "Proofs").
public struct LedgerProof: Sendable, Equatable {
    /// What the proof shows: an entry is in a signed tree (`inclusion`), or a later signed tree extends an earlier one
    /// (`consistency`).
    public enum Kind: String, Sendable { case inclusion, consistency }
    public var kind: Kind
    /// Inclusion: the entry's index and bytes.
    public var leafIndex: Int?
    public var entry: [UInt8]?
    /// The audit path (inclusion: at most ceil(log2 n) hashes) or the consistency path (at most ceil(log2 n) + 1).
    public var path: [Merkle.Hash]
    /// Inclusion: the tree head it is proved against. Consistency: the later head.
    public var checkpoint: StoredCheckpoint
    /// Consistency: the earlier head.
    public var oldCheckpoint: StoredCheckpoint?
    public var operatorKey: [UInt8]

    /// Builds an inclusion proof of entry `index` against the checkpoint of `size` (default: the latest).
    public static func inclusion(index: Int, size: Int?, storage: LedgerStorage) throws -> LedgerProof {
        let checkpoint = try signedHead(size: size, storage: storage)
        guard index >= 0, index < checkpoint.size else {
            throw LedgerError.badInput("entry \(index) is not in the tree of size \(checkpoint.size)")
        }
        guard let header = try storage.header(), let entry = try storage.entries(from: index, to: index + 1).first else {
            throw LedgerError.badInput("entry \(index) is not stored")
        }
        let path = try storage.view.inclusionProof(index: index, size: checkpoint.size)
        return LedgerProof(
            kind: .inclusion, leafIndex: index, entry: entry.body, path: path, checkpoint: checkpoint,
            oldCheckpoint: nil, operatorKey: header.operatorKey)
    }

    /// Builds a consistency proof between the checkpoints of `oldSize` and `newSize` (default: the latest).
    public static func consistency(oldSize: Int, newSize: Int?, storage: LedgerStorage) throws -> LedgerProof {
        let new = try signedHead(size: newSize, storage: storage)
        let old = try signedHead(size: oldSize, storage: storage)
        guard old.size <= new.size else { throw LedgerError.badInput("--from \(old.size) is larger than --to \(new.size)") }
        guard let header = try storage.header() else { throw LedgerError.badInput("the ledger is empty") }
        let path = try storage.view.consistencyProof(oldSize: old.size, newSize: new.size)
        return LedgerProof(
            kind: .consistency, leafIndex: nil, entry: nil, path: path, checkpoint: new, oldCheckpoint: old,
            operatorKey: header.operatorKey)
    }

    static func signedHead(size: Int?, storage: LedgerStorage) throws -> StoredCheckpoint {
        let all = try storage.checkpoints()
        guard let head = size == nil ? all.last : all.first(where: { $0.size == size }) else {
            let sizes = all.map { String($0.size) }.suffix(10).joined(separator: ", ")
            throw LedgerError.badInput(
                size == nil
                    ? "the ledger has no checkpoint"
                    : "no signed checkpoint at size \(size!); checkpoint sizes: \(sizes)")
        }
        return head
    }

    /// Checks the proof: the hashes, and the operator's signature on every tree head it uses. `trustedKey`: the
    /// operator's public key from a trusted source; without it the key inside the proof is used.
    public func verify(trustedKey: [UInt8]? = nil) throws {
        let key = trustedKey ?? operatorKey
        if let trustedKey, trustedKey != operatorKey {
            throw LedgerError.integrity("the proof names another operator key than the trusted one", entry: leafIndex)
        }
        for head in [checkpoint] + (oldCheckpoint.map { [$0] } ?? []) {
            guard LedgerSignatures.isValid(head.signature, message: head.message, publicKey: key) else {
                throw LedgerError.integrity(
                    "the tree head of size \(head.size): the operator's signature does not "
                        + "verify", entry: leafIndex)
            }
        }
        switch kind {
        case .inclusion:
            guard let index = leafIndex, let entry else { throw LedgerError.badInput("an inclusion proof needs its entry") }
            guard
                Merkle.verifyInclusion(
                    leafIndex: index, treeSize: checkpoint.size, leafHash: Merkle.leafHash(entry),
                    path: path, root: checkpoint.root)
            else {
                throw LedgerError.integrity(
                    "entry \(index) is not in the tree of size \(checkpoint.size): the audit "
                        + "path does not lead to the signed root", entry: index)
            }
        case .consistency:
            guard let old = oldCheckpoint else { throw LedgerError.badInput("a consistency proof needs the old head") }
            guard
                Merkle.verifyConsistency(
                    oldSize: old.size, newSize: checkpoint.size, oldRoot: old.root,
                    newRoot: checkpoint.root, proof: path)
            else {
                throw LedgerError.integrity(
                    "the tree of size \(checkpoint.size) does not extend the tree of size "
                        + "\(old.size)", entry: nil)
            }
        }
    }

    // MARK: JSON

    static func head(_ c: StoredCheckpoint) -> [String: Any] {
        ["size": c.size, "root": Hex.encode(c.root), "time": c.time, "signature": Hex.encode(c.signature)]
    }

    /// The proof as JSON text.
    public var json: String {
        var o: [String: Any] = [
            "type": kind.rawValue, "path": path.map { Hex.encode($0) },
            "checkpoint": Self.head(checkpoint), "operator_key": Hex.encode(operatorKey)
        ]
        if let leafIndex { o["leaf_index"] = leafIndex }
        if let entry { o["entry"] = Hex.encode(entry) }
        if let oldCheckpoint { o["old_checkpoint"] = Self.head(oldCheckpoint) }
        let data = try! JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads a proof written by ``json``; `file` names it in messages.
    public static func parse(_ data: Data, file: String) throws -> LedgerProof {
        func bad(_ m: String) -> LedgerError { .badInput("\(file): \(m)") }
        guard let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        func hex(_ v: Any?, _ field: String, bytes: Int? = nil) throws -> [UInt8] {
            guard let s = v as? String, let b = Hex.decode(s), bytes == nil || b.count == bytes else {
                throw bad("\(field) must be a hex string\(bytes.map { " of \($0) bytes" } ?? "")")
            }
            return b
        }
        func int(_ v: Any?, _ field: String) throws -> Int {
            guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue), i >= 0 else {
                throw bad("\(field) must be a whole number >= 0")
            }
            return i
        }
        func head(_ v: Any?, _ field: String) throws -> StoredCheckpoint {
            guard let h = v as? [String: Any] else { throw bad("\(field) must be an object") }
            return StoredCheckpoint(
                size: try int(h["size"], "\(field).size"), root: try hex(h["root"], "\(field).root", bytes: 32),
                time: Int64(try int(h["time"], "\(field).time")),
                signature: try hex(h["signature"], "\(field).signature", bytes: 64))
        }
        guard let type = o["type"] as? String, let kind = Kind(rawValue: type) else {
            throw bad("type must be \"inclusion\" or \"consistency\"")
        }
        guard let rawPath = o["path"] as? [Any], rawPath.count <= 64 else { throw bad("path must be a list of hashes") }
        let path = try rawPath.enumerated().map { try hex($0.element, "path[\($0.offset)]", bytes: 32) }
        var proof = LedgerProof(
            kind: kind, leafIndex: nil, entry: nil, path: path,
            checkpoint: try head(o["checkpoint"], "checkpoint"), oldCheckpoint: nil,
            operatorKey: try hex(o["operator_key"], "operator_key", bytes: 32))
        if kind == .inclusion {
            proof.leafIndex = try int(o["leaf_index"], "leaf_index")
            proof.entry = try hex(o["entry"], "entry")
        } else {
            proof.oldCheckpoint = try head(o["old_checkpoint"], "old_checkpoint")
        }
        return proof
    }
}

/// Copies new entries from one replica of a ledger to another, refusing a source whose history differs from what
/// the replica already holds.
public enum LedgerSync {
    /// What a sync did: the entries copied and the replica's size and root afterwards.
    public struct Outcome: Sendable {
        public var copied: Int
        public var size: Int
        public var root: Merkle.Hash
    }

    /// Verifies the source in full and the replica's latest checkpoint, checks that the source's tree at the
    /// replica's size has the replica's signed root (with a consistency proof from the source), then copies.
    public static func sync(
        source: LedgerSnapshot, replica: LedgerStorage,
        copy: (LedgerSnapshot, Int) throws -> Void
    ) throws -> Outcome {
        let checked = try LedgerVerifier.verify(source)
        let replicaHeader = try replica.header()
        let replicaSize = replicaHeader == nil ? 0 : try replica.size()
        if let header = replicaHeader {
            guard header.operatorKey == source.header.operatorKey else {
                throw LedgerError.fork(
                    "the replica has another operator (\(header.operatorName)) than the source "
                        + "(\(source.header.operatorName))")
            }
            let replicaCheck = try LedgerVerifier.verify(try replica.snapshot())
            guard replicaSize <= checked.entries else {
                throw LedgerError.fork(
                    "the replica has \(counted(replicaSize, "entry")), the source only \(checked.entries): the "
                        + "source is behind or forked; refusing")
            }
            var stored: [Int: [Int: Merkle.Hash]] = [:]
            for node in source.nodes { stored[node.level, default: [:]][node.index] = node.hash }
            let levels = MerkleView { level, index in
                if level == 0 { return source.entries[index].leaf }
                guard let hash = stored[level]?[index] else {
                    throw LedgerError.integrity("the source has no tree node at level \(level), index \(index)", entry: nil)
                }
                return hash
            }
            let sourceRoot = try levels.root(size: replicaSize)
            if sourceRoot != replicaCheck.root {
                throw LedgerError.fork(
                    "fork: the source's first \(counted(replicaSize, "entry")) do not give the replica's signed "
                        + "root \(Hex.encode(replicaCheck.root).prefix(16))...; refusing to sync")
            }
            let proof = try levels.consistencyProof(oldSize: replicaSize, newSize: checked.entries)
            guard
                Merkle.verifyConsistency(
                    oldSize: replicaSize, newSize: checked.entries, oldRoot: replicaCheck.root,
                    newRoot: checked.root, proof: proof)
            else {
                throw LedgerError.fork("the source's tree does not extend the replica's; refusing to sync")
            }
            guard source.checkpoints.contains(where: { $0.size == replicaSize }) else {
                throw LedgerError.fork("the source has no checkpoint at the replica's size \(replicaSize); refusing")
            }
        }
        if replicaSize < checked.entries { try copy(source, replicaSize) }
        return Outcome(copied: checked.entries - replicaSize, size: checked.entries, root: checked.root)
    }
}
