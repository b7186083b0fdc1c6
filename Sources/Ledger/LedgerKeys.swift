import Crypto
import DataIO
import Foundation

/// An Ed25519 signing key with the name of the party it belongs to. (`@unchecked Sendable`: swift-crypto's key is an
/// immutable value that is not marked Sendable; every stored property here is a `let`.)
public struct LedgerSigningKey: @unchecked Sendable {
    public let party: String
    /// The 32-byte private seed and the public key it gives.
    let seed: [UInt8]
    public let publicKey: [UInt8]
    let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init(party: String) {
        let key = Curve25519.Signing.PrivateKey()
        self.party = party
        self.key = key
        seed = Array(key.rawRepresentation)
        publicKey = Array(key.publicKey.rawRepresentation)
    }

    /// A key from its 32-byte seed (tests use fixed seeds for reproducible ledgers).
    public init(party: String, seed: [UInt8]) throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        self.party = party
        self.key = key
        self.seed = seed
        publicKey = Array(key.publicKey.rawRepresentation)
    }

    /// The Ed25519 signature (64 bytes) of `message` with this party's private key.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: message))
    }

    /// The key file: three lines, `peergrid-ledger-key v1`, `party: NAME`, `private: HEX`.
    var fileText: String {
        "peergrid-ledger-key v1\nparty: \(party)\nprivate: \(Hex.encode(seed))\n"
    }

    /// The public key file (`.pub`), safe to share.
    public var publicFileText: String {
        "peergrid-ledger-public-key v1\nparty: \(party)\npublic: \(Hex.encode(publicKey))\n"
    }

    /// Writes the key to `path` (owner read and write only) and its public half to `path.pub`. An existing key file
    /// is never overwritten.
    public func write(to path: String) throws {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else {
            throw LedgerError.badInput("\(path): a key file already exists; remove it first or choose another name")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard fm.fileExists(atPath: directory.isEmpty ? "." : directory) else {
            throw LedgerError.badInput("\(path): cannot write the key file (the folder does not exist)")
        }
        // The public half first: a failure never leaves a private key without its `.pub`. A `.pub` this call
        // created is removed again when the private key cannot be written.
        let publicPath = path + ".pub"
        let hadPublic = fm.fileExists(atPath: publicPath)
        try OutputFiles.write(publicFileText, to: publicPath)
        func undo() { if !hadPublic { try? fm.removeItem(atPath: publicPath) } }
        let temporary = "\(directory)/.\(URL(fileURLWithPath: path).lastPathComponent).tmp-\(getpid())"
        guard fm.createFile(atPath: temporary, contents: Data(fileText.utf8), attributes: [.posixPermissions: 0o600]) else {
            undo()
            throw LedgerError.badInput("\(path): cannot write the key file (does the folder exist?)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            undo()
            throw LedgerError.badInput("\(path): cannot write the key file: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a key file; refuses one that others can read or write (mode must be 0600 or stricter).
    public static func read(path: String) throws -> LedgerSigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LedgerError.badInput("\(path): no such file (a key file from peergrid ledger keygen)") }
        if info.st_mode & S_IFMT == S_IFDIR { throw LedgerError.badInput("\(path): is a directory, not a file") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw LedgerError.badInput(
                "\(path): the key file has permissions \(String(mode, radix: 8)) and can be read "
                    + "by others; refusing to use it (run chmod 600 \(path))")
        }
        let fields = try KeyFileText.fields(path: path, header: "peergrid-ledger-key v1")
        guard let party = fields["party"], !party.isEmpty, let hex = fields["private"],
            let seed = Hex.decode(hex), seed.count == 32
        else { throw LedgerError.badInput("\(path): not a PeerGrid ledger key (needs party: and a 64-digit private:)") }
        return try LedgerSigningKey(party: party, seed: seed)
    }
}

/// A public key file (`peergrid ledger keygen` writes `KEY.pub`).
public struct LedgerPublicKey: Sendable, Equatable {
    public var party: String
    public var key: [UInt8]

    /// Reads a public key file written by `peergrid ledger keygen` (header `peergrid-ledger-public-key v1`, the party
    /// and 32 bytes of key in hex). Throws a ledger error naming the file and the line at fault.
    public static func read(path: String) throws -> LedgerPublicKey {
        let fields = try KeyFileText.fields(path: path, header: "peergrid-ledger-public-key v1")
        guard let party = fields["party"], let hex = fields["public"], let key = Hex.decode(hex), key.count == 32
        else { throw LedgerError.badInput("\(path): not a PeerGrid public key (needs party: and a 64-digit public:)") }
        return LedgerPublicKey(party: party, key: key)
    }
}

enum KeyFileText {
    static func fields(path: String, header: String) throws -> [String: String] {
        let text: String
        do { text = try InputFiles.text(path, maxBytes: 1 << 16) } catch { throw LedgerError.badInput("\(path): \(error)") }
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == header else { throw LedgerError.badInput("\(path): the first line must be '\(header)'") }
        lines.removeFirst()
        var fields: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }
}

/// Ed25519 signature checks and the exact messages that are signed (docs/ledger-spec.md).
public enum LedgerSignatures {
    /// Verifies `signature` over `message` with a 32-byte public key.
    public static func isValid(_ signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// What a batch's submitter signs: domain, first index, count, submitter, SHA-256 of the batch's leaf hashes.
    public static func batchMessage(first: Int, count: Int, submitter: String, leaves: some Sequence<Merkle.Hash>)
        -> [UInt8]
    {
        var h = SHA256()
        for leaf in leaves { h.update(data: leaf) }
        var w = ByteWriter()
        w.bytes = Array("PeerGrid-ledger-batch-v1".utf8)
        w.u64(UInt64(first)); w.u64(UInt64(count)); w.string(submitter)
        w.bytes.append(contentsOf: h.finalize())
        return w.bytes
    }

    /// What the operator signs at a checkpoint: domain, tree size, root, time (seconds since 1970 UTC).
    public static func checkpointMessage(size: Int, root: Merkle.Hash, time: Int64) -> [UInt8] {
        var w = ByteWriter()
        w.bytes = Array("PeerGrid-ledger-checkpoint-v1".utf8)
        w.u64(UInt64(size)); w.bytes.append(contentsOf: root); w.i64(time)
        return w.bytes
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    /// Two lower-case hex digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of an even-length hex string (either case); nil for any other text.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
