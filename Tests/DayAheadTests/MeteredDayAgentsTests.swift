import Agents
import DataIO
import GLPKSolver
import Optimize
import TestFixtures
import Testing

@testable import DayAhead

/// The metered-day check of `day-ahead --method agents` (``MeteredDayHold``): the plan's home decisions folded
/// into each home's load and PV, cleared by the agents, cost what the central recourse
/// (``CommunityScheduler/recourse(_:keeping:)``) gives for the same plan on the same metered day.
@Suite struct MeteredDayAgentsTests {
    static func community() throws -> Community { try TestFixtures.exampleWithEV() }

    /// On its own data and on seeded metered days (each load and PV value off by up to 40 %), the agents' kept cost
    /// is the central recourse's within the clearing's tolerance, and no held battery energy is curtailed.
    @Test(arguments: 0...6)
    func theAgentsKeepAPlanAtTheCentralRecourseCost(_ seed: UInt64) throws {
        let planned = try Self.community()
        let scheduler = CommunityScheduler(solver: GLPKSolver(), standalone: false)
        let plan = try scheduler.schedule(planned)
        var metered = planned
        var g = SeededGenerator(seed: seed)
        if seed > 0 {
            for i in metered.prosumers.indices {
                metered.prosumers[i].loadKW = metered.prosumers[i].loadKW.map { $0 * g.uniform(0.6, 1.4) }
                metered.prosumers[i].pvKW = metered.prosumers[i].pvKW.map { $0 * g.uniform(0.6, 1.4) }
            }
        }
        let central = try scheduler.recourse(metered, keeping: plan)
        let hold = MeteredDayHold(metered, keeping: plan)
        #expect(hold.community.prosumers.allSatisfy { $0.battery == nil && $0.flexibleLoads.isEmpty })
        #expect(hold.heldCost > 0)
        let kept = try DecentralizedClearing(community: hold.community).run().schedule
        #expect(central.status == .optimal && kept.status.hasSolution)
        #expect(!hold.wastesHeldEnergy(kept))
        let agents = kept.objective! + hold.heldCost, reference = central.objective!
        #expect(abs(agents - reference) <= 3e-4 * max(1, abs(reference)), "agents \(agents), central \(reference)")
    }

    /// A kept dispatch that curtails more than a home's metered PV (so some held battery energy was wasted) is
    /// recognized; one within the PV is not.
    @Test func curtailingMoreThanThePVIsRecognized() throws {
        let planned = try Self.community()
        let plan = try CommunityScheduler(solver: GLPKSolver(), standalone: false).schedule(planned)
        let hold = MeteredDayHold(planned, keeping: plan)
        var kept = plan
        #expect(!hold.wastesHeldEnergy(kept))
        let i = try #require(planned.prosumers.firstIndex { $0.pvKW.contains { $0 > 0 } })
        let t = try #require(planned.prosumers[i].pvKW.firstIndex { $0 > 0 })
        kept.flows[i][t].curtail = planned.prosumers[i].pvKW[t]
        #expect(!hold.wastesHeldEnergy(kept))
        kept.flows[i][t].curtail += 0.01
        #expect(hold.wastesHeldEnergy(kept))
    }
}
