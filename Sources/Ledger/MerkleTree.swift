import Crypto

/// RFC 6962 / RFC 9162 Merkle tree hashing with SHA-256: leaf hash = SHA-256(0x00 || entry), node hash =
/// SHA-256(0x01 || left || right), and the hash of the empty tree is SHA-256 of nothing.
public enum Merkle {
    /// A SHA-256 digest (32 bytes).
    public typealias Hash = [UInt8]

    /// The hash of a leaf: SHA-256(0x00 || entry).
    public static func leafHash(_ entry: [UInt8]) -> Hash {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: entry)
        return Array(h.finalize())
    }

    /// The hash of an inner node: SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// MTH(D[n]) exactly as RFC 6962 section 2.1 defines it, over leaf hashes (O(n), recursive): the reference
    /// that the stored-subtree computations are tested against.
    public static func referenceRoot(_ leaves: ArraySlice<Hash>) -> Hash {
        if leaves.isEmpty { return emptyRoot }
        if leaves.count == 1 { return leaves.first! }
        let k = largestPowerOfTwo(below: leaves.count)
        let start = leaves.startIndex
        return nodeHash(referenceRoot(leaves[start..<start + k]), referenceRoot(leaves[(start + k)...]))
    }

    /// The largest power of two strictly below `n` (n >= 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// Inclusion proof check of RFC 9162 section 2.1.3.2.
    public static func verifyInclusion(leafIndex: Int, treeSize: Int, leafHash: Hash, path: [Hash], root: Hash) -> Bool {
        guard leafIndex >= 0, leafIndex < treeSize else { return false }
        var fn = leafIndex, sn = treeSize - 1
        var r = leafHash
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Consistency proof check of RFC 9162 section 2.1.4.2 (a tree of size 0 is consistent with every tree, with
    /// an empty proof; equal sizes need an empty proof and equal roots).
    public static func verifyConsistency(
        oldSize: Int, newSize: Int, oldRoot: Hash, newRoot: Hash,
        proof: [Hash]
    ) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == 0 { return proof.isEmpty }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard !path.isEmpty else { return false }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr); sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}

/// Hashes of a tree computed from its stored perfect subtrees: `subtree(level, index)` is the hash of leaves
/// [index * 2^level, (index + 1) * 2^level) (level 0: the leaf hash). A root, an inclusion proof or a consistency
/// proof reads O(log n) stored hashes: every node on the right edge that is not a perfect subtree is rebuilt from
/// the perfect subtrees that make it up.
public struct MerkleView {
    public let subtree: (Int, Int) throws -> Merkle.Hash

    public init(subtree: @escaping (Int, Int) throws -> Merkle.Hash) { self.subtree = subtree }

    /// MTH(D[start..<end]).
    public func rangeHash(_ start: Int, _ end: Int) throws -> Merkle.Hash {
        let n = end - start
        if n == 0 { return Merkle.emptyRoot }
        if n & (n - 1) == 0 && start % n == 0 { return try subtree(n.trailingZeroBitCount, start / n) }
        let k = Merkle.largestPowerOfTwo(below: n)
        return Merkle.nodeHash(try rangeHash(start, start + k), try rangeHash(start + k, end))
    }

    /// The root of the tree of the first `size` entries (the empty tree's hash for 0).
    public func root(size: Int) throws -> Merkle.Hash { try rangeHash(0, size) }

    /// PATH(m, D[0:n]) of RFC 6962 section 2.1.1: at most ceil(log2 n) hashes.
    public func inclusionProof(index: Int, size: Int) throws -> [Merkle.Hash] {
        var proof: [Merkle.Hash] = []
        try path(index, 0, size, &proof)
        return proof.reversed()
    }

    private func path(_ m: Int, _ start: Int, _ n: Int, _ out: inout [Merkle.Hash]) throws {
        if n <= 1 { return }
        let k = Merkle.largestPowerOfTwo(below: n)
        if m < k {
            out.append(try rangeHash(start + k, start + n))
            try path(m, start, k, &out)
        } else {
            out.append(try rangeHash(start, start + k))
            try path(m - k, start + k, n - k, &out)
        }
    }

    /// PROOF(m, D[0:n]) of RFC 6962 section 2.1.2.
    public func consistencyProof(oldSize m: Int, newSize n: Int) throws -> [Merkle.Hash] {
        if m == 0 || m == n { return [] }
        var proof: [Merkle.Hash] = []
        try subproof(m, 0, n, true, &proof)
        return proof.reversed()
    }

    private func subproof(_ m: Int, _ start: Int, _ n: Int, _ whole: Bool, _ out: inout [Merkle.Hash]) throws {
        if m == n {
            if !whole { out.append(try rangeHash(start, start + n)) }
            return
        }
        let k = Merkle.largestPowerOfTwo(below: n)
        if m <= k {
            out.append(try rangeHash(start + k, start + n))
            try subproof(m, start, k, whole, &out)
        } else {
            out.append(try rangeHash(start, start + k))
            try subproof(m - k, start + k, n - k, false, &out)
        }
    }
}

/// The right edge of a growing tree: the perfect subtrees that make up its current size, largest first. Appending
/// a leaf yields the new perfect subtrees (level >= 1) to store, so an append costs O(1) hashes amortized.
public struct MerkleFrontier: Sendable {
    public private(set) var size: Int
    /// (level, hash), largest (leftmost) subtree first.
    public private(set) var nodes: [(level: Int, hash: Merkle.Hash)]

    public init() { size = 0; nodes = [] }

    /// The frontier of a stored tree of `size` leaves, read through `view`.
    public init(size: Int, view: MerkleView) throws {
        self.size = size
        nodes = []
        var offset = 0
        for level in stride(from: Int.bitWidth - 2, through: 0, by: -1) where size & (1 << level) != 0 {
            nodes.append((level, try view.subtree(level, offset >> level)))
            offset += 1 << level
        }
    }

    /// Adds a leaf; returns the perfect subtrees it completed as (level, index, hash), level >= 1.
    public mutating func append(leaf: Merkle.Hash) -> [(level: Int, index: Int, hash: Merkle.Hash)] {
        nodes.append((0, leaf))
        size += 1
        var made: [(level: Int, index: Int, hash: Merkle.Hash)] = []
        while nodes.count >= 2, nodes[nodes.count - 1].level == nodes[nodes.count - 2].level {
            let right = nodes.removeLast(), left = nodes.removeLast()
            let level = left.level + 1
            let hash = Merkle.nodeHash(left.hash, right.hash)
            nodes.append((level, hash))
            made.append((level, (size >> level) - 1, hash))
        }
        return made
    }

    /// The root of the tree so far.
    public var root: Merkle.Hash {
        guard var r = nodes.last?.hash else { return Merkle.emptyRoot }
        for node in nodes.dropLast().reversed() { r = Merkle.nodeHash(node.hash, r) }
        return r
    }
}
