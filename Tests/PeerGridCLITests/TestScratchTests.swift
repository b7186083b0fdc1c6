import Foundation
import TestFixtures
import Testing

/// The test scratch space removes what killed test processes left behind, and nothing else.
struct TestScratchTests {
    /// A root named after a process that has exited is removed with its files; the roots of running processes
    /// (this one and PID 1), PID 0 (a process group to `kill`), names without a process id and other names are kept.
    @Test func staleRootsOfDeadProcessesAreRemovedAndNothingElse() throws {
        let dir = try TestScratch.directory("stale-roots")
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = "peergrid-tests-\(finished.processIdentifier)"
        let kept = ["peergrid-tests-\(getpid())", "peergrid-tests-1", "peergrid-tests-0", "peergrid-tests-abc", "other-\(finished.processIdentifier)"]
        let fm = FileManager.default
        for name in [dead] + kept {
            try fm.createDirectory(at: dir.appendingPathComponent(name).appendingPathComponent("inner"), withIntermediateDirectories: true)
        }
        #expect(TestScratch.removeStaleRoots(in: dir) == [dead])
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent(dead).path))
        for name in kept { #expect(fm.fileExists(atPath: dir.appendingPathComponent(name).appendingPathComponent("inner").path), "\(name)") }
    }
}
