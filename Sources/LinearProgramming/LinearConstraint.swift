/// A linear constraint `lower <= expression <= upper` (either side may be infinite), produced by the comparison
/// operators (`x + y <= 4`, `2 * x >= y`, `x - y == 0`) or ``LinearConstraint/init(_:lower:upper:)`` for ranges.
/// The expression's constant is moved to the bounds when the constraint is added to a model.
public struct LinearConstraint: Sendable {
    public var expression: LinearExpression
    public var lower: Double
    public var upper: Double

    /// The ranged constraint `lower <= expression <= upper`.
    public init(_ expression: LinearExpression, lower: Double = -.infinity, upper: Double = .infinity) {
        self.expression = expression
        self.lower = lower
        self.upper = upper
    }
}

extension LinearExpression {
    public static func <= (l: LinearExpression, r: Double) -> LinearConstraint { LinearConstraint(l, upper: r) }
    public static func >= (l: LinearExpression, r: Double) -> LinearConstraint { LinearConstraint(l, lower: r) }
    public static func == (l: LinearExpression, r: Double) -> LinearConstraint { LinearConstraint(l, lower: r, upper: r) }
    public static func <= (l: LinearExpression, r: LinearExpression) -> LinearConstraint { l - r <= 0 }
    public static func >= (l: LinearExpression, r: LinearExpression) -> LinearConstraint { l - r >= 0 }
    public static func == (l: LinearExpression, r: LinearExpression) -> LinearConstraint { l - r == 0 }
    public static func <= (l: LinearExpression, r: Variable) -> LinearConstraint { l - r <= 0 }
    public static func >= (l: LinearExpression, r: Variable) -> LinearConstraint { l - r >= 0 }
    public static func == (l: LinearExpression, r: Variable) -> LinearConstraint { l - r == 0 }
}

extension Variable {
    public static func <= (l: Variable, r: Double) -> LinearConstraint { LinearExpression(l) <= r }
    public static func >= (l: Variable, r: Double) -> LinearConstraint { LinearExpression(l) >= r }
    public static func == (l: Variable, r: Double) -> LinearConstraint { LinearExpression(l) == r }
    public static func <= (l: Variable, r: LinearExpression) -> LinearConstraint { LinearExpression(l) - r <= 0 }
    public static func >= (l: Variable, r: LinearExpression) -> LinearConstraint { LinearExpression(l) - r >= 0 }
}
