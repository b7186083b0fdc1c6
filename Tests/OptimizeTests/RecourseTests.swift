import Foundation
import TestFixtures
import Testing
import DataIO
import GLPKSolver
import LinearProgramming
@testable import Optimize

/// ``CommunityScheduler/recourse(_:keeping:)``: a plan's storage and flexible-load decisions kept on other data.
@Suite struct RecourseTests {
    static func community() throws -> Community { try TestFixtures.exampleWithEV() }

    /// Kept on its own data, the plan costs what it cost. Kept on seeded other data (each load and PV value off by
    /// up to 40 %), it obeys every rule of the spec, holds the plan's battery powers and flexible power, and never
    /// costs less than the schedule optimized on that data.
    @Test(arguments: 1...8)
    func aKeptPlanObeysTheRulesAndCostsAtLeastTheOptimum(_ seed: UInt64) throws {
        let planned = try Self.community()
        let scheduler = CommunityScheduler(solver: GLPKSolver(), standalone: false)
        let plan = try scheduler.schedule(planned)
        #expect(plan.status == .optimal)
        let same = try scheduler.recourse(planned, keeping: plan)
        #expect(abs((same.objective ?? .nan) - plan.objective!) < 1e-6 * max(1, abs(plan.objective!)))

        var metered = planned
        var g = SeededGenerator(seed: seed)
        for i in metered.prosumers.indices {
            metered.prosumers[i].loadKW = metered.prosumers[i].loadKW.map { $0 * g.uniform(0.6, 1.4) }
            metered.prosumers[i].pvKW = metered.prosumers[i].pvKW.map { $0 * g.uniform(0.6, 1.4) }
        }
        let kept = try scheduler.recourse(metered, keeping: plan)
        let optimum = try scheduler.schedule(metered)
        #expect(kept.status == .optimal && optimum.status == .optimal)
        #expect(checkPhysics(metered, kept).isEmpty, "\(checkPhysics(metered, kept).prefix(3))")
        #expect(kept.objective! >= optimum.objective! - 1e-6 * max(1, abs(optimum.objective!)), "kept \(kept.objective!) optimum \(optimum.objective!)")
        for (a, b) in zip(kept.flows.joined(), plan.flows.joined()) {
            #expect(abs(a.batteryCharge - b.batteryCharge) < 1e-6 && abs(a.batteryDischarge - b.batteryDischarge) < 1e-6 && abs(a.flexible - b.flexible) < 1e-6)
        }
        #expect(kept.settlement != nil)
    }

    /// A plan that does not fit the day within the community's import limit is infeasible, not a crash; a plan of
    /// another community is refused.
    @Test func aPlanThatCannotBeKeptIsInfeasibleAndAForeignPlanRefused() throws {
        let planned = try Self.community()
        let scheduler = CommunityScheduler(solver: GLPKSolver(), standalone: false)
        let plan = try scheduler.schedule(planned)
        var heavier = planned
        for i in heavier.prosumers.indices { heavier.prosumers[i].loadKW = heavier.prosumers[i].loadKW.map { $0 * 3 + 5 } }
        #expect(try scheduler.recourse(heavier, keeping: plan).status == .infeasible)
        var fewer = planned
        fewer.prosumers.removeLast()
        #expect(throws: ModelError.self) { try scheduler.recourse(fewer, keeping: plan) }
    }
}
