import Foundation
import Optimize

/// Files every test target shares, kept once: `Tests/Fixtures/` (MPS models, the small day-ahead community, its
/// history and the batch manifest) and the bundled example communities in `Datasets/communities/`.
public enum TestFixtures {
    /// The package's root directory (tests run from a source checkout).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let directory = packageRoot.appendingPathComponent("Tests/Fixtures")
    public static let communities = packageRoot.appendingPathComponent("Datasets/communities")

    /// The path of a shared file: in `Tests/Fixtures/`, `Tests/Fixtures/mps/`, else in `Datasets/communities/`.
    public static func path(_ name: String) -> String {
        for dir in [directory, directory.appendingPathComponent("mps")] {
            let shared = dir.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: shared) { return shared }
        }
        return communities.appendingPathComponent(name).path
    }

    /// The spec's 3 x 24 example with an EV on h001, so that a plan holds a flexible load too, and 10 kW more import
    /// limit: the example's 8.2 kW has no room for it, nor for loads 40 % higher with the batteries held (the
    /// recourse tests of `OptimizeTests` and `DayAheadTests`).
    public static func exampleWithEV() throws -> Community {
        var c = try CommunityFile.read(path("example-3x24.json"))
        c.grid.importLimitKW += 10
        c.prosumers[0].flexibleLoads = [FlexibleLoad(id: "ev", powerKW: 1.5, runPeriods: 2, earliest: 10, latest: 15)]
        return c
    }

    /// `own` (a test target's resource directory) when it holds `name`, else the shared file.
    public static func path(_ name: String, preferring own: URL?) -> String {
        if let own, FileManager.default.fileExists(atPath: own.appendingPathComponent(name).path) {
            return own.appendingPathComponent(name).path
        }
        return path(name)
    }
}

/// Scratch space for tests, removed when the test process exits.
///
/// Every directory a test asks for is made under one root per process, `$TMPDIR/peergrid-tests-PID/`. The root is
/// removed by an `atexit` handler, so a run of `make test` leaves nothing in the temporary directory however its
/// tests end (a failed expectation skips a test's own cleanup; this does not). A root left by a process that was
/// killed is removed by the next test process that starts.
public enum TestScratch {
    /// The process's root, created (and stale roots of dead processes removed) on first use.
    public static let root: URL = {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory
        removeStaleRoots(in: tmp)
        let url = tmp.appendingPathComponent("\(prefix)\(getpid())")
        try? fm.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return url
    }()

    static let prefix = "peergrid-tests-"

    /// Removes the roots in `directory` whose process no longer exists; returns their names. The roots of running
    /// processes (this one's included) and names that do not end in a process id are kept.
    @discardableResult
    public static func removeStaleRoots(in directory: URL) -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        for name in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(prefix) {
            // kill(pid, 0) fails with ESRCH only when no such process exists.
            if let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                if (try? fm.removeItem(at: directory.appendingPathComponent(name))) != nil { removed.append(name) }
            }
        }
        return removed.sorted()
    }

    /// A new, empty directory named `prefix-UUID` under ``root``.
    public static func directory(_ prefix: String = "scratch") throws -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A path named `prefix-UUID.ext` under ``root`` (nothing is created).
    public static func file(_ prefix: String, extension ext: String) -> String {
        root.appendingPathComponent("\(prefix)-\(UUID().uuidString).\(ext)").path
    }
}
