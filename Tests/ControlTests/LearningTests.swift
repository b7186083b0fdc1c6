import DataIO
import Foundation
import Optimize
import Testing

@testable import Control

@Suite struct LearningTests {
    static let qSettings = TrainingSettings(episodes: 400, learningRate: 0.1, evaluateEvery: 100, seed: 7)
    static let dqnSettings = TrainingSettings(episodes: 12, learningRate: 1e-3, discount: 0.99, evaluateEvery: 4, seed: 7)
    static var smallNetwork: DQNPolicy.Network {
        var n = DQNPolicy.Network()
        n.hidden = [16]
        n.batchSize = 16
        n.warmUpSteps = 40
        n.targetSync = 30
        n.members = 2
        return n
    }

    /// The same seed gives the same Q table and network bit for bit; another seed gives others.
    @Test func theSameSeedGivesTheSamePolicy() throws {
        let data = try Households.make(seed: 11, days: 6)
        let days = Array(data.warmUpDays..<data.days)
        let a = try QLearningPolicy.train(data: data, days: days, settings: Self.qSettings)
        let b = try QLearningPolicy.train(data: data, days: days, settings: Self.qSettings)
        #expect(a.policy.table.map(\.bitPattern) == b.policy.table.map(\.bitPattern) && a.curve == b.curve)
        var other = Self.qSettings
        other.seed = 8
        #expect(try QLearningPolicy.train(data: data, days: days, settings: other).policy.table != a.policy.table)

        let d1 = try DQNPolicy.train(data: data, days: days, settings: Self.dqnSettings, network: Self.smallNetwork)
        let d2 = try DQNPolicy.train(data: data, days: days, settings: Self.dqnSettings, network: Self.smallNetwork)
        #expect(d1.policy.networks.count == 2)
        #expect(d1.policy.networks.map { $0.parameters.map { $0.map(\.bitPattern) } } == d2.policy.networks.map { $0.parameters.map { $0.map(\.bitPattern) } })
        #expect(d1.curve == d2.curve && d1.curve.kept != nil)
        // The members train on their own seeds, and the first is the one-network policy of the same seed.
        #expect(d1.policy.networks[0].parameters != d1.policy.networks[1].parameters)
        var one = Self.smallNetwork
        one.members = 1
        let single = try DQNPolicy.train(data: data, days: days, settings: Self.dqnSettings, network: one)
        #expect(single.policy.networks[0].parameters.map { $0.map(\.bitPattern) } == d1.policy.networks[0].parameters.map { $0.map(\.bitPattern) })
    }

