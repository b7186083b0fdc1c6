import DataIO
import Foundation
import Ledger
import ResultStore
import TestFixtures
import Testing

/// A small ledger in a temporary SQLite file: two parties, two clearings with tariffs, grid, pool, market and
/// storage trades (every entry distinct).
enum LedgerFixture {
    static let operatorKey = try! LedgerSigningKey(party: "market-operator", seed: Array(repeating: 7, count: 32))
    static let storageKey = try! LedgerSigningKey(party: "storage-operator", seed: Array(repeating: 9, count: 32))

    static func temporaryPath() -> String {
        TestScratch.file("ledger", extension: "db")
    }

    static func records(clearing: Int, trades: Int, rng: inout SeededGenerator) -> [LedgerRecord] {
        let start: Int64 = 1_780_000_000 + Int64(clearing) * 86_400
        var out: [LedgerRecord] = [
            .tariff(
                Tariff(
                    periodStart: start, periodSeconds: 900, importPrice: 300_000,
                    exportPrice: 50_000, poolPrice: 175_000, poolFee: 5_000))
        ]
        for i in 0..<trades {
            let a = "h\(Int.random(in: 1...6, using: &rng))", energy = Int64.random(in: 1...5_000, using: &rng)
            switch i % 4 {
            case 0:
                out.append(
                    .trade(
                        TradeRecord(
                            kind: .grid, periodStart: start, periodSeconds: 900, seller: "grid",
                            buyer: a, energyWh: energy, price: 300_000)))
            case 1:
                out.append(
                    .trade(
                        TradeRecord(
                            kind: .pool, periodStart: start, periodSeconds: 900, seller: a,
                            buyer: "pool", energyWh: energy, price: 175_000)))
            case 2:
                out.append(
                    .trade(
                        TradeRecord(
                            kind: .pool, periodStart: start, periodSeconds: 900, seller: "pool",
                            buyer: a, energyWh: energy, price: 180_000)))
            default:
                out.append(
                    .trade(
                        TradeRecord(
                            kind: .market, periodStart: start, periodSeconds: 900, seller: a,
                            buyer: "h\(Int.random(in: 7...9, using: &rng))", energyWh: energy,
                            price: Int64.random(in: 50_000...300_000, using: &rng))))
            }
        }
        return out
    }

    /// Appends `clearings` clearings of `trades` trades each; the second party submits every other clearing.
    static func make(clearings: Int = 3, trades: Int = 8, seed: UInt64 = 1) throws -> LedgerDatabase {
        let db = try LedgerDatabase(path: temporaryPath())
        var rng = SeededGenerator(seed: seed)
        for c in 0..<clearings {
            let submitter = c % 2 == 0 ? operatorKey : storageKey
            _ = try LedgerWriter.append(
                records: records(clearing: c, trades: trades, rng: &rng), clearing: "c\(c)",
                submitter: submitter, operator: operatorKey, to: db, time: 1_790_000_000 + Int64(c))
        }
        return db
    }
}

@Suite struct MerkleTests {
    struct Vectors: Decodable {
        struct Inclusion: Decodable { var index: Int; var size: Int; var path: [String] }
        struct Consistency: Decodable { var old: Int; var new: Int; var path: [String] }
        var leaves: [String]
        var roots: [String]
        var inclusion: [Inclusion]
        var consistency: [Consistency]
    }

