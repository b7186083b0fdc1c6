import Foundation

/// Writing outputs so that no reader ever sees half a file: each file goes to a temporary name in the same
/// directory and is renamed into place; a set of files is staged in a temporary directory and moved together.
public enum OutputFiles {
    /// Writes `text` to `path` atomically (temporary file + rename).
    public static func write(_ text: String, to path: String) throws {
        try write(data: Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically (temporary file + rename). Every failure is an ``OutputFileError``
    /// naming `path` (a directory that cannot be created, a missing permission, a full disk).
    public static func write(data: Data, to path: String) throws {
        if isStream(path) { return try writeStream(data, to: path) }
        let staged: (tmp: URL, target: URL)
        do { staged = try stage(data, at: path) } catch let error as OutputFileError { throw error } catch {
            throw OutputFileError(path: path, message: error.localizedDescription)
        }
        do { try rename(staged.tmp, staged.target) } catch {
            try? FileManager.default.removeItem(at: staged.tmp)
            throw OutputFileError(path: path, message: error.localizedDescription)
        }
    }

    /// Writes several files at their own paths: every file is first written to a temporary name beside its
    /// target, and only when all are written are they renamed into place. A file that cannot be written (a
    /// directory in the way, a missing permission, a full disk) leaves none of them changed; only a rename failing
    /// after all were written could leave some replaced. Streams (``isStream(_:)``) are written in place once the
    /// files are staged and before they are renamed, so a stream that cannot be written leaves the files unchanged
    /// too (what reached the stream before the failure stays there: a stream cannot be staged). The error names
    /// the path.
    public static func write(files: [(path: String, text: String)]) throws {
        var staged: [(tmp: URL, target: URL)] = []
        do {
            for file in files where !isStream(file.path) {
                do { staged.append(try stage(Data(file.text.utf8), at: file.path)) } catch let error as OutputFileError {
                    throw error
                } catch {
                    throw OutputFileError(path: file.path, message: error.localizedDescription)
                }
            }
            for file in files where isStream(file.path) { try writeStream(Data(file.text.utf8), to: file.path) }
            for s in staged { try rename(s.tmp, s.target) }
        } catch {
            for s in staged { try? FileManager.default.removeItem(at: s.tmp) }
            throw error
        }
    }

    /// Whether `path` is a stream rather than a file: a path under `/dev/` or `/proc/` (`/dev/stdout`,
    /// `/dev/null`, `/dev/fd/N`) or an existing entry that is neither a regular file nor a directory (a named pipe).
    /// A stream is written in place: renaming a temporary file onto it would replace the device or pipe with a
    /// regular file (as root, `--json /dev/null` replaced the system's `/dev/null`).
    static func isStream(_ path: String) -> Bool {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if absolute.hasPrefix("/dev/") || absolute.hasPrefix("/proc/") { return true }
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let kind = info.st_mode & S_IFMT
        return kind != S_IFREG && kind != S_IFDIR
    }

    /// Writes `data` into an existing stream (see ``isStream(_:)``) without staging; a missing one is an error.
    static func writeStream(_ data: Data, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw OutputFileError(path: path, message: "cannot be opened for writing (\(String(cString: strerror(errno))))")
        }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: data) } catch { throw OutputFileError(path: path, message: error.localizedDescription) }
    }

    /// Writes `data` to a temporary name beside `path` (whose directory is created), to be renamed into place. A
    /// symbolic link is followed, so that the file it points to is replaced and the link kept.
    static func stage(_ data: Data, at path: String) throws -> (tmp: URL, target: URL) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw OutputFileError(path: path, message: "is a directory; give a file name")
        }
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        removeStaleStaging(in: dir.path)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        do { try data.write(to: tmp) } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        return (tmp, url)
    }

    /// POSIX rename: atomic, replaces an existing file.
    static func rename(_ from: URL, _ to: URL) throws {
        if Foundation.rename(from.path, to.path) != 0 {
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [
                    NSFilePathErrorKey: to.path,
                    NSLocalizedDescriptionKey: "cannot rename \(from.lastPathComponent) to \(to.path): \(String(cString: strerror(errno)))"
                ])
        }
    }

    /// Writes several files into `directory`: all are written to temporary names first, then renamed, so an
    /// interrupted run leaves the previous complete set (or nothing), never a mix of partial files.
    public static func writeAll(_ files: [(name: String, text: String)], into directory: String) throws {
        try requireDirectoryOrNothing(at: directory)
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        removeStaleStaging(in: directory)
        let tag = "\(getpid())-\(UUID().uuidString.prefix(8))"
        var staged: [(URL, URL)] = []
        do {
            for f in files {
                let final = dir.appendingPathComponent(f.name)
                let tmp = dir.appendingPathComponent(".\(f.name).tmp-\(tag)")
                // Staged before writing: a write that fails half way (a full disk) is removed too.
                staged.append((tmp, final))
                try Data(f.text.utf8).write(to: tmp)
            }
            for (tmp, final) in staged { try rename(tmp, final) }
        } catch {
            for (tmp, _) in staged { try? FileManager.default.removeItem(at: tmp) }
            throw error
        }
    }

    /// Writes a whole output directory so that it appears complete or not at all: the files (names may contain
    /// `/` for subdirectories) are written into a hidden staging directory next to `directory`
    /// (`.NAME.partial-PID-TAG`), which is then renamed into place. An existing `directory` is replaced; for the
    /// instant between its removal and the rename the directory is absent, never partial. Staging directories
    /// left by killed processes are removed first (see ``removeStaleStaging(in:)``).
    public static func writeDirectory(_ files: [(name: String, text: String)], to directory: String) throws {
        let final = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = final.deletingLastPathComponent()
        let fm = FileManager.default
        try requireDirectoryOrNothing(at: directory)
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        removeStaleStaging(in: parent.path)
        let tag = "\(getpid())-\(UUID().uuidString.prefix(8))"
        let staging = parent.appendingPathComponent(".\(final.lastPathComponent).partial-\(tag)")
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for f in files {
                let url = staging.appendingPathComponent(f.name)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(f.text.utf8).write(to: url)
            }
            var old: URL?
            if fm.fileExists(atPath: final.path) {
                let o = parent.appendingPathComponent(".\(final.lastPathComponent).old-\(tag)")
                try rename(final, o)
                old = o
            }
            try rename(staging, final)
            if let old { try? fm.removeItem(at: old) }
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// An output directory's path must hold a directory or nothing: replacing what is there would delete a file the
    /// user meant to keep, or a device (`--out /dev/null` as root).
    static func requireDirectoryOrNothing(at directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw OutputFileError(path: directory, message: "exists and is not a directory; give a directory for the output")
        }
    }

    /// Removes staging (`.partial-PID-`) and replaced (`.old-PID-`) directories in `directory` whose process is
    /// no longer running: what a killed run leaves behind.
    public static func removeStaleStaging(in directory: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") {
            for marker in [".partial-", ".old-", ".tmp-"] {
                guard let r = name.range(of: marker) else { continue }
                let pidText = name[r.upperBound...].prefix { $0.isNumber }
                guard let pid = Int32(pidText), pid != getpid() else { continue }
                if kill(pid, 0) != 0 && errno == ESRCH { try? fm.removeItem(atPath: directory + "/" + name) }
            }
        }
    }
}

/// An output path that cannot be written as asked (a directory where a file is expected). Bad input.
public struct OutputFileError: PeerGridError, LocalizedError {
    public var path: String
    public var message: String
    public var kind: FailureKind { .badInput }
    public var description: String { "\(path): \(message)" }
    public var errorDescription: String? { description }
}
