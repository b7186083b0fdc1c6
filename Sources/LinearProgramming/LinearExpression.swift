/// A linear expression `sum_j a_j x_j + constant`, stored as parallel arrays of column indices and
/// coefficients. Duplicate indices are allowed here; the model merges them when the expression becomes a row
/// or the objective. Build it with operators (`2 * x + 3 * y - 1`) or, in hot loops, with ``add(_:_:)``.
public struct LinearExpression: Sendable, CustomStringConvertible {
    /// Column indices of the terms (may repeat).
    public var indices: [Int]
    /// Coefficients, parallel to ``indices``.
    public var coefficients: [Double]
    /// The constant term.
    public var constant: Double

    /// An empty expression equal to `constant`.
    public init(constant: Double = 0) {
        indices = []
        coefficients = []
        self.constant = constant
    }

    /// The expression `coefficient * variable`.
    public init(_ variable: Variable, coefficient: Double = 1) {
        indices = [variable.index]
        coefficients = [coefficient]
        constant = 0
    }

    /// An expression from explicit terms.
    public init(terms: [(Variable, Double)], constant: Double = 0) {
        indices = terms.map { $0.0.index }
        coefficients = terms.map { $0.1 }
        self.constant = constant
    }

    /// Adds `coefficient * variable` in place: the fast path for building long expressions.
    @inlinable public mutating func add(_ coefficient: Double, _ variable: Variable) {
        indices.append(variable.index)
        coefficients.append(coefficient)
    }

    /// Adds `scale * other` in place.
    public mutating func add(_ other: LinearExpression, scale: Double = 1) {
        indices.append(contentsOf: other.indices)
        if scale == 1 {
            coefficients.append(contentsOf: other.coefficients)
        } else {
            coefficients.append(contentsOf: other.coefficients.lazy.map { $0 * scale })
        }
        constant += scale * other.constant
    }

    /// The sum of variables, each with coefficient 1.
    public static func sum<S: Sequence>(_ variables: S) -> LinearExpression where S.Element == Variable {
        var e = LinearExpression()
        for v in variables { e.add(1, v) }
        return e
    }

    /// The value of the expression for the given column values.
    public func evaluate(_ values: [Double]) -> Double {
        var s = constant
        for (j, a) in zip(indices, coefficients) where j >= 0 && j < values.count { s += a * values[j] }
        return s
    }

    public var description: String {
        var parts = zip(coefficients, indices).map { "\($0) x\($1)" }
        if constant != 0 || parts.isEmpty { parts.append("\(constant)") }
        return parts.joined(separator: " + ")
    }
}

// MARK: - Operators

extension Variable {
    public static func + (l: Variable, r: Variable) -> LinearExpression { LinearExpression(terms: [(l, 1), (r, 1)]) }
    public static func - (l: Variable, r: Variable) -> LinearExpression { LinearExpression(terms: [(l, 1), (r, -1)]) }
    public static func * (l: Double, r: Variable) -> LinearExpression { LinearExpression(r, coefficient: l) }
    public static func * (l: Variable, r: Double) -> LinearExpression { LinearExpression(l, coefficient: r) }
    public static func + (l: Variable, r: Double) -> LinearExpression { LinearExpression(l) + r }
    public static func - (l: Variable, r: Double) -> LinearExpression { LinearExpression(l) - r }
    public static prefix func - (v: Variable) -> LinearExpression { LinearExpression(v, coefficient: -1) }
}

extension LinearExpression {
    public static func + (l: LinearExpression, r: LinearExpression) -> LinearExpression { var e = l; e.add(r); return e }
    public static func - (l: LinearExpression, r: LinearExpression) -> LinearExpression { var e = l; e.add(r, scale: -1); return e }
    public static func + (l: LinearExpression, r: Variable) -> LinearExpression { var e = l; e.add(1, r); return e }
    public static func - (l: LinearExpression, r: Variable) -> LinearExpression { var e = l; e.add(-1, r); return e }
    public static func + (l: Variable, r: LinearExpression) -> LinearExpression { var e = r; e.add(1, l); return e }
    public static func - (l: Variable, r: LinearExpression) -> LinearExpression { var e = LinearExpression(l); e.add(r, scale: -1); return e }
    public static func + (l: LinearExpression, r: Double) -> LinearExpression { var e = l; e.constant += r; return e }
    public static func - (l: LinearExpression, r: Double) -> LinearExpression { var e = l; e.constant -= r; return e }
    public static func + (l: Double, r: LinearExpression) -> LinearExpression { r + l }
    public static func * (l: Double, r: LinearExpression) -> LinearExpression { var e = LinearExpression(); e.add(r, scale: l); return e }
    public static func * (l: LinearExpression, r: Double) -> LinearExpression { r * l }
    public static prefix func - (e: LinearExpression) -> LinearExpression { -1 * e }
    public static func += (l: inout LinearExpression, r: LinearExpression) { l.add(r) }
    public static func += (l: inout LinearExpression, r: Variable) { l.add(1, r) }
    public static func -= (l: inout LinearExpression, r: LinearExpression) { l.add(r, scale: -1) }
    public static func -= (l: inout LinearExpression, r: Variable) { l.add(-1, r) }
}