    static let vectors: Vectors = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("rfc6962.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()

    /// The tree hashes and proofs that Benchmarks/ledger_verify.py computes from RFC 6962's recursive definitions.
    @Test func rfc6962VectorsFromTheIndependentVerifier() throws {
        let v = Self.vectors
        let leaves = v.leaves.map { Merkle.leafHash(Hex.decode($0)!) }
        // The 8-leaf root of the certificate-transparency test vectors.
        #expect(v.roots[8] == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        var frontier = MerkleFrontier()
        var stored: [Int: [Int: Merkle.Hash]] = [0: Dictionary(uniqueKeysWithValues: leaves.enumerated().map { ($0, $1) })]
        #expect(Hex.encode(frontier.root) == v.roots[0])
        for (n, leaf) in leaves.enumerated() {
            for node in frontier.append(leaf: leaf) { stored[node.level, default: [:]][node.index] = node.hash }
            #expect(Hex.encode(frontier.root) == v.roots[n + 1])
            #expect(Hex.encode(Merkle.referenceRoot(leaves[0...n])) == v.roots[n + 1])
        }
        let view = MerkleView { level, index in stored[level]![index]! }
        for (n, root) in v.roots.enumerated() { #expect(Hex.encode(try view.root(size: n)) == root) }
        for c in v.inclusion {
            let path = try view.inclusionProof(index: c.index, size: c.size)
            #expect(path.map { Hex.encode($0) } == c.path, "inclusion \(c.index) of \(c.size)")
            #expect(
                Merkle.verifyInclusion(
                    leafIndex: c.index, treeSize: c.size, leafHash: leaves[c.index], path: path,
                    root: Hex.decode(v.roots[c.size])!))
        }
        for c in v.consistency {
            let path = try view.consistencyProof(oldSize: c.old, newSize: c.new)
            #expect(path.map { Hex.encode($0) } == c.path, "consistency \(c.old) -> \(c.new)")
            #expect(
                Merkle.verifyConsistency(
                    oldSize: c.old, newSize: c.new, oldRoot: Hex.decode(v.roots[c.old])!,
                    newRoot: Hex.decode(v.roots[c.new])!, proof: path))
        }
    }

    /// Over random sizes: stored-subtree roots equal the RFC's recursion; every proof verifies, has at most
    /// ceil(log2 n) hashes, and fails for another leaf, another index or a changed hash.
    @Test func proofsOverRandomTrees() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<60 {
            let n = Int.random(in: 1...300, using: &rng)
            let leaves = (0..<n).map { Merkle.leafHash(Array("leaf \($0)".utf8)) }
            var frontier = MerkleFrontier()
            var stored: [Int: [Int: Merkle.Hash]] = [0: Dictionary(uniqueKeysWithValues: leaves.enumerated().map { ($0, $1) })]
            for leaf in leaves { for node in frontier.append(leaf: leaf) { stored[node.level, default: [:]][node.index] = node.hash } }
            let view = MerkleView { level, index in stored[level]![index]! }
            let root = Merkle.referenceRoot(leaves[...])
            #expect(frontier.root == root)
            #expect(try view.root(size: n) == root)
            let bound = n == 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount
            let m = Int.random(in: 0..<n, using: &rng)
            let path = try view.inclusionProof(index: m, size: n)
            #expect(path.count <= bound)
            #expect(Merkle.verifyInclusion(leafIndex: m, treeSize: n, leafHash: leaves[m], path: path, root: root))
            #expect(!Merkle.verifyInclusion(leafIndex: m, treeSize: n, leafHash: Merkle.leafHash([1]), path: path, root: root))
            if n > 1 {
                #expect(!Merkle.verifyInclusion(leafIndex: (m + 1) % n, treeSize: n, leafHash: leaves[m], path: path, root: root))
                var bad = path
                bad[Int.random(in: 0..<bad.count, using: &rng)][0] ^= 1
                #expect(!Merkle.verifyInclusion(leafIndex: m, treeSize: n, leafHash: leaves[m], path: bad, root: root))
            }
            let old = Int.random(in: 1...n, using: &rng)
            let oldRoot = Merkle.referenceRoot(leaves[0..<old])
            let consistency = try view.consistencyProof(oldSize: old, newSize: n)
            #expect(consistency.count <= bound + 1)  // RFC 6962's PROOF: e.g. 3 hashes for 3 -> 4
            #expect(Merkle.verifyConsistency(oldSize: old, newSize: n, oldRoot: oldRoot, newRoot: root, proof: consistency))
            if old < n {
                #expect(
                    !Merkle.verifyConsistency(
                        oldSize: old, newSize: n, oldRoot: Merkle.leafHash([2]), newRoot: root,
                        proof: consistency))
            }
        }
    }
}

