import Foundation
import Optimize
import TestFixtures
import Testing

@testable import Control

/// ``TrainingDaysChoice`` (`rl train --also-train-on auto`): candidates fit before the judging days and judged on
/// them, the lower bill wins, a tie keeps the own days.
@Suite struct TrainingDaysChoiceTests {
    /// A policy that charges at full power until a period, then follows the net load: two settings give two bills.
    struct Scripted: BatteryPolicy {
        let name = "scripted"
        var chargeUntil: Int
        func act(_ o: Observation, _ env: BatteryEnvironment) throws -> Double {
            o.period < chargeUntil ? env.data.battery.powerKW : -o.netLoad
        }
    }

    /// What the candidates' `train` was called with, recorded from both threads (the candidates train at once).
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [(candidate: String, days: [Int], loads: Int)] = []
        func record(_ candidate: String, _ days: [Int], _ loads: Int) { lock.withLock { calls.append((candidate, days, loads)) } }
        /// The calls in candidate-name order ("own days" first), whichever thread came first.
        var all: [(candidate: String, days: [Int], loads: Int)] { lock.withLock { calls.sorted { $0.candidate < $1.candidate } } }
    }

    /// The judging days are the last 14 training days; the candidates train on the days before them only, and the
    /// pooled one on the other prosumers' days of those dates (never of the judging dates). The bills are the
    /// candidates' on the judging days, and the lower one wins.
    @Test func candidatesFitBeforeTheJudgingDaysAndTheCheaperWins() throws {
        let c = try PooledDaysTests.demo()
        let h09 = try HouseholdDays.read(community: c, prosumer: "h09")
        let train = try h09.split(testDays: 14).train
        // The two scripts' bills on the judging days, whichever is lower.
        var a = Scripted(chargeUntil: 0), b = Scripted(chargeUntil: 8)
        let judging = Array(train.suffix(14))
        let costs = [try PolicyEvaluation.run(&a, data: h09, days: judging).cost, try PolicyEvaluation.run(&b, data: h09, days: judging).cost]
        #expect(abs(costs[0] - costs[1]) > 1)
        let (good, bad) = costs[0] < costs[1] ? (a, b) : (b, a)
        let (goodCost, badCost) = (costs.min()!, costs.max()!)
        for pooledBetter in [true, false] {
            let calls = Calls()
            let choice = try TrainingDaysChoice.choose(data: h09, trainingDays: train, others: ["h02", "h05"], community: c) { d, days, candidate in
                calls.record(candidate, days, d.load.count)
                return (candidate == "with others") == pooledBetter ? good : bad
            }
            let seen = calls.all
            #expect(choice.validation == Array(train.suffix(14)) && choice.fit == Array(train.dropLast(14)))
            #expect(seen.map(\.candidate) == ["own days", "with others"])
            #expect(seen[0].days == choice.fit && seen[0].loads == h09.days)
            // Own fit days twice (half of the days played), then the two others' days of the fit dates.
            let fit = choice.fit.count
            #expect(Array(seen[1].days.prefix(2 * fit)) == choice.fit + choice.fit)
            #expect(seen[1].days.dropFirst(2 * fit) == ArraySlice(h09.days..<(h09.days + 2 * fit)) && seen[1].loads == h09.days + 2 * fit)
            #expect(choice.usesOthers == pooledBetter)
            #expect(abs((pooledBetter ? choice.pooledCost : choice.ownCost) - goodCost) < 1e-9)
            #expect(abs((pooledBetter ? choice.ownCost : choice.pooledCost) - badCost) < 1e-9)
        }
    }

    /// Equal bills keep the own days; with no other prosumer's day to add, the own candidate is not trained twice.
    @Test func aTieOrNothingToAddKeepsTheOwnDays() throws {
        let c = try PooledDaysTests.demo()
        var h09 = try HouseholdDays.read(community: c, prosumer: "h09")
        let train = try h09.split(testDays: 14).train
        let calls = Calls()
        let tie = try TrainingDaysChoice.choose(data: h09, trainingDays: train, others: ["h02"], community: c) { d, days, candidate in
            calls.record(candidate, days, d.load.count)
            return Scripted(chargeUntil: 0)
        }
        #expect(calls.all.count == 2 && tie.ownCost == tie.pooledCost && !tie.usesOthers)
        h09.connectionKW = 0.5  // no other home's days can be served
        let one = Calls()
        let none = try TrainingDaysChoice.choose(data: h09, trainingDays: train, others: ["h02"], community: c) { d, days, candidate in
            one.record(candidate, days, d.load.count)
            return RuleBasedPolicy()
        }
        #expect(one.all.map(\.candidate) == ["own days"] && !none.usesOthers && none.skipped.map(\.id) == ["h02"])
    }

    /// The candidates train at once; a candidate's failure is thrown, and when both fail the own days' failure (the
    /// first in order), whichever thread ends first.
    @Test func aCandidatesFailureIsThrownTheFirstInOrder() throws {
        let c = try PooledDaysTests.demo()
        let h09 = try HouseholdDays.read(community: c, prosumer: "h09")
        let train = try h09.split(testDays: 14).train
        for failing in [["with others"], ["own days", "with others"]] {
            #expect {
                _ = try TrainingDaysChoice.choose(data: h09, trainingDays: train, others: ["h02"], community: c) { _, _, candidate in
                    if failing.contains(candidate) { throw ControlError.invalidOption(name: candidate, detail: "failed") }
                    return RuleBasedPolicy()
                }
            } throws: { error in
                (error as? ControlError)?.description.contains(failing[0]) == true
            }
        }
    }

    /// Fewer than 28 training days (14 to fit, 14 to judge) is too little history, said as such.
    @Test func tooFewTrainingDaysAreRefused() throws {
        #expect(throws: ControlError.self) { try TrainingDaysChoice.split(trainingDays: Array(0..<27)) }
        do {
            _ = try TrainingDaysChoice.split(trainingDays: Array(0..<20))
        } catch let e as ControlError {
            #expect(e.description.contains("--also-train-on auto") && e.description.contains("need 28"), "\(e.description)")
        }
        let s = try TrainingDaysChoice.split(trainingDays: Array(5..<33))
        #expect(s.fit == Array(5..<19) && s.validation == Array(19..<33))
    }
}
