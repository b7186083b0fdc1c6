import Foundation
import TestFixtures
import Testing

/// `scripts/readme_examples.py` (`make readme-check`): its comparison rules, and two of the README's example blocks
/// rerun with the `peergrid` of this build, so that their shown output cannot drift from what the commands print.
struct ReadmeExamplesTests {
    static let script = TestFixtures.packageRoot.appendingPathComponent("scripts/readme_examples.py").path

    /// Runs the script with `arguments`; its scratch directory goes under this test process's scratch root.
    func runScript(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.script] + arguments
        p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": try TestScratch.directory("readme").path]) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Masked durations, timestamps and digests match; changed figures, extra lines and other dates do not.
    @Test func comparisonRulesHold() throws {
        let r = try runScript(["--self-test"])
        #expect(r.status == 0, "\(r.output)")
    }

    /// The `solve` block (optima, a bad file's message and exit code) and the ledger block (keys, appends, verify,
    /// replay, proofs, sync, a tampered entry, a readable key refused) print what the README shows.
    @Test func solveAndLedgerExamplesPrintWhatTheReadmeShows() throws {
        let readme = try String(contentsOf: TestFixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        let wanted = ["$ peergrid solve Datasets/models/mknap-1.mps", "$ peergrid ledger keygen "]
        let numbers = wanted.compactMap { prefix in lines.firstIndex { $0.hasPrefix(prefix) }.map { String($0 + 1) } }
        try #require(numbers.count == wanted.count, "README no longer holds \(wanted)")
        let bin = CLI.executable.deletingLastPathComponent().path
        let r = try runScript(["--only", numbers.joined(separator: ","), "--bin", bin])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains(" 0 differ") && !r.output.contains("skip "), "\(r.output)")
        let matched = r.output.components(separatedBy: "\n").filter { $0.hasPrefix("match ") }.count
        #expect(matched >= 12, "\(r.output)")
    }
}
