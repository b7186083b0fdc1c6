import DataIO
import Foundation
import Testing

/// Outputs are renamed into place, except where a rename would destroy something: a device or pipe is written in
/// place, a symbolic link is kept, and a file where an output directory should go is refused.
struct OutputFilesTests {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outputfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    /// `--json /dev/null` leaves the device a device (as root, the rename used to replace it with a regular file).
    @Test func theNullDeviceStaysADevice() throws {
        try #require(kind("/dev/null") == S_IFCHR)
        try OutputFiles.write("{}\n", to: "/dev/null")
        try OutputFiles.write(files: [(path: "/dev/null", text: "a"), (path: "/dev/null", text: "b")])
        #expect(kind("/dev/null") == S_IFCHR)
    }

    /// A pipe given by its `/dev/fd` path and a named pipe elsewhere both receive the text, and stay pipes.
    @Test func pipesAreWrittenInPlace() throws {
        let pipe = Pipe()
        try OutputFiles.write("through /dev/fd\n", to: "/dev/fd/\(pipe.fileHandleForWriting.fileDescriptor)")
        try pipe.fileHandleForWriting.close()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "through /dev/fd\n")

        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        // Opened for reading and writing, so that the writer's open does not wait for a reader (Linux).
        let reader = open(fifo, O_RDWR | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        try OutputFiles.write("through a named pipe\n", to: fifo)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &buffer, buffer.count)
        #expect(n > 0 && String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == "through a named pipe\n")
        #expect(kind(fifo) == S_IFIFO)
    }

    /// A set of files with a stream that cannot be opened (a file descriptor that is not open) fails naming the
    /// stream and leaves the files as they were, with no temporary file beside them.
    @Test func aStreamThatFailsLeavesTheFilesUnchanged() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("schedule.csv")
        try Data("old".utf8).write(to: file)
        let closed = "/dev/fd/\(Int32.max - 7)"
        do {
            try OutputFiles.write(files: [(path: file.path, text: "new"), (path: closed, text: "{}")])
            Issue.record("a stream that cannot be opened was accepted")
        } catch let e as OutputFileError {
            #expect(e.path == closed, "\(e.localizedDescription)")
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["schedule.csv"])
    }

    /// Writing through a symbolic link replaces the file it points to and keeps the link.
    @Test func aSymbolicLinkIsKept() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("real.json"), link = dir.appendingPathComponent("link.json")
        try Data("old".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        try OutputFiles.write("new", to: link.path)
        #expect(kind(link.path) == S_IFLNK)
        #expect(try String(contentsOf: target, encoding: .utf8) == "new")
    }

    /// An output directory where a file is refuses, naming the path, and the file is kept.
    @Test func aFileWhereTheOutputDirectoryGoesIsRefused() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("notes.txt")
        try Data("keep me".utf8).write(to: file)
        #expect(throws: OutputFileError.self) { try OutputFiles.writeDirectory([(name: "a.csv", text: "x")], to: file.path) }
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep me")
        do { try OutputFiles.writeDirectory([(name: "a.csv", text: "x")], to: file.path) } catch let e as OutputFileError {
            #expect("\(e.localizedDescription)".contains("exists and is not a directory"), "\(e.localizedDescription)")
        }
    }
}
