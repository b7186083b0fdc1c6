import Foundation

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

    /// `own` (a test target's resource directory) when it holds `name`, else the shared file.
    public static func path(_ name: String, preferring own: URL?) -> String {
        if let own, FileManager.default.fileExists(atPath: own.appendingPathComponent(name).path) {
            return own.appendingPathComponent(name).path
        }
        return path(name)
    }
}
