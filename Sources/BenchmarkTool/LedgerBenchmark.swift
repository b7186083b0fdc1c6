import ArgumentParser
import DataIO
import Foundation
import Ledger
import Reports
import ResultStore

/// `benchmark ledger`: append N trades to a new SQLite ledger (encoding, hashing, signing, one transaction),
/// verify it (read everything, recompute every hash, check every signature), proof sizes, and the independent
/// Python verifier on the same file as the reference.
struct LedgerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Ledger append and verify times for N trades, proof sizes; the Python verifier on the same ledger.")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Trades per ledger.")
    var trades = 100_000

    @Option(help: "Python with cryptography (make bench-setup), for the reference verifier.")
    var python = "Benchmarks/.venv/bin/python"

    static func records(_ n: Int) -> [LedgerRecord] {
        var rng = SeededGenerator(seed: 1)
        let start: Int64 = 1_780_000_000
        return (0..<n).map { i in
            .trade(
                TradeRecord(
                    kind: .market, periodStart: start + Int64(i % 96) * 900, periodSeconds: 900,
                    seller: "p\(Int.random(in: 0..<500, using: &rng))", buyer: "c\(Int.random(in: 0..<500, using: &rng))",
                    energyWh: Int64.random(in: 1...5_000, using: &rng), price: Int64.random(in: 20_000...400_000, using: &rng)))
        }
    }

    static func check(_ ok: Bool) throws {
        guard ok else { throw LedgerError.integrity("a consistency proof did not verify", entry: nil) }
    }

    /// The measurements of one run.
    struct Measured {
        var appendTimes: [Double] = [], verifyTimes: [Double] = [], snapshotTimes: [Double] = []
        var directory = URL(fileURLWithPath: "/"), path = "", entries = 0
        var maxInclusion = 0, maxConsistency = 0, proofSeconds: [Double] = []
        var sample = 10_000, signSeconds = 0.0, checkSeconds = 0.0
        var pythonSeconds: Double?
    }

    func run() throws {
        common.prepare()
        let records = Self.records(trades)
        let key = try LedgerSigningKey(party: "market-operator", seed: Array(repeating: 1, count: 32))
        var m = Measured()
        // The repeats' ledger files (100,000 trades are tens of MB each) go in one directory, removed at the end.
        m.directory = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-ledger-bench-\(getpid())")
        try? FileManager.default.removeItem(at: m.directory)
        try FileManager.default.createDirectory(at: m.directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: m.directory) }
        try appendAndVerify(records, key, &m)
        try proofs(&m)
        try perEntrySignatures(records, key, &m)
        m.pythonSeconds = pythonVerify(m.path)
        let (md, json) = report(m)
        try OutputFiles.writeAll([(name: "ledger.md", text: md), (name: "ledger.json", text: json.serialized() + "\n")], into: common.out)
        print(md)
    }

    /// Appends every trade to a new ledger file and verifies it from the file, `repeats` times.
    func appendAndVerify(_ records: [LedgerRecord], _ key: LedgerSigningKey, _ m: inout Measured) throws {
        for r in 0..<common.repeats {
            m.path = m.directory.appendingPathComponent("ledger-\(r).db").path
            let db = try LedgerDatabase(path: m.path)
            var t = Date()
            let receipt = try LedgerWriter.append(records: records, clearing: "bench", submitter: key, operator: key, to: db)
            m.appendTimes.append(Date().timeIntervalSince(t))
            m.entries = receipt.checkpoint.size
            t = Date()
            let snapshot = try LedgerDatabase(path: m.path, create: false).snapshot()
            m.snapshotTimes.append(Date().timeIntervalSince(t))
            _ = try LedgerVerifier.verify(snapshot)
            m.verifyTimes.append(Date().timeIntervalSince(t))
            print(
                String(
                    format: "ledger: %d trades (%d entries): append %.3f s, verify %.3f s (read %.3f s)", trades, m.entries,
                    m.appendTimes.last!, m.verifyTimes.last!, m.snapshotTimes.last!))
        }
    }

    /// Proof sizes over random leaves and size pairs, against ceil(log2 n).
    func proofs(_ m: inout Measured) throws {
        let db = try LedgerDatabase(path: m.path, create: false)
        let entries = m.entries
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let t = Date()
            let p = try LedgerProof.inclusion(index: Int.random(in: 0..<entries, using: &rng), size: nil, storage: db)
            m.proofSeconds.append(Date().timeIntervalSince(t))
            try p.verify()
            m.maxInclusion = max(m.maxInclusion, p.path.count)
        }
        for _ in 0..<200 {
            let old = Int.random(in: 1...entries, using: &rng)
            let path = try db.view.consistencyProof(oldSize: old, newSize: entries)
            m.maxConsistency = max(m.maxConsistency, path.count)
            try Self.check(
                Merkle.verifyConsistency(
                    oldSize: old, newSize: entries, oldRoot: try db.view.root(size: old),
                    newRoot: try db.view.root(size: entries), proof: path))
        }
    }

    /// What signing every entry on its own would cost: 10,000 Ed25519 signatures and verifications, scaled.
    func perEntrySignatures(_ records: [LedgerRecord], _ key: LedgerSigningKey, _ m: inout Measured) throws {
        let messages = records.prefix(m.sample).map { LedgerEntry(submitter: key.party, clearing: "bench", record: $0).encoded() }
        var t = Date()
        let signatures = try messages.map { try key.sign($0) }
        m.signSeconds = Date().timeIntervalSince(t) * Double(trades) / Double(m.sample)
        t = Date()
        for (message, sig) in zip(messages, signatures) { try Self.check(LedgerSignatures.isValid(sig, message: message, publicKey: key.publicKey)) }
        m.checkSeconds = Date().timeIntervalSince(t) * Double(trades) / Double(m.sample)
    }

    /// The independent verifier (Python, hashlib + cryptography) on the same file, when the venv has it.
    func pythonVerify(_ path: String) -> Double? {
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: self.python)
        p.arguments = ["Benchmarks/ledger_verify.py", "verify", path]
        p.standardOutput = FileHandle.nullDevice
        let t = Date()
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        return p.terminationStatus == 0 ? Date().timeIntervalSince(t) : nil
    }

    /// `ledger.md` and `ledger.json`.
    func report(_ m: Measured) -> (String, JSON) {
        let entries = m.entries
        let bound = Int.bitWidth - (entries - 1).leadingZeroBitCount
        let append = Timing(samples: m.appendTimes), verify = Timing(samples: m.verifyTimes)
        let perProof = Timing(samples: m.proofSeconds)
        var md = "# Ledger benchmark\n\n\(MachineInfo.describe())\n\n"
        md += "`benchmark ledger --trades \(trades) --repeats \(common.repeats)` (release build): \(trades) market trades "
        md += "appended in one call (\(entries) entries with the key registration and the settlement rule's bills) to a new "
        md += "SQLite ledger, then verified from the file. Seconds, median [min, max].\n\n"
        md += "| what | seconds | target |\n|---|---|---|\n"
        md += "| append (encode, SHA-256 leaves and nodes, Ed25519 batch and checkpoint signatures, one SQLite transaction) | \(append.formatted()) | < 1 |\n"
        md += "| verify (read every row, recompute every hash and node, check every signature and checkpoint) | \(verify.formatted()) | < 2 |\n"
        md += "| of which reading the file | \(Timing(samples: m.snapshotTimes).formatted()) | |\n"
        md += "| one inclusion proof from the stored subtrees (200 random entries) | \(perProof.formatted(5)) | |\n"
        if let p = m.pythonSeconds {
            md += String(
                format: "| reference: Benchmarks/ledger_verify.py verify (Python, hashlib + cryptography, same file) | %.3f | Python / Swift %.1fx |\n", p,
                p / verify.median)
        }
        md += String(
            format: "\nSigning every entry on its own instead of each batch (measured on %d entries, scaled to %d): "
                + "%.2f s to sign and %.2f s to verify, on one core; so PeerGrid signs batches (docs/ledger-spec.md).\n",
            m.sample, trades, m.signSeconds, m.checkSeconds)
        md += "\nProof sizes: inclusion at most \(m.maxInclusion) hashes, consistency at most \(m.maxConsistency) hashes over 200 random "
        md += "proofs each; ceil(log2 \(entries)) = \(bound) (RFC 6962's consistency proofs can need one more).\n"
        let json: JSON = .object([
            ("trades", .integer(trades)), ("entries", .integer(entries)),
            ("append_seconds", .number(append.median)), ("verify_seconds", .number(verify.median)),
            ("inclusion_proof_max_hashes", .integer(m.maxInclusion)), ("consistency_proof_max_hashes", .integer(m.maxConsistency)),
            ("ceil_log2_n", .integer(bound)),
            ("per_entry_sign_seconds", .number(m.signSeconds)), ("per_entry_verify_seconds", .number(m.checkSeconds)),
            ("python_verify_seconds", m.pythonSeconds.map { .number($0) } ?? .null)
        ])
        return (md, json)
    }
}
