import Foundation

/// Writing outputs so that no reader ever sees half a file: each file goes to a temporary name in the same
/// directory and is renamed into place; a set of files is staged in a temporary directory and moved together.
public enum OutputFiles {
    /// Writes `text` to `path` atomically (temporary file + rename).
    public static func write(_ text: String, to path: String) throws {
        try write(data: Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically (temporary file + rename).
    public static func write(data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try data.write(to: tmp)
            try rename(tmp, url)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// POSIX rename: atomic, replaces an existing file.
    static func rename(_ from: URL, _ to: URL) throws {
        if Foundation.rename(from.path, to.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: to.path, NSLocalizedDescriptionKey: "cannot rename \(from.lastPathComponent) to \(to.path): \(String(cString: strerror(errno)))"])
        }
    }

    /// Writes several files into `directory`: all are written to temporary names first, then renamed, so an
    /// interrupted run leaves the previous complete set (or nothing), never a mix of partial files.
    public static func writeAll(_ files: [(name: String, text: String)], into directory: String) throws {
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tag = "\(getpid())-\(UUID().uuidString.prefix(8))"
        var staged: [(URL, URL)] = []
        do {
            for f in files {
                let final = dir.appendingPathComponent(f.name)
                let tmp = dir.appendingPathComponent(".\(f.name).tmp-\(tag)")
                try Data(f.text.utf8).write(to: tmp)
                staged.append((tmp, final))
            }
            for (tmp, final) in staged { try rename(tmp, final) }
        } catch {
            for (tmp, _) in staged { try? FileManager.default.removeItem(at: tmp) }
            throw error
        }
    }
}