@Suite struct LedgerEncodingTests {
    @Test func entriesRoundTripAndNothingElseDecodes() throws {
        let entries = [
            LedgerEntry(submitter: "op", clearing: "", record: .key(party: "op", publicKey: Array(repeating: 3, count: 32))),
            LedgerEntry(
                submitter: "op", clearing: "c",
                record: .tariff(
                    Tariff(
                        periodStart: -5, periodSeconds: 900,
                        importPrice: 1, exportPrice: -2, poolPrice: 3, poolFee: 4))),
            LedgerEntry(
                submitter: "op", clearing: "c ü",
                record: .trade(
                    TradeRecord(
                        kind: .market, periodStart: 1,
                        periodSeconds: 60, seller: "a", buyer: "b", energyWh: 5, price: -7))),
            LedgerEntry(submitter: "op", clearing: "c", record: .bill(BillRecord(party: "a", amount: -9, trades: 2)))
        ]
        for e in entries {
            let bytes = e.encoded()
            #expect(try LedgerEntry.decode(bytes) == e)
            #expect(throws: LedgerDecodeError.self) { try LedgerEntry.decode(bytes + [0]) }
            for cut in 0..<bytes.count { #expect(throws: LedgerDecodeError.self) { try LedgerEntry.decode(Array(bytes[0..<cut])) } }
        }
        // The spec's header layout, byte for byte.
        #expect(Array(entries[3].encoded().prefix(9)) == [1, 4, 0, 1, 0, 0, 0, 2, UInt8(ascii: "o")])
    }

    @Test func valuesRoundHalfAwayFromZeroExactly() {
        #expect(LedgerUnits.value(energyWh: 1, price: 500) == 1)  // 0.5 -> 1
        #expect(LedgerUnits.value(energyWh: 1, price: 499) == 0)
        #expect(LedgerUnits.value(energyWh: 1, price: -500) == -1)
        #expect(LedgerUnits.value(energyWh: LedgerUnits.maxEnergyWh, price: LedgerUnits.maxPrice) == 1_000_000_000_000_000_000)
        #expect(LedgerUnits.value(energyWh: LedgerUnits.maxEnergyWh, price: -LedgerUnits.maxPrice) == -1_000_000_000_000_000_000)
        #expect(LedgerUnits.wattHours(kWh: 0.0005) == 1)
        #expect(LedgerUnits.micro(.nan) == nil)
        #expect(LedgerUnits.currency(-1_500_001) == "-1.500001")
    }

    /// Over random clearings: bills add up to zero exactly and each party's bill is what it bought minus sold.
    @Test func billsConserveMoney() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<500 {
            let trades = (0..<Int.random(in: 1...30, using: &rng)).map { _ in
                TradeRecord(
                    kind: .market, periodStart: 0, periodSeconds: 900, seller: "s\(Int.random(in: 0...4, using: &rng))",
                    buyer: "b\(Int.random(in: 0...4, using: &rng))", energyWh: Int64.random(in: 1...1_000_000, using: &rng),
                    price: Int64.random(in: -1_000_000...1_000_000, using: &rng))
            }
            let bills = SettlementRule.bills(for: trades)
            #expect(bills.reduce(Int64(0)) { $0 + $1.amount } == 0)
            #expect(bills.map(\.party) == bills.map(\.party).sorted())
            let b0 = trades.filter { $0.buyer == "b0" }.reduce(Int64(0)) { $0 + $1.value }
            #expect((bills.first { $0.party == "b0" }?.amount ?? 0) == b0)
        }
    }
}

@Suite struct LedgerIntegrityTests {
    @Test func aWrittenLedgerVerifiesAndReplays() throws {
        let db = try LedgerFixture.make()
        let snapshot = try db.snapshot()
        let result = try LedgerVerifier.verify(snapshot, pinnedOperatorKey: LedgerFixture.operatorKey.publicKey)
        #expect(result.entries == snapshot.entries.count)
        #expect(result.checkpoints == 3)
        let clearings = try LedgerReplay.run(result.decoded)
        #expect(clearings.count == 3)
        #expect(clearings.allSatisfy { $0.total == 0 })
        #expect(throws: LedgerError.self) { try LedgerVerifier.verify(snapshot, pinnedOperatorKey: LedgerFixture.storageKey.publicKey) }
    }

