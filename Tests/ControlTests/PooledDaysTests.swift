import Foundation
import Optimize
import TestFixtures
import Testing

@testable import Control

/// ``HouseholdDays/addingTrainingDays(of:community:trainingDays:progress:)``: other prosumers' training days, played
/// with this prosumer's battery.
@Suite struct PooledDaysTests {
    static func demo() throws -> Community {
        try CommunityFile.read(TestFixtures.packageRoot.appendingPathComponent("Datasets/demo/community.json").path)
    }

    /// Each other prosumer's days on the training dates are appended, as its own reader gives them (load with its
    /// flexible loads, PV, both forecasts); the prosumer's own days and its held-out days are untouched, and its own
    /// training days are repeated to be half of the days played.
    @Test func otherProsumersTrainingDatesAreAppended() throws {
        let c = try Self.demo()
        let h09 = try HouseholdDays.read(community: c, prosumer: "h09")
        let split = try h09.split(testDays: 14)
        let pooled = try h09.addingTrainingDays(of: ["h09", "h02", "h01"], community: c, trainingDays: split.train)
        #expect(pooled.skipped.isEmpty && pooled.added == 2 * split.train.count)
        // Its own days twice (half of the days played), then the others'.
        #expect(Array(pooled.trainingDays.prefix(2 * split.train.count)) == split.train + split.train)
        #expect(pooled.trainingDays.dropFirst(2 * split.train.count) == ArraySlice(h09.days..<(h09.days + 2 * split.train.count)))
        #expect(Array(pooled.data.load.prefix(h09.days)) == h09.load && Array(pooled.data.forecastPV.prefix(h09.days)) == h09.forecastPV)
        let h02 = try HouseholdDays.read(community: c, prosumer: "h02")
        #expect(h02.first == h09.first)
        for (k, d) in split.train.enumerated() {
            let appended = h09.days + k
            #expect(pooled.data.load[appended] == h02.load[d] && pooled.data.pv[appended] == h02.pv[d])
            #expect(pooled.data.forecastLoad[appended] == h02.forecastLoad[d] && pooled.data.forecastPV[appended] == h02.forecastPV[d])
        }
        #expect(pooled.data.battery.powerKW == h09.battery.powerKW && pooled.data.prosumer == "h09")
    }

    /// An unknown prosumer throws; one whose days this battery and connection cannot serve is left out, with why.
    @Test func anUnknownProsumerThrowsAndAnUnservableOneIsLeftOut() throws {
        let c = try Self.demo()
        var h09 = try HouseholdDays.read(community: c, prosumer: "h09")
        let split = try h09.split(testDays: 14)
        #expect(throws: ControlError.self) { try h09.addingTrainingDays(of: ["h99"], community: c, trainingDays: split.train) }
        h09.connectionKW = 0.5
        let pooled = try h09.addingTrainingDays(of: ["h02"], community: c, trainingDays: split.train)
        #expect(pooled.trainingDays == split.train && pooled.added == 0 && pooled.skipped.map(\.id) == ["h02"])
        #expect(pooled.skipped.first?.reason.contains("draw limit") == true, "\(pooled.skipped)")
    }
}
