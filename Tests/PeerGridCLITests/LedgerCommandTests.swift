import Foundation
import Testing

/// `peergrid ledger` end to end, as a user runs it.
@Suite struct LedgerCommandTests {
    static let example = CLI.fixture("example-3x24.json")

    static func keyed() throws -> (dir: URL, key: String) {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["ledger", "keygen", "--party", "market-operator", "--out", "op.key"], in: dir)
        #expect(r.code == 0, "\(r.stderr)")
        return (dir, dir.appendingPathComponent("op.key").path)
    }

    static func sql(_ path: String, _ statement: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path, statement]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    /// keygen writes both halves or neither: into a folder that does not exist it exits 2 and creates nothing; an
    /// existing key is never overwritten (nor its `.pub`).
    @Test func keygenWritesBothHalvesOrNeither() throws {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["ledger", "keygen", "--party", "p", "--out", "missing/k.key"], in: dir)
        #expect(r.code == 2 && r.stderr.contains("folder does not exist"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let (keyed, key) = try Self.keyed()
        let before = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let again = try CLI.run(["ledger", "keygen", "--party", "q", "--out", "op.key"], in: keyed)
        #expect(again.code == 2 && again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try String(contentsOfFile: key + ".pub", encoding: .utf8) == before)
    }

    @Test func scheduleAppendsAndVerifyNamesTheFirstTamperedEntry() throws {
        let (dir, key) = try Self.keyed()
        var r = try CLI.run(["schedule", "--community", Self.example, "--out", "out", "--ledger", "l.db", "--ledger-key", key], in: dir)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("entries appended for clearing schedule/"))
        r = try CLI.run(["ledger", "verify", "--ledger", "l.db", "--operator-key", key + ".pub"], in: dir)
        #expect(r.code == 0 && r.stdout.contains("matches the trusted key"), "\(r.stdout)\(r.stderr)")
        r = try CLI.run(["ledger", "replay", "--ledger", "l.db"], in: dir)
        #expect(r.code == 0 && r.stdout.contains("all equal"), "\(r.stdout)\(r.stderr)")
        // The same clearing twice is refused.
        r = try CLI.run(["schedule", "--community", Self.example, "--out", "out", "--ledger", "l.db", "--ledger-key", key], in: dir)
        #expect(r.code == 2 && r.stderr.contains("is in the ledger already"), "\(r.stderr)")
        // A proof, checked without the ledger, then with a changed byte.
        r = try CLI.run(["ledger", "prove", "--ledger", "l.db", "--entry", "17", "--out", "p.json"], in: dir)
        #expect(r.code == 0, "\(r.stderr)")
        r = try CLI.run(["ledger", "verify-proof", "--proof", "p.json", "--operator-key", key + ".pub"], in: dir)
        #expect(r.code == 0 && r.stdout.contains("entry 17"), "\(r.stdout)\(r.stderr)")
        let proofPath = dir.appendingPathComponent("p.json").path
        let text = try String(contentsOfFile: proofPath, encoding: .utf8)
        let entryHex = try #require(text.range(of: "\"entry\" : \"")).upperBound
        var changed = text
        changed.replaceSubrange(
            text.index(entryHex, offsetBy: 60)...text.index(entryHex, offsetBy: 60),
            with: text[text.index(entryHex, offsetBy: 60)] == "0" ? "1" : "0")
        try changed.write(toFile: proofPath, atomically: true, encoding: .utf8)
        r = try CLI.run(["ledger", "verify-proof", "--proof", "p.json"], in: dir)
        #expect(r.code == 5, "\(r.stdout)\(r.stderr)")
        // Tamper with entry 42's bytes behind the ledger's back.
        let ledger = dir.appendingPathComponent("l.db").path
        try Self.sql(ledger, "UPDATE ledger_entry SET body = CAST(substr(body, 1, 40) || X'FF' || substr(body, 42) AS BLOB) WHERE idx = 42")
        r = try CLI.run(["ledger", "verify", "--ledger", "l.db"], in: dir)
        #expect(r.code == 5, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("TAMPERED") && r.stderr.contains("first bad entry: 42"), "\(r.stderr)")
        r = try CLI.run(["ledger", "replay", "--ledger", "l.db"], in: dir)
        #expect(r.code == 5)
    }

    @Test func syncRefusesAForkWithExit6() throws {
        let (dir, key) = try Self.keyed()
        let trades = "kind,period_start,period_minutes,seller,buyer,energy_kwh,price\nmarket,2026-06-01T12:00:00Z,15,h01,h02,1.5,0.12\n"
        let other = "kind,period_start,period_minutes,seller,buyer,energy_kwh,price\nmarket,2026-06-01T12:15:00Z,15,h03,h02,2,0.10\n"
        try trades.write(to: dir.appendingPathComponent("t1.csv"), atomically: true, encoding: .utf8)
        try other.write(to: dir.appendingPathComponent("t2.csv"), atomically: true, encoding: .utf8)
        for (ledger, file, clearing) in [("a.db", "t1.csv", "c1"), ("a.db", "t2.csv", "c2"), ("b.db", "t1.csv", "c1"), ("b.db", "t1.csv", "c9")] {
            let r = try CLI.run(["ledger", "append", "--ledger", ledger, "--key", key, "--trades", file, "--clearing", clearing], in: dir)
            #expect(r.code == 0, "\(r.stderr)")
        }
        var r = try CLI.run(["ledger", "sync", "--from", "a.db", "--to", "replica.db"], in: dir)
        #expect(r.code == 0 && r.stdout.contains("copied"), "\(r.stderr)")
        r = try CLI.run(["ledger", "sync", "--from", "b.db", "--to", "replica.db"], in: dir)
        #expect(r.code == 6, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("fork"), "\(r.stderr)")
        r = try CLI.run(["ledger", "verify", "--ledger", "replica.db"], in: dir)
        #expect(r.code == 0)
        // A replica that is its source (by another path) is refused, not reported as "0 entries copied".
        r = try CLI.run(["ledger", "sync", "--from", "a.db", "--to", "./a.db"], in: dir)
        #expect(r.code == 2 && r.stderr.contains("are the same ledger file"), "\(r.stdout)\(r.stderr)")
    }

    @Test func badKeysAndFilesExit2WithTheirNames() throws {
        let (dir, key) = try Self.keyed()
        chmod(key, 0o644)
        var r = try CLI.run(["schedule", "--community", Self.example, "--out", "o", "--ledger", "l.db", "--ledger-key", key], in: dir)
        #expect(r.code == 2 && r.stderr.contains("permissions 644"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o").path))  // refused before any work
        chmod(key, 0o600)
        try "kind,period_start,period_minutes,seller,buyer,energy_kwh,price\nmarket,2026-06-01T12:00:00Z,15,h01,h02,NaN,0.12\n"
            .write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        r = try CLI.run(["ledger", "append", "--ledger", "l.db", "--key", key, "--trades", "bad.csv", "--clearing", "x"], in: dir)
        #expect(r.code == 2 && r.stderr.contains("bad.csv:2") && r.stderr.contains("energy_kwh"), "\(r.stderr)")
        try "not a database".write(to: dir.appendingPathComponent("notes.db"), atomically: true, encoding: .utf8)
        r = try CLI.run(["ledger", "verify", "--ledger", "notes.db"], in: dir)
        #expect(r.code == 2 && r.stderr.contains("not a PeerGrid ledger"), "\(r.stderr)")
        r = try CLI.run(["ledger", "verify", "--ledger", "missing.db"], in: dir)
        #expect(r.code == 2 && r.stderr.contains("no such file (no ledger there yet)"), "\(r.stderr)")
        // A clearing id without a ledger would be dropped: refused.
        r = try CLI.run(["schedule", "--community", Self.example, "--out", "o2", "--clearing", "c1"], in: dir)
        #expect(r.code == 2 && r.stderr.contains("--clearing need --ledger FILE"), "\(r.stderr)")
        // With a bad operator key and a missing proof or ledger, every reader names the key first.
        for command in [["verify-proof", "--proof", "missing.json"], ["replay", "--ledger", "missing.db"], ["verify", "--ledger", "missing.db"]] {
            r = try CLI.run(["ledger"] + command + ["--operator-key", "absent.pub"], in: dir)
            #expect(r.code == 2 && r.stderr.contains("absent.pub") && !r.stderr.contains("missing."), "\(command): \(r.stderr)")
        }
    }

    /// An error nobody foresaw (a plain Swift error injected into the binary) exits 70, internal, never 2.
    @Test func anUnforeseenErrorIsInternalNotBadInput() throws {
        let (dir, _) = try Self.keyed()
        let r = try CLI.run(["ledger", "verify", "--ledger", "l.db"], in: dir, environment: ["PEERGRID_INJECT_FAULT": "store"])
        #expect(r.code == 70, "\(r.stderr)")
        #expect(r.stderr.contains("internal error"), "\(r.stderr)")
    }

    /// A process killed at random moments while appending 20,000 trades leaves a ledger that verifies, with all or
    /// none of that append's entries.
    @Test func killedWhileAppendingLeavesAllOrNothing() throws {
        let (dir, key) = try Self.keyed()
        var csv = "kind,period_start,period_minutes,seller,buyer,energy_kwh,price\n"
        for i in 0..<20_000 { csv += "market,2026-06-01T12:00:00Z,15,h\(i % 97),b\(i % 89),\(1 + i % 7).25,0.1\(i % 10)\n" }
        try csv.write(to: dir.appendingPathComponent("big.csv"), atomically: true, encoding: .utf8)
        var r = try CLI.run(["ledger", "append", "--ledger", "l.db", "--key", key, "--trades", "big.csv", "--clearing", "first"], in: dir)
        #expect(r.code == 0, "\(r.stderr)")
        var sizes = Set<Int>()
        var rng = SystemRandomNumberGenerator()
        for attempt in 0..<4 {
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["ledger", "append", "--ledger", "l.db", "--key", key, "--trades", "big.csv", "--clearing", "k\(attempt)"]
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 300_000...6_000_000, using: &rng))  // the append takes about 5 s in a debug build
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            r = try CLI.run(["ledger", "verify", "--ledger", "l.db"], in: dir)
            #expect(r.code == 0, "after a kill: \(r.stdout)\(r.stderr)")
            let size = Int(r.stdout.split(separator: " ").dropFirst(2).first ?? "") ?? -1
            sizes.insert(size)
        }
        // Every size seen is a whole number of appends: the first (1 key + 20,000 trades + bills), plus whole ones.
        let first = 1 + 20_000 + 186, whole = 20_000 + 186
        for s in sizes { #expect(s >= first && (s - first) % whole == 0, "size \(s) is not a whole number of appends") }
    }
}