    /// The learners score themselves playing each distinct day once (their days repeat when pooled with other
    /// homes'); the total is the full run's bit for bit, for the greedy Q table, a trained network and the rule.
    @Test func scoringDistinctDaysOnceGivesTheFullRunsCost() throws {
        let data = try Households.make(seed: 11, days: 6)
        let own = Array(data.warmUpDays..<data.days)
        let days = own + own.reversed() + own + [own[0], own[0]]
        var q = try QLearningPolicy.train(data: data, days: own, settings: Self.qSettings).policy
        var d = try DQNPolicy.train(data: data, days: own, settings: Self.dqnSettings, network: Self.smallNetwork).policy
        var rule = RuleBasedPolicy()
        #expect(
            try PolicyEvaluation.cost(ofStateless: &q, data: data, days: days).bitPattern == PolicyEvaluation.run(&q, data: data, days: days).cost.bitPattern)
        #expect(
            try PolicyEvaluation.cost(ofStateless: &d, data: data, days: days).bitPattern == PolicyEvaluation.run(&d, data: data, days: days).cost.bitPattern)
        #expect(
            try PolicyEvaluation.cost(ofStateless: &rule, data: data, days: days).bitPattern
                == PolicyEvaluation.run(&rule, data: data, days: days).cost.bitPattern)
    }

    /// A saved policy loaded again has the same parameters and pays the same on every day.
    @Test func aSavedPolicyLoadedAgainActsIdentically() throws {
        let data = try Households.make(seed: 12, days: 6)
        let days = Array(data.warmUpDays..<data.days)
        var q = try QLearningPolicy.train(data: data, days: days, settings: Self.qSettings).policy
        var d = try DQNPolicy.train(data: data, days: days, settings: Self.dqnSettings, network: Self.smallNetwork).policy
        let qFile = try PolicyFile(q, prosumer: data.prosumer, training: Self.qSettings, curve: LearningCurve()).encoded()
        let dFile = try PolicyFile(d, prosumer: data.prosumer, periodsPerDay: data.periodsPerDay, training: Self.dqnSettings, curve: LearningCurve()).encoded()
        var q2 = try PolicyFile.decode(qFile, file: "q.json").policy(for: data, file: "q.json")
        var d2 = try PolicyFile.decode(dFile, file: "d.json").policy(for: data, file: "d.json")
        #expect((q2 as? QLearningPolicy)?.table.map(\.bitPattern) == q.table.map(\.bitPattern))
        #expect(
            (d2 as? DQNPolicy)?.networks.map { $0.parameters.map { $0.map(\.bitPattern) } } == d.networks.map { $0.parameters.map { $0.map(\.bitPattern) } })
        let runs = [
            try PolicyEvaluation.run(&q, data: data, days: days), try PolicyEvaluation.run(&q2, data: data, days: days),
            try PolicyEvaluation.run(&d, data: data, days: days), try PolicyEvaluation.run(&d2, data: data, days: days)
        ]
        #expect(runs[0].dailyCost == runs[1].dailyCost && runs[2].dailyCost == runs[3].dailyCost)
        #expect(runs[0].netConsumption == runs[1].netConsumption && runs[2].netConsumption == runs[3].netConsumption)
    }

    /// Corrupt or mismatched policy files are refused with the file and what is wrong.
    @Test func corruptPolicyFilesAreRefused() throws {
        let data = try Households.make(seed: 13, days: 4)
        let q = QLearningPolicy(periodsPerDay: data.periodsPerDay, socBins: 3, batteryKW: data.battery.powerKW)
        let good = try PolicyFile(q, prosumer: "p", training: Self.qSettings, curve: LearningCurve()).encoded()
        let text = String(decoding: good, as: UTF8.self)
        func refused(_ bytes: String, _ fragment: String) {
            #expect(throws: ControlError.self) { try PolicyFile.decode(Data(bytes.utf8), file: "p.json") }
            do { _ = try PolicyFile.decode(Data(bytes.utf8), file: "p.json") } catch let e as ControlError {
                #expect(e.kind == .badInput)
                #expect(e.description.hasPrefix("p.json: ") && e.description.contains(fragment), "\(e.description)")
            } catch { Issue.record("\(error)") }
        }
        refused(String(text.prefix(text.count / 2)), "not a readable policy")
        refused("", "not a readable policy")
        refused(text.replacingOccurrences(of: "\"version\":2", with: "\"version\":9"), "version 9 is not supported (this build reads versions 1-2)")
        refused(text.replacingOccurrences(of: "\"kind\":\"qlearning\"", with: "\"kind\":\"sarsa\""), "kind 'sarsa'")
        refused(text.replacingOccurrences(of: "\"soc_bins\":3", with: "\"soc_bins\":4"), "table has")
        refused(text.replacingOccurrences(of: "\"table\":[0,", with: "\"table\":[\"x\","), "table")
        refused(text.replacingOccurrences(of: "\"format\":\"peergrid-rl-policy\",", with: ""), "missing field format")
        // A policy for another day length.
        var other = try PolicyFile.decode(good, file: "p.json")
        other.periodsPerDay = 48
        other.table = [Double](repeating: 0, count: 48 * 3 * 3 * 3 * 8)
        let wrongLength = try PolicyFile.decode(other.encoded(), file: "p.json")
        #expect(throws: ControlError.self) { try wrongLength.policy(for: data, file: "p.json") }
    }

    /// A version 1 DQN file (one network in `weights`, before ensembles) reads as an ensemble of one that acts as
    /// that network; a version 2 file's `members` must each have the header's shape.
    @Test func dqnFilesOfBothVersionsRead() throws {
        let data = try Households.make(seed: 15, days: 5)
        let days = Array(data.warmUpDays..<data.days)
        var shape = Self.smallNetwork
        shape.members = 1
        var d = try DQNPolicy.train(data: data, days: days, settings: Self.dqnSettings, network: shape).policy
        let file = PolicyFile(d, prosumer: data.prosumer, periodsPerDay: data.periodsPerDay, training: Self.dqnSettings, curve: LearningCurve())
        #expect(file.version == 2 && file.members?.count == 1 && file.weights == nil)
        var old = file
        old.version = 1
        old.weights = file.members![0]
        old.members = nil
        var loaded = try PolicyFile.decode(old.encoded(), file: "v1.json").policy(for: data, file: "v1.json")
        #expect((loaded as? DQNPolicy)?.networks.count == 1)
        #expect(try PolicyEvaluation.run(&loaded, data: data, days: days).dailyCost == PolicyEvaluation.run(&d, data: data, days: days).dailyCost)
        func refused(_ f: PolicyFile, _ fragment: String) throws {
            #expect { try PolicyFile.decode(f.encoded(), file: "p.json") } throws: { ($0 as? ControlError)?.description.contains(fragment) == true }
        }
        try refused(old.with { $0.weights = nil }, "weights must hold 1...100 networks")
        try refused(file.with { $0.members = [] }, "members must hold 1...100 networks")
        try refused(file.with { $0.members!.append(Array(file.members![0].dropLast())) }, "members[1] has sizes")
        let text = String(decoding: try file.encoded(), as: UTF8.self)
        let first = try #require(text.range(of: #"(?<="members":\[\[\[)[^,]+"#, options: .regularExpression))
        #expect(throws: ControlError.self) { try PolicyFile.decode(Data(text.replacingCharacters(in: first, with: "1e999").utf8), file: "p.json") }
    }

    /// n-step returns: each step's transition sums the next n rewards, discounted, and bootstraps with gamma^n
    /// from the state n steps later; at the day's end the rest complete at once, marked done.
    @Test func nStepReturnsSumAndBootstrap() {
        var r = NStepReturns(steps: 2, gamma: 0.5)
        let s = (0..<4).map { [Float($0)] }
        #expect(r.add(state: s[0], action: 0, reward: 1, next: s[1], done: false).isEmpty)
        let first = r.add(state: s[1], action: 1, reward: 2, next: s[2], done: false)
        #expect(first.count == 1 && first[0].state == s[0] && first[0].reward == 2 && first[0].next == s[2])
        #expect(first[0].discount == 0.25 && !first[0].done)
        let last = r.add(state: s[2], action: 2, reward: 4, next: s[3], done: true)
        #expect(last.map(\.state) == [s[1], s[2]] && last.map(\.reward) == [4, 4] && last.allSatisfy(\.done))
        var one = NStepReturns(steps: 1, gamma: 0.9)
        let t = one.add(state: s[0], action: 3, reward: 5, next: s[1], done: false)
        #expect(t.count == 1 && t[0].reward == 5 && t[0].discount == 0.9 && t[0].action == 3)
    }

    /// Options that cannot train are refused before any work.
    @Test func impossibleSettingsAreRefused() throws {
        let data = try Households.make(seed: 14, days: 4)
        for bad in [
            TrainingSettings(episodes: 0, learningRate: 0.1, evaluateEvery: 1), TrainingSettings(episodes: 5, learningRate: 0, evaluateEvery: 1),
            TrainingSettings(episodes: 5, learningRate: 0.1, discount: 1.5, evaluateEvery: 1),
            TrainingSettings(episodes: 5, learningRate: .nan, evaluateEvery: 1)
        ] {
            #expect(throws: ControlError.self) { try QLearningPolicy.train(data: data, days: [2, 3], settings: bad) }
        }
        #expect(throws: ControlError.self) { try data.split(testDays: 3) }  // 4 days, 2 of warm-up
        #expect(throws: ControlError.self) { try data.split(testDays: 0) }
        let (train, test) = try data.split(testDays: 1)
        #expect(train == [2] && test == [3])
    }
}

extension PolicyFile {
    /// A copy with `change` applied.
    func with(_ change: (inout PolicyFile) -> Void) -> PolicyFile {
        var copy = self
        change(&copy)
        return copy
    }
}
