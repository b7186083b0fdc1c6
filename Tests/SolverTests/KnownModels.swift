import Testing
import LinearProgramming

/// Small models with known optima, covering the cases the foundation issue names.
struct KnownModel: Sendable, CustomTestStringConvertible {
    let name: String
    let model: Model
    let status: SolutionStatus
    let objective: Double?
    var testDescription: String { name }

    static let all: [KnownModel] = [
        lp, degenerateLP, knapsack, assignment, generalIntegers, freeVariables,
        rangedRows, equalityOnly, maximizationWithConstant, infeasibleLP, unboundedLP,
        infeasibleMILP, unboundedMILP, boundedIntegerNegative
    ]

    static var lp: KnownModel {
        var m = Model(name: "lp")
        let x = m.addVariable(name: "x"), y = m.addVariable(name: "y")
        m.add(x + y <= 4, name: "c1")
        m.add(x + 3 * y <= 9, name: "c2")
        m.add(x <= 3, name: "c3")
        m.setObjective(3 * x + 2 * y, sense: .maximize)
        return KnownModel(name: "lp", model: m, status: .optimal, objective: 11)
    }

    static var degenerateLP: KnownModel {
        var m = Model(name: "degenerate")
        let x = m.addVariable(), y = m.addVariable()
        m.add(x + y <= 1)
        m.add(x - y <= 1)
        m.add(-x + y <= 1)
        m.add(2 * x + 2 * y <= 2)  // the same facet again: degenerate vertices
        m.add(x <= 1)
        m.setObjective(x + y, sense: .maximize)
        return KnownModel(name: "degenerate LP", model: m, status: .optimal, objective: 1)
    }

    static var knapsack: KnownModel {
        var m = Model(name: "knapsack")
        let items = m.addVariables(4, kind: .binary)
        let value: [Double] = [10, 13, 7, 8], weight: [Double] = [3, 4, 2, 3]
        var w = LinearExpression(), v = LinearExpression()
        for k in 0..<4 { w.add(weight[k], items[k]); v.add(value[k], items[k]) }
        m.add(w <= 7)
        m.setObjective(v, sense: .maximize)
        return KnownModel(name: "knapsack", model: m, status: .optimal, objective: 23)
    }

    static var assignment: KnownModel {
        var m = Model(name: "assignment")
        let cost: [[Double]] = [[4, 1, 3], [2, 0, 5], [3, 2, 2]]
        let x = (0..<3).map { _ in m.addVariables(3, kind: .binary) }
        var obj = LinearExpression()
        for i in 0..<3 {
            m.add(LinearExpression.sum(x[i]) == 1)
            m.add(LinearExpression.sum((0..<3).map { x[$0][i] }) == 1)
            for j in 0..<3 { obj.add(cost[i][j], x[i][j]) }
        }
        m.setObjective(obj, sense: .minimize)
        return KnownModel(name: "assignment", model: m, status: .optimal, objective: 5)
    }

    static var generalIntegers: KnownModel {
        var m = Model(name: "integers")
        let x = m.addVariable(upper: 10, kind: .integer), y = m.addVariable(upper: 10, kind: .integer)
        m.add(x + y >= 3.5)
        m.add(x - y <= 0.5)
        m.setObjective(3 * x + 2 * y, sense: .minimize)
        return KnownModel(name: "general integers", model: m, status: .optimal, objective: 8)
    }

    static var freeVariables: KnownModel {
        var m = Model(name: "free")
        let x = m.addVariable(lower: -.infinity, upper: .infinity), y = m.addVariable(lower: -.infinity, upper: .infinity)
        m.add(x + y >= -5)
        m.add(x - y == 1)
        m.setObjective(x + y, sense: .minimize)
        return KnownModel(name: "free variables", model: m, status: .optimal, objective: -5)
    }

    static var rangedRows: KnownModel {
        var m = Model(name: "ranged")
        let x = m.addVariable(), y = m.addVariable(lower: 1, upper: 2)
        m.add(LinearConstraint(x + y, lower: 2, upper: 6), name: "range")
        m.add(LinearConstraint(x - y, lower: -1, upper: 3))
        m.setObjective(x - 0.5 * y, sense: .maximize)
        return KnownModel(name: "ranged rows", model: m, status: .optimal, objective: 3.75)  // x = 4.5, y = 1.5
    }

    static var equalityOnly: KnownModel {
        var m = Model(name: "equality")
        let x = m.addVariable(), y = m.addVariable(), z = m.addVariable()
        m.add(x + y + z == 6)
        m.add(x - y == 0)
        m.setObjective(x + 2 * y + 3 * z, sense: .minimize)
        return KnownModel(name: "equality only", model: m, status: .optimal, objective: 9)
    }

    static var maximizationWithConstant: KnownModel {
        var m = Model(name: "max")
        let x = m.addVariable(), y = m.addVariable()
        m.add(6 * x + 4 * y <= 24)
        m.add(x + 2 * y <= 6)
        m.setObjective(5 * x + 4 * y + 10, sense: .maximize)
        return KnownModel(name: "maximization with constant", model: m, status: .optimal, objective: 31)
    }

    static var infeasibleLP: KnownModel {
        var m = Model(name: "infeasible")
        let x = m.addVariable(), y = m.addVariable()
        m.add(x + y >= 5)
        m.add(x + y <= 3)
        m.setObjective(LinearExpression(x), sense: .minimize)
        return KnownModel(name: "infeasible LP", model: m, status: .infeasible, objective: nil)
    }

    static var unboundedLP: KnownModel {
        var m = Model(name: "unbounded")
        let x = m.addVariable(), y = m.addVariable()
        m.add(x - y <= 1)
        m.setObjective(x + y, sense: .maximize)
        return KnownModel(name: "unbounded LP", model: m, status: .unbounded, objective: nil)
    }

    static var infeasibleMILP: KnownModel {
        var m = Model(name: "infeasible-milp")
        let x = m.addVariable(upper: 10, kind: .integer)
        m.add(2 * x == 3)
        m.setObjective(LinearExpression(x), sense: .minimize)
        return KnownModel(name: "infeasible MILP", model: m, status: .infeasible, objective: nil)
    }

    static var unboundedMILP: KnownModel {
        var m = Model(name: "unbounded-milp")
        let x = m.addVariable(kind: .integer), y = m.addVariable()
        m.add(x - 2 * y <= 1)
        m.setObjective(LinearExpression(x), sense: .maximize)
        return KnownModel(name: "unbounded MILP", model: m, status: .unbounded, objective: nil)
    }

    static var boundedIntegerNegative: KnownModel {
        var m = Model(name: "negative-integers")
        let x = m.addVariable(lower: -7.5, upper: 3, kind: .integer), y = m.addVariable(lower: -2, upper: 2)
        m.add(x + y >= -8.2)
        m.setObjective(x + 0.1 * y, sense: .minimize)
        return KnownModel(name: "negative integer bounds", model: m, status: .optimal, objective: -7.12)  // x = -7, y = -1.2
    }
}
