import DataIO
/// A model file (MPS or LP) that cannot be read: the file, the 1-based line and what is wrong with it.
public struct ModelFileError: PeerGridError, Equatable {
    public var file: String?
    public var line: Int?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        var place = file ?? "<input>"
        if let line { place += ":\(line)" }
        return "\(place): \(message)"
    }
}

extension ModelFileError {
    /// A model file that cannot be read: bad input.
    public var kind: FailureKind { .badInput }
}
