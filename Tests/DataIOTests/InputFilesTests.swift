import DataIO
import Foundation
import Testing

/// The one reader of input files says why it cannot read one, in the words every command then prints.
struct InputFilesTests {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inputfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func problem(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as InputFiles.Problem { return e.description } catch { return "unexpected \(error)" }
        return nil
    }

    @Test func saysWhyAFileCannotBeRead() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f.csv")
        try Data("a,b\n1,2\n".utf8).write(to: file)
        #expect(try InputFiles.text(file.path) == "a,b\n1,2\n")
        #expect(problem { _ = try InputFiles.data(dir.appendingPathComponent("absent").path) } == "no such file")
        #expect(problem { _ = try InputFiles.data("") } == "no such file")
        #expect(problem { _ = try InputFiles.data(dir.path) } == "is a directory, not a file")
        #expect(problem { _ = try InputFiles.data(file.path, maxBytes: 4) } == "is larger than 4 bytes")
        let latin1 = dir.appendingPathComponent("latin1.csv")
        try Data([0x61, 0x0A, 0xE9, 0x0A]).write(to: latin1)
        #expect(try InputFiles.data(latin1.path).count == 4)
        #expect(problem { _ = try InputFiles.text(latin1.path) } == "is not UTF-8 text")
    }

    /// A pipe is read to its end (`--community /dev/stdin`, a shell's `<(...)`); FileManager alone returned nil.
    @Test func readsAPipe() throws {
        let text = String(repeating: "timestamp,load\n", count: 2000)
        for limit in [1 << 30, 100] {
            let pipe = Pipe()
            pipe.fileHandleForWriting.write(Data(text.utf8))
            try pipe.fileHandleForWriting.close()
            let path = "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"
            if limit > text.utf8.count {
                #expect(try InputFiles.text(path, maxBytes: limit) == text)
            } else {
                #expect(problem { _ = try InputFiles.data(path, maxBytes: limit) } == "is larger than 100 bytes")
            }
            try pipe.fileHandleForReading.close()
        }
    }

    /// Relative paths inside a piped file resolve against the current directory: the directory of `/dev/stdin`
    /// or of a shell's `/dev/fd/63` means nothing to the user (a piped community's CSV columns were looked for in
    /// `/dev`). A regular file's are resolved against its own directory.
    @Test func pipedFilesResolveAgainstTheCurrentDirectory() throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let pipe = Pipe()
        defer { try? pipe.fileHandleForReading.close(); try? pipe.fileHandleForWriting.close() }
        for path in ["/dev/stdin", "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)", "/proc/self/fd/0"] {
            #expect(InputFiles.baseDirectory(of: path).standardizedFileURL.path == cwd)
        }
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("community.json")
        try Data("{}".utf8).write(to: file)
        #expect(InputFiles.baseDirectory(of: file.path).standardizedFileURL.path == dir.standardizedFileURL.path)
        #expect(InputFiles.baseDirectory(of: "c.json").standardizedFileURL.path == cwd)
    }
}
