import Foundation
import GLPKSolver
import LinearProgramming
@testable import Market
import Optimize
import Testing
import TestFixtures

/// The pool bills' central schedule under `poolTimeLimit`.
struct PoolBillsTests {
    /// The limit reaches the central schedule's searches; a schedule stopped there still gives the bills, and says
    /// it is not proven; a proven one says nothing.
    @Test func aStoppedCentralScheduleGivesBillsAndSaysSo() throws {
        let c = try TestFixtures.exampleWithEV()
        let holding = StoppedHoldingSolver(boundBelow: 0.01)
        var settlement = MarketSettlement(solver: holding)
        settlement.poolTimeLimit = 7
        let stopped = try settlement.poolBills(c)
        #expect(stopped.missing == nil && stopped.bills.count == c.prosumers.count)
        #expect(stopped.unproven?.hasPrefix("the central schedule stopped at the time limit at gap") == true, "\(stopped.unproven ?? "nil")")
        #expect(!holding.limits.isEmpty && holding.limits.allSatisfy { ($0 ?? .infinity) <= 7 }, "\(holding.limits)")
        let proven = try MarketSettlement(solver: GLPKSolver()).poolBills(c)
        // (The bills themselves may differ: equally cheap schedules split the cost differently.)
        #expect(proven.unproven == nil && proven.missing == nil && Set(proven.bills.keys) == Set(stopped.bills.keys))
    }
}