    /// 10,000 random tamperings of what is stored (a byte of an entry, a leaf hash, a batch signature, a tree node,
    /// a checkpoint's root, time or signature; a removed checkpoint; deleted, swapped and truncated entries): every
    /// one is detected.
    @Test func tenThousandTamperingsAreAllDetected() throws {
        let original = try LedgerFixture.make(clearings: 2, trades: 6).snapshot()
        _ = try LedgerVerifier.verify(original)
        var rng = SeededGenerator(seed: 2026)
        var detected = 0, byKind: [String: Int] = [:]
        let trials = 10_000
        for _ in 0..<trials {
            var s = original
            let kind = Int.random(in: 0..<11, using: &rng)
            func flip(_ bytes: inout [UInt8]) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
            let e = Int.random(in: 0..<s.entries.count, using: &rng)
            let name: String
            switch kind {
            case 0: flip(&s.entries[e].body); name = "entry byte"
            case 1: flip(&s.entries[e].leaf); name = "leaf hash"
            case 2: let b = Int.random(in: 0..<s.batches.count, using: &rng); flip(&s.batches[b].signature); name = "batch signature"
            case 3: let n = Int.random(in: 0..<s.nodes.count, using: &rng); flip(&s.nodes[n].hash); name = "tree node"
            case 4: let c = Int.random(in: 0..<s.checkpoints.count, using: &rng); flip(&s.checkpoints[c].root); name = "checkpoint root"
            case 5: let c = Int.random(in: 0..<s.checkpoints.count, using: &rng); flip(&s.checkpoints[c].signature); name = "checkpoint signature"
            case 6:
                let c = Int.random(in: 0..<s.checkpoints.count, using: &rng)
                s.checkpoints[c].time += Int64.random(in: 1...1000, using: &rng) * (Bool.random(using: &rng) ? 1 : -1); name = "checkpoint time"
            case 7: s.entries.remove(at: e); name = "deleted entry"
            case 8:
                var f = Int.random(in: 0..<s.entries.count - 1, using: &rng)
                if f >= e { f += 1 }
                let (a, b) = (s.entries[e], s.entries[f])
                s.entries[e].body = b.body; s.entries[e].leaf = b.leaf; s.entries[e].batch = b.batch
                s.entries[f].body = a.body; s.entries[f].leaf = a.leaf; s.entries[f].batch = a.batch
                name = "swapped entries"
            case 9: s.checkpoints.remove(at: Int.random(in: 0..<s.checkpoints.count, using: &rng)); name = "removed checkpoint"
            default: s.entries.removeLast(Int.random(in: 1...s.entries.count, using: &rng)); name = "truncated"
            }
            byKind[name, default: 0] += 1
            do {
                _ = try LedgerVerifier.verify(s)
                Issue.record("not detected: \(name)")
            } catch let error as LedgerError {
                if case .integrity = error { detected += 1 } else { Issue.record("wrong error \(error)") }
            }
        }
        #expect(detected == trials)
        #expect(byKind.count == 11)
    }

