import ArgumentParser
import CommandLineExit
import DataIO
import Forecast
import Foundation
import Reports

/// `peergrid tune`: hyperparameter search for the neural forecasters, particle swarm against random search.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search lstm/cnn hyperparameters (window, width, learning rate, epochs) by particle swarm and by random search with the same budget.",
        discussion:
            "Each configuration trains once on the series without its last --validation-days days and is scored by its MAE on them. Both methods are seeded; the best configuration of each is printed (and written with every trial by --json)."
    )

    @OptionGroup var series: SeriesOptions

    @Option(help: "lstm or cnn.")
    var model = "lstm"

    @Option(help: "pso, random or both.")
    var method = "both"

    @Option(help: "Training runs per method.")
    var budget = 12

    @Option(name: .customLong("validation-days"), help: "Days at the end of the series that score a configuration.")
    var validationDays = 2

    @Option(name: .customLong("max-epochs"), help: "Largest number of epochs searched (the range is 5 to this, or 1 to this below 5).")
    var maxEpochs = 40

    @Option(help: "Seed of the search and of every training run.")
    var seed: UInt64 = 1

    @Option(help: "Write every trial and the best of each method as JSON to this file.")
    var json: String?

    func validate() throws {
        guard ["pso", "random", "both"].contains(method) else { throw ValidationError("--method must be pso, random or both, not \(method)") }
        guard ["lstm", "cnn"].contains(model) else { throw ValidationError("--model must be lstm or cnn, not \(model)") }
        guard budget >= 2, budget <= 500 else { throw ValidationError("--budget must be 2 to 500, not \(budget)") }
        guard maxEpochs >= 1, maxEpochs <= 1000 else { throw ValidationError("--max-epochs must be 1 to 1000, not \(maxEpochs)") }
        guard validationDays >= 1, validationDays <= 60 else { throw ValidationError("--validation-days must be 1 to 60, not \(validationDays)") }
    }

    func run() throws {
        let file = series.data ?? ""
        let s = try series.load()
        let search = HyperparameterSearch(
            model: model, space: .standard(periodsPerDay: s.periodsPerDay, maxEpochs: maxEpochs), budget: budget, validationDays: validationDays, seed: seed)
        if let p = search.problem(s) { throw CLIFailure("\(file): \(p)") }
        let methods: [HyperparameterSearch.Method] = method == "both" ? [.pso, .random] : [HyperparameterSearch.Method(rawValue: method)!]
        let progress = ProgressLine()
        var results: [(HyperparameterSearch.Method, [SearchTrial])] = []
        for m in methods {
            let trials = try inContext(file) {
                try search.run(m, on: s) { k, t in
                    progress.show("\(m.rawValue): training run \(k)/\(budget), validation MAE \(String(format: "%.4g", t.validationMAE))")
                }
            }
            progress.finish()
            results.append((m, trials))
        }
        print("\(model) on \(s.name): \(budget) training runs per method, scored on the last \(validationDays) day(s), seed \(seed)")
        for (m, trials) in results {
            print("\(m.rawValue):")
            var best = Double.infinity
            for (k, t) in trials.enumerated() {
                best = min(best, t.validationMAE)
                print(String(format: "  %3d  MAE %10.4g  best so far %10.4g  %6.1f s  ", k + 1, t.validationMAE, best, t.seconds) + t.configuration.description)
            }
        }
        for (m, trials) in results {
            if let b = trials.min(by: { $0.validationMAE < $1.validationMAE }) {
                print("best \(m.rawValue): MAE \(String(format: "%.4g", b.validationMAE)) with \(b.configuration)")
            }
        }
        if let json {
            func configuration(_ c: NeuralConfiguration) -> JSON {
                .object([
                    ("window", .integer(c.window)), ("width", .integer(c.width)), ("learning_rate", .number(c.learningRate)), ("epochs", .integer(c.epochs))
                ])
            }
            let object: JSON = .object([
                ("model", .string(model)), ("series", .string(s.name)), ("budget", .integer(budget)), ("validation_days", .integer(validationDays)),
                ("seed", .integer(Int(seed))),
                (
                    "methods",
                    .array(
                        results.map { m, trials in
                            let b = trials.min(by: { $0.validationMAE < $1.validationMAE })
                            return .object([
                                ("method", .string(m.rawValue)), ("best_mae", .number(b?.validationMAE ?? .nan)),
                                ("best", b.map { configuration($0.configuration) } ?? .null),
                                (
                                    "trials",
                                    .array(
                                        trials.map { t in
                                            .object([
                                                ("configuration", configuration(t.configuration)), ("mae", .number(t.validationMAE)),
                                                ("seconds", .number(t.seconds))
                                            ])
                                        })
                                )
                            ])
                        })
                )
            ])
            try writingOutput { try OutputFiles.write(object.serialized() + "\n", to: json) }
            print("wrote \(json)")
        }
    }
}
