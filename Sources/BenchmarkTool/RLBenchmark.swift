import ArgumentParser
import Control
import DataIO
import Foundation
import LinearAlgebra
import Optimize
import Reports

/// Reinforcement-learning battery managers against the optimizer's references, per prosumer, on held-out days:
/// Q-learning and the DQN are trained on the days before the last `--test-days` and never see them.
struct RLBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Q-learning, DQN, rule-based and MPC battery control against the perfect-foresight MILP on held-out days (CityLearn KPIs).")

    @Option(help: "Directory for the reports.")
    var out = "Reports/benchmarks"

    @Option(help: "The community file whose prosumers' CSV series give the days.")
    var community = "Datasets/demo/community.json"

    @Option(help: "Prosumers (each needs a battery).")
    var prosumers = ["h03", "h05", "h09", "h02", "h07"]

    @Option(help: "Held-out days at the end of the series.")
    var testDays = 14

    @Option(help: "Q-learning episodes.")
    var qEpisodes = TrainingSettings.qLearning.episodes

    @Option(help: "DQN episodes.")
    var dqnEpisodes = DQNPolicy.defaultSettings.episodes

    @Option(help: "Networks in the DQN's ensemble, each trained on its own seed (as `rl train --members`).")
    var dqnMembers = DQNPolicy.Network().members

    @Option(help: "Seed of both learners.")
    var seed: UInt64 = 1

    @Option(help: "Other prosumers' days the learners also train on, as `rl train --also-train-on`: auto, all, none or ids.")
    var alsoTrainOn = "auto"

    func validate() throws {
        guard (1...DQNPolicy.maximumMembers).contains(dqnMembers) else {
            throw ValidationError("--dqn-members must be in 1...\(DQNPolicy.maximumMembers), got \(dqnMembers)")
        }
        guard OtherProsumersDays(alsoTrainOn) != nil else {
            throw ValidationError("--also-train-on takes 'auto', 'all', 'none' or prosumer ids separated by commas, got '\(alsoTrainOn)'")
        }
    }

    @Option(help: "OpenBLAS threads (the DQN's gemm).")
    var blasThreads = 1

    struct Row {
        var comparison: ControlComparison
        var trainDays: [String]
        var trainBaseline: Double
        var qSeconds: Double, dqnSeconds: Double, evaluationSeconds: Double
        var qCurve: LearningCurve, dqnCurve: LearningCurve
        /// Each learner's days: `own days` or `with others` (and, with `auto`, the candidates' bills a day).
        var qDays: String, dqnDays: String
        /// The no-battery mean daily bill over the days each learner played (its learning curve's scale).
        var qBaseline: Double, dqnBaseline: Double
    }

    func run() throws {
        BLASThreads.set(blasThreads)
        #if DEBUG
            FileHandle.standardError.write(Data("warning: this is a debug build; measure with `swift build -c release` (make bench)\n".utf8))
        #endif
        let parsed = try CommunityFile.read(community)
        var rows: [Row] = []
        for id in prosumers {
            let data = try HouseholdDays.read(community: parsed, prosumer: id, loadForecaster: "seasonal-mean", pvForecaster: "seasonal-naive-day")
            let split = try data.split(testDays: testDays)
            var qs = TrainingSettings.qLearning
            qs.episodes = qEpisodes
            qs.evaluateEvery = max(1, qEpisodes / 40)
            qs.seed = seed
            var ds = DQNPolicy.defaultSettings
            ds.episodes = dqnEpisodes
            ds.evaluateEvery = max(1, dqnEpisodes / 40)
            ds.seed = seed
            print("\(id): \(split.train.count) training days, \(split.test.count) held-out days")
            let mode = OtherProsumersDays(alsoTrainOn) ?? .auto
            var clock = Stopwatch()
            let qSettings = qs
            let qPlay = try data.learnerDays(mode, community: parsed, trainingDays: split.train) { d, days, _ in
                try QLearningPolicy.train(data: d, days: days, settings: qSettings).policy
            }
            let (q, qCurve) = try QLearningPolicy.train(data: qPlay.data, days: qPlay.days, settings: qs)
            let qSeconds = clock.seconds
            print(String(format: "  qlearning: %d episodes in %.1f s, %@", qEpisodes, qSeconds, Self.describe(qPlay) as NSString))
            clock = Stopwatch()
            var shape = DQNPolicy.Network()
            shape.members = dqnMembers
            let (dSettings, dShape) = (ds, shape)
            let dPlay = try data.learnerDays(mode, community: parsed, trainingDays: split.train) { d, days, _ in
                try DQNPolicy.train(data: d, days: days, settings: dSettings, network: dShape).policy
            }
            let (d, dqnCurve) = try DQNPolicy.train(data: dPlay.data, days: dPlay.days, settings: ds, network: shape)
            let dqnSeconds = clock.seconds
            print(String(format: "  dqn: %d episodes x %d network(s) in %.1f s, %@", dqnEpisodes, dqnMembers, dqnSeconds, Self.describe(dPlay) as NSString))
            clock = Stopwatch()
            let c = try ControlComparison.evaluate(data: data, days: split.test, policies: [q, d])
            let evaluationSeconds = clock.seconds
            let trainBaseline = try PolicyEvaluation.baseline(data: data, days: split.train).cost / Double(split.train.count)
            for s in c.scores {
                print(
                    "  " + s.name.padding(toLength: max(18, s.name.count), withPad: " ", startingAt: 0)
                        + String(format: " cost %9.4f  share of optimal savings %.3f", s.run.cost, s.kpis.shareOfOptimalSavings))
            }
            rows.append(
                Row(
                    comparison: c, trainDays: [data.label(split.train.first!), data.label(split.train.last!)], trainBaseline: trainBaseline,
                    qSeconds: qSeconds, dqnSeconds: dqnSeconds, evaluationSeconds: evaluationSeconds, qCurve: qCurve, dqnCurve: dqnCurve,
                    qDays: Self.describe(qPlay), dqnDays: Self.describe(dPlay),
                    qBaseline: try PolicyEvaluation.baseline(data: qPlay.data, days: qPlay.days).cost / Double(qPlay.days.count),
                    dqnBaseline: try PolicyEvaluation.baseline(data: dPlay.data, days: dPlay.days).cost / Double(dPlay.days.count)))
        }
        try write(rows)
    }

    /// What `--also-train-on` did, for the report's header.
    static func modeText(_ mode: String) -> String {
        switch OtherProsumersDays(mode) ?? .auto {
        case .auto:
            return
                "each learner also trained on the other prosumers' days of the same dates when two candidates, trained on the days before the last 14 training days, said so on those 14 (each prosumer's section says which it did)."
        case .none: return "the learners trained on each prosumer's own days only."
        case .all: return "the learners also trained on every other prosumer's days of the same dates."
        case let .only(ids): return "the learners also trained on the days of \(ids.joined(separator: ", ")) of the same dates."
        }
    }

    /// Which days a learner trained on, and with `auto` the two candidates' bills a day on the judging days.
    static func describe(_ p: LearnerDays) -> String {
        let days = p.added > 0 ? "with \(p.added) days of other prosumers" : "own days"
        if let c = p.choice {
            let n = Double(c.validation.count)
            return days
                + String(
                    format: " (auto: own days %.4f, with others %.4f a day on the last %d training days)", c.ownCost / n, c.pooledCost / n, c.validation.count)
        }
        return days + (p.note.map { " (auto: \($0))" } ?? "")
    }

    func share(_ r: Row, _ name: String) -> Double { r.comparison.scores.first { $0.name == name }?.kpis.shareOfOptimalSavings ?? .nan }

    func write(_ rows: [Row]) throws {
        func f(_ x: Double, _ format: String = "%.3f") -> String { x.isFinite ? String(format: format, x) : "-" }
        var md = """
            # Reinforcement-learning battery control against the MILP optimum

            Generated by `.build/release/benchmark rl` on \(MachineInfo.describe()), OpenBLAS threads \(blasThreads), seed \(seed).
            Community `\(community)` (its tariff repeats daily; the households' load and PV are the demo's derived series,
            Datasets/README.md). Each prosumer's last \(testDays) days are held out: the learners train on the days before
            them (after a 7-day forecaster warm-up) and never see them. `--also-train-on \(alsoTrainOn)`: \(Self.modeText(alsoTrainOn))
            Forecasts (the learners' state): load
            `seasonal-mean` (4 weeks, same time of week), PV `seasonal-naive-day`, made before each day from the days
            before it. MPC plans over the last 28 days' PV, each paired with the load of the nearest day of the same type
            (weekday or weekend), as scenarios weighted by closeness to the day so far (`rl evaluate`'s default). The EVs of h02 and h07 run from their earliest period (not controlled); nothing was tuned on h02 or h07.

            share = (no-battery cost - policy cost) / (no-battery cost - perfect-foresight cost): the part of the
            perfect-foresight savings a policy recovers. KPIs are CityLearn's, as ratios to the no-battery case (lower is better).


            """
        var checks: [(String, Bool)] = []
        for r in rows {
            let c = r.comparison
            md += "## \(c.prosumer): held-out \(c.dayLabels.first ?? "") .. \(c.dayLabels.last ?? "") (trained on \(r.trainDays[0]) .. \(r.trainDays[1]))\n\n"
            md +=
                "| policy | cost | share of optimal savings | cost | daily peak | all-time peak | ramping | 1 - load factor |\n|---|---|---|---|---|---|---|---|\n"
            md += "| no battery | \(f(c.baseline.cost, "%.4f")) | 0 | 1 | 1 | 1 | 1 | 1 |\n"
            for s in c.scores {
                let k = s.kpis
                md +=
                    "| \(s.name) | \(f(s.run.cost, "%.4f")) | \(f(k.shareOfOptimalSavings)) | \(f(k.cost)) | \(f(k.dailyPeak)) | \(f(k.allTimePeak)) | \(f(k.ramping)) | \(f(k.oneMinusLoadFactor)) |\n"
            }
            let each = dqnMembers > 1 ? " for each of \(dqnMembers) networks" : ""
            md += String(
                format:
                    "\nTraining: Q-learning %d episodes in %.1f s, %@; DQN %d episodes\(each) in %.1f s, %@; evaluation of all policies %.1f s. Days where a policy paid less than the optimum: %d.\n\n",
                qEpisodes, r.qSeconds, r.qDays as NSString, dqnEpisodes, r.dqnSeconds, r.dqnDays as NSString, r.evaluationSeconds, c.belowOptimum.count)
            checks.append(("\(c.prosumer): DQN recovers \(f(share(r, "dqn"))) of the perfect-foresight savings (goal 0.85)", share(r, "dqn") >= 0.85))
            checks.append(("\(c.prosumer): Q-learning \(f(share(r, "qlearning"))) (goal 0.70)", share(r, "qlearning") >= 0.70))
            checks.append(("\(c.prosumer): MPC \(f(share(r, "mpc"))) (goal 0.90)", share(r, "mpc") >= 0.90))
            checks.append(("\(c.prosumer): no policy below the optimum on any day", c.belowOptimum.isEmpty))
        }
        md += "## Checks (this run)\n\n"
        for (text, ok) in checks { md += "- \(ok ? "yes" : "NO"): \(text)\n" }
        md += "\n![Cost by policy](rl-cost.svg)\n\n![Learning curves](rl-learning.svg)\n"
        let learning = learningChart(rows)
        let json = summary(rows, checks: checks)
        try OutputFiles.writeAll(
            [
                ("rl.md", md), ("rl.json", json.serialized() + "\n"), ("rl-cost.svg", ControlReport.costChart(rows.map(\.comparison))),
                ("rl-learning.svg", learning)
            ], into: out)
        print("wrote \(out)/rl.md and rl.json")
    }

    /// Learning curves: the greedy policy's bill on the days it played (with `auto` or `all` also other prosumers' days) relative to no battery on those days, at 40 points.
    func learningChart(_ rows: [Row]) -> String {
        let points = rows.first.map { min($0.qCurve.episodes.count, $0.dqnCurve.episodes.count) } ?? 0
        var series: [ChartSeries] = []
        for (k, r) in rows.enumerated() {
            let color = SVGChart.palette[k % SVGChart.palette.count]
            series.append(ChartSeries("\(r.comparison.prosumer) DQN", r.dqnCurve.meanDailyCost.prefix(points).map { $0 / r.dqnBaseline }, color: color))
            series.append(
                ChartSeries("\(r.comparison.prosumer) Q", r.qCurve.meanDailyCost.prefix(points).map { $0 / r.qBaseline }, color: color, dashed: true))
        }
        return SVGChart.line(
            title: "Learning curves: greedy policy's bill on the days played / no battery",
            xLabels: (1...max(1, points)).map { "\(100 * $0 / max(1, points))%" },
            series: series, yLabel: "bill / no-battery bill")
    }

    /// The JSON twin of rl.md: per prosumer the comparison, training times and learning curves; the checks.
    func summary(_ rows: [Row], checks: [(String, Bool)]) -> JSON {
        .object([
            ("machine", .string(MachineInfo.describe())), ("seed", .integer(Int(seed))), ("test_days", .integer(testDays)),
            ("q_episodes", .integer(qEpisodes)), ("dqn_episodes", .integer(dqnEpisodes)), ("dqn_members", .integer(dqnMembers)),
            ("also_train_on", .string(alsoTrainOn)),
            (
                "prosumers",
                .array(
                    rows.map { r in
                        ControlReport.json(
                            r.comparison,
                            extra: [
                                ("training_seconds", .object([("qlearning", .number(r.qSeconds)), ("dqn", .number(r.dqnSeconds))])),
                                ("training_days", .object([("qlearning", .string(r.qDays)), ("dqn", .string(r.dqnDays))])),
                                ("evaluation_seconds", .number(r.evaluationSeconds)),
                                (
                                    "learning_curves",
                                    .object([
                                        ("training_no_battery_mean_daily_cost", .number(r.trainBaseline)),
                                        (
                                            "qlearning",
                                            .object([
                                                ("days_played_no_battery_mean_daily_cost", .number(r.qBaseline)),
                                                ("episodes", .array(r.qCurve.episodes.map { .integer($0) })),
                                                ("mean_daily_cost", .array(r.qCurve.meanDailyCost.map { .number($0) }))
                                            ])
                                        ),
                                        (
                                            "dqn",
                                            .object([
                                                ("days_played_no_battery_mean_daily_cost", .number(r.dqnBaseline)),
                                                ("episodes", .array(r.dqnCurve.episodes.map { .integer($0) })),
                                                ("mean_daily_cost", .array(r.dqnCurve.meanDailyCost.map { .number($0) }))
                                            ])
                                        )
                                    ])
                                )
                            ])
                    })
            ),
            ("checks", .array(checks.map { .object([("check", .string($0.0)), ("passed", .bool($0.1))]) }))
        ])
    }
}