    @Test func appendRefusesALedgerWhoseHeadDoesNotMatch() throws {
        let db = try LedgerFixture.make(clearings: 1, trades: 3)
        try rawExecute(db.path, "UPDATE ledger_node SET hash = zeroblob(32) WHERE idx = 0 AND level = (SELECT MAX(level) FROM ledger_node)")
        var rng = SeededGenerator(seed: 3)
        #expect(throws: LedgerError.self) {
            _ = try LedgerWriter.append(
                records: LedgerFixture.records(clearing: 9, trades: 2, rng: &rng), clearing: "x",
                submitter: LedgerFixture.operatorKey, operator: LedgerFixture.operatorKey,
                to: try LedgerDatabase(path: db.path))
        }
    }

    @Test func replayRefusesAForgedBillAndAnOffTariffPrice() throws {
        var rng = SeededGenerator(seed: 11)
        let records = LedgerFixture.records(clearing: 0, trades: 8, rng: &rng)
        var entries = records.map { LedgerEntry(submitter: "op", clearing: "c", record: $0) }
        let trades = records.compactMap { if case .trade(let t) = $0 { t } else { nil } }
        var bills = SettlementRule.bills(for: trades)
        let honest = entries + bills.map { LedgerEntry(submitter: "op", clearing: "c", record: .bill($0)) }
        #expect(try LedgerReplay.run(honest.enumerated().map { ($0, $1) }).count == 1)
        bills[0].amount += 1
        let forged = entries + bills.map { LedgerEntry(submitter: "op", clearing: "c", record: .bill($0)) }
        #expect(throws: LedgerError.self) { try LedgerReplay.run(forged.enumerated().map { ($0, $1) }) }
        if case .trade(var t) = entries[1].record { t.price += 1; entries[1].record = .trade(t) }
        #expect(throws: LedgerError.self) { try LedgerReplay.run(entries.enumerated().map { ($0, $1) }) }
    }

    @Test func syncCopiesAnExtensionAndRefusesAFork() throws {
        let source = try LedgerFixture.make(clearings: 2)
        let replicaPath = LedgerFixture.temporaryPath()
        let replica = try LedgerDatabase(path: replicaPath)
        let first = try LedgerSync.sync(source: try source.snapshot(), replica: replica) { try replica.copy(from: $0, fromSize: $1) }
        #expect(first.copied == (try source.size()))
        var rng = SeededGenerator(seed: 8)
        _ = try LedgerWriter.append(
            records: LedgerFixture.records(clearing: 5, trades: 4, rng: &rng), clearing: "more",
            submitter: LedgerFixture.operatorKey, operator: LedgerFixture.operatorKey, to: source, time: 1_800_000_000)
        let second = try LedgerSync.sync(source: try source.snapshot(), replica: replica) { try replica.copy(from: $0, fromSize: $1) }
        #expect(second.size == (try source.size()))
        #expect(try LedgerVerifier.verify(try replica.snapshot()).root == second.root)
        // A fork: same operator, same first clearing, a different second one.
        let fork = try LedgerDatabase(path: LedgerFixture.temporaryPath())
        var r2 = SeededGenerator(seed: 1)
        _ = try LedgerWriter.append(
            records: LedgerFixture.records(clearing: 0, trades: 8, rng: &r2), clearing: "c0",
            submitter: LedgerFixture.operatorKey, operator: LedgerFixture.operatorKey, to: fork, time: 1_790_000_000)
        for c in 1...4 {
            _ = try LedgerWriter.append(
                records: LedgerFixture.records(clearing: c, trades: 9, rng: &r2), clearing: "fork\(c)",
                submitter: LedgerFixture.operatorKey, operator: LedgerFixture.operatorKey, to: fork, time: 1_790_000_100)
        }
        #expect(throws: LedgerError.fork("")) {
            do { _ = try LedgerSync.sync(source: try fork.snapshot(), replica: replica) { try replica.copy(from: $0, fromSize: $1) } } catch LedgerError.fork {
                throw LedgerError.fork("")
            }
        }
        #expect(try replica.size() == second.size)
    }

    @Test func keyFilesReadableByOthersAreRefused() throws {
        let path = LedgerFixture.temporaryPath() + ".key"
        try LedgerSigningKey(party: "p").write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try LedgerSigningKey.read(path: path).party == "p")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: LedgerError.self) { try LedgerSigningKey.read(path: path) }
        #expect(throws: LedgerError.self) { try LedgerSigningKey(party: "p").write(to: path) }  // never overwritten
    }

    /// Trade files from Windows (BOM, CRLF) with quoted fields read like any other; every refusal names file and line.
    @Test func tradeFilesReadLikeAnyCSVAndRefusalsNameTheLine() throws {
        let dir = try TestScratch.directory("trades")
        let good = dir.appendingPathComponent("trades.csv").path
        let text =
            "\u{FEFF}kind,period_start,period_minutes,seller,buyer,energy_kwh,price\r\n"
            + "market,2026-06-01T12:00:00Z,15,\"Smith, J.\",h02,1.25,0.11\r\n"
            + "\"grid\",2026-06-01T12:15:00Z,15,grid,h02,0.5,0.30\r\n"
        try text.write(toFile: good, atomically: true, encoding: .utf8)
        let records = try LedgerTradeFile.read(trades: good, tariffs: nil)
        #expect(records.count == 2)
        if case .trade(let t) = records[0] {
            #expect(t.seller == "Smith, J." && t.energyWh == 1250 && t.price == 110_000)
        } else {
            Issue.record("not a trade")
        }
        let cases: [(String, String)] = [
            ("market,2026-06-01T12:00:00Z,15,h01,h01,1,0.1", "with itself"),
            ("market,2026-06-01T12:00:00Z,15,,h01,1,0.1", "party name"),
            ("market,2026-06-01 12:00,15,h01,h02,1,0.1", "ISO 8601"),
            ("barter,2026-06-01T12:00:00Z,15,h01,h02,1,0.1", "kind"),
            ("market,2026-06-01T12:00:00Z,0,h01,h02,1,0.1", "period_minutes"),
            ("market,2026-06-01T12:00:00Z,15,h01,h02,1,1e12", "price")
        ]
        for (row, words) in cases {
            let bad = dir.appendingPathComponent("bad.csv").path
            try
                ("kind,period_start,period_minutes,seller,buyer,energy_kwh,price\r\nmarket,2026-06-01T12:00:00Z,15,a,b,1,0.1\r\n"
                + row + "\r\n").write(toFile: bad, atomically: true, encoding: .utf8)
            do {
                _ = try LedgerTradeFile.read(trades: bad, tariffs: nil)
                Issue.record("accepted: \(row)")
            } catch let e as CSVError {
                #expect(e.description.contains("bad.csv:3") && e.description.contains(words), "\(row): \(e)")
            }
        }
    }

    /// Benchmarks/ledger_verify.py, written from docs/ledger-spec.md with hashlib and cryptography, recomputes the
    /// tree heads, proofs, signatures and bills of a ledger the Swift code wrote (make deps installs
    /// python3-cryptography).
    @Test func theIndependentPythonVerifierAgrees() throws {
        let db = try LedgerFixture.make(clearings: 3, trades: 10)
        let proofPath = LedgerFixture.temporaryPath() + ".json"
        let consistencyPath = LedgerFixture.temporaryPath() + ".json"
        try LedgerProof.inclusion(index: 7, size: nil, storage: db).json.write(toFile: proofPath, atomically: true, encoding: .utf8)
        let sizes = try db.checkpoints().map(\.size)
        try LedgerProof.consistency(oldSize: sizes[0], newSize: nil, storage: db).json
            .write(toFile: consistencyPath, atomically: true, encoding: .utf8)
        let (status, text) = try pythonVerifier(["verify", db.path, "--proof", proofPath, "--proof", consistencyPath])
        #expect(status == 0, "ledger_verify.py: \(text) (needs python3 and python3-cryptography: make deps)")
        let head = try #require(try db.latestCheckpoint())
        #expect(text.contains("\"root\": \"\(Hex.encode(head.root))\""))
        #expect(text.contains("\"proofs_checked\": 2"))
        #expect(text.contains("\"clearings_replayed\": 3"))
    }

    /// Every append ends with a checkpoint, so deleting an intermediate one is detected by both verifiers.
    @Test func aRemovedIntermediateCheckpointIsDetectedByBothVerifiers() throws {
        let db = try LedgerFixture.make(clearings: 3, trades: 4)
        let sizes = try db.checkpoints().map(\.size)
        try #require(sizes.count == 3)
        try rawExecute(db.path, "DELETE FROM ledger_checkpoint WHERE size = \(sizes[1])")
        #expect {
            _ = try LedgerVerifier.verify(try db.snapshot())
        } throws: { error in
            guard case LedgerError.integrity(let message, let entry) = error else { return false }
            return message.contains("is missing") && entry == sizes[1] - 1
        }
        let (status, text) = try pythonVerifier(["verify", db.path])
        #expect(status != 0, "ledger_verify.py accepted a ledger without an append's checkpoint: \(text)")
    }

    /// Runs Benchmarks/ledger_verify.py; returns its exit status and standard output.
    func pythonVerifier(_ arguments: [String]) throws -> (Int32, String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/ledger_verify.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }
}

/// Runs SQL on a ledger file behind the library's back (a tamperer's view).
func rawExecute(_ path: String, _ sql: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path, sql]
    try p.run()
    p.waitUntilExit()
    if p.terminationStatus != 0 { throw LedgerError.badInput("sql failed: \(sql)") }
}
