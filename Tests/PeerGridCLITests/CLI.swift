import Foundation
import TestFixtures

/// Runs the built `peergrid` executable (end-to-end tests), the way a user does.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `peergrid` of the build under test: it sits next to this test target's resource bundle in the same
    /// build products directory (debug or release, whichever `swift test` built), never another build's binary.
    static var executable: URL {
        fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("peergrid")
    }

    /// The `benchmark` executable of the same build.
    static var benchmark: URL { executable.deletingLastPathComponent().appendingPathComponent("benchmark") }

    struct MissingExecutable: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "the \((path as NSString).lastPathComponent) of this build is not at \(path): build it with `swift build --build-tests` (make test does)"
        }
    }

    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `peergrid arguments`; with a `launcher` (such as `mpirun -n 2`), runs `launcher peergrid arguments`.
    /// `unsetting` removes variables from the test's environment, then `environment` adds to it.
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
        unsetting: [String] = [], launcher: [String] = [], program: URL = CLI.executable
    ) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: program.path) else { throw MissingExecutable(path: program.path) }
        let p = Process()
        if let first = launcher.first {
            p.executableURL = URL(fileURLWithPath: first)
            p.arguments = Array(launcher.dropFirst()) + [program.path] + arguments
        } else {
            p.executableURL = program
            p.arguments = arguments
        }
        if !environment.isEmpty || !unsetting.isEmpty {
            var e = ProcessInfo.processInfo.environment
            for name in unsetting { e[name] = nil }
            p.environment = e.merging(environment) { $1 }
        }
        if let directory { p.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(code: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        try TestScratch.directory("peergrid-test")
    }

    static func fixture(_ name: String) -> String { TestFixtures.path(name, preferring: fixtures) }

    /// A copy of fixture `name` with the first `find` replaced by `replace`, in a new temporary directory;
    /// returns the directory and the edited file. Throws when `find` is not in the fixture.
    static func editedFixture(_ name: String, _ find: String, _ replace: String) throws -> (directory: URL, file: URL) {
        let dir = try temporaryDirectory()
        var text = try String(contentsOfFile: fixture(name), encoding: .utf8)
        guard let range = text.range(of: find) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(name) has no '\(find)'"])
        }
        text.replaceSubrange(range, with: replace)
        let file = dir.appendingPathComponent("bad.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }
}
