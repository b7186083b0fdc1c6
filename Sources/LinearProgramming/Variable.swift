/// A decision variable of a ``Model``: a handle holding the column's index. Create variables with
/// ``Model/addVariable(lower:upper:kind:objective:name:)``; a variable only makes sense in the model that made it.
public struct Variable: Hashable, Sendable, CustomStringConvertible {
    /// The column index in its model (0-based).
    public let index: Int

    /// A handle for column `index`; prefer the handles that ``Model`` returns.
    public init(index: Int) { self.index = index }

    public var description: String { "x\(index)" }
}

/// The domain of a variable.
public enum VariableKind: String, Sendable, Codable {
    /// A real number within its bounds.
    case continuous
    /// An integer within its bounds.
    case integer
    /// An integer in [0, 1].
    case binary
}

/// Whether the objective is minimized or maximized.
public enum ObjectiveSense: String, Sendable, Codable {
    case minimize
    case maximize
}
