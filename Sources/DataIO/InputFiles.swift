import Foundation

/// Reading inputs: every reader of a user's file (community, history, bids, prices, models, policies, keys,
/// proofs, manifests) goes through here, so each says the same thing about a file it cannot read.
public enum InputFiles {
    /// Why a file could not be read; `description` is the phrase that follows the file's name in a message
    /// ("no such file", "is a directory, not a file", ...). Each module wraps it in its own error type, which keeps
    /// the module's exit code.
    public struct Problem: Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The bytes of the file at `path`, or of a pipe there (`--community /dev/stdin`). Throws ``Problem``: no such
    /// file, a directory, a file that cannot be read (permissions), or one larger than `maxBytes` (1 GiB unless given).
    public static func data(_ path: String, maxBytes: Int = 1 << 30) throws(Problem) -> Data {
        var isDirectory: ObjCBool = false
        guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Problem("no such file")
        }
        if isDirectory.boolValue { throw Problem("is a directory, not a file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxBytes {
            throw Problem("is larger than \(counted(maxBytes, "byte"))")
        }
        var bytes = FileManager.default.contents(atPath: path)
        if bytes == nil { bytes = try stream(path, maxBytes: maxBytes) }
        guard let data = bytes else {
            throw Problem("cannot be read (permission denied)")
        }
        if data.count > maxBytes { throw Problem("is larger than \(counted(maxBytes, "byte"))") }
        return data
    }

    /// A pipe (`/dev/stdin`, a shell's `<(...)`), read to its end in chunks; nil when it cannot be opened.
    static func stream(_ path: String, maxBytes: Int) throws(Problem) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var data = Data()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw Problem("could not be read to its end (\(error.localizedDescription))")  // not taken for the end
            }
            guard let chunk, !chunk.isEmpty else { return data }
            data.append(chunk)
            if data.count > maxBytes { throw Problem("is larger than \(counted(maxBytes, "byte"))") }
        }
    }

    /// The file at `path` as UTF-8 text (a BOM is kept for the parser to skip). Throws ``Problem`` as ``data(_:maxBytes:)``
    /// does, and "is not UTF-8 text".
    public static func text(_ path: String, maxBytes: Int = 1 << 30) throws(Problem) -> String {
        let bytes = try data(path, maxBytes: maxBytes)
        guard let text = String(data: bytes, encoding: .utf8) else { throw Problem("is not UTF-8 text") }
        return text
    }

    /// The directory that relative paths inside the file at `path` (a community file's CSV columns, a manifest's
    /// communities) are resolved against: the file's own directory, or the current directory when `path` is a
    /// pipe or a device (`/dev/stdin`, a shell's `<(...)` under `/dev/fd` or `/proc`), whose directory means
    /// nothing to the user who piped it.
    public static func baseDirectory(of path: String) -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") { return cwd }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO || (info.st_mode & S_IFMT) == S_IFCHR { return cwd }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }
}
