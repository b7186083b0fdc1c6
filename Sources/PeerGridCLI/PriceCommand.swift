import DataIO
import ArgumentParser
import CommandLineExit
import Foundation
import Ledger
import LinearProgramming
import Optimize
import Reports

extension PricingSettings.Mode: ExpressibleByArgument {}

/// `peergrid price`: Stackelberg shared-storage pricing (spec/pricing.md).
struct PriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price",
        abstract: "Price the shared storage's service: the operator's profit-maximizing prices (spec/pricing.md).",
        discussion:
            "Solves the bilevel game exactly (a MILP over the prosumers' KKT conditions), then checks the answer by solving every prosumer again at the prices found. Writes prices.csv and pricing.json to --out. Exit codes: 0 solved, 2 bad input, 3 infeasible, 4 solver error or time limit without a solution."
    )

    @Option(help: "The community file (JSON) with shared_storage and a pricing section.")
    var community: String

    @Option(help: "uniform or personalized (default: the file's pricing.mode).")
    var mode: PricingSettings.Mode?

    @OptionGroup var solverOptions: SolverOptionGroup

    @Option(help: "Output directory for prices.csv and pricing.json.")
    var out: String = "."

    @Option(
        help: ArgumentHelp(
            "Also write the MILP as solved (with its cuts and weights) to this .mps or .lp file.",
            discussion: "Personalized mode writes one file per prosumer, its id before the extension."))
    var export: String?

    @Option(
        help: ArgumentHelp(
            "Evaluate these prices (a prices.csv) instead of optimizing them.",
            discussion:
                "Every prosumer answers the given prices (its leader-best optimal answer); the report gives the operator's profit and every bill. Uniform files have no prosumer column, personalized ones have it first."
        ))
    var prices: String?

    @OptionGroup var ledgerOptions: LedgerAppendOptions

    func validate() throws {
        if prices != nil && export != nil { throw ValidationError("--export writes the MILP that --prices skips: use one of them") }
    }

    func run() throws {
        let ledgerKeys = try ledgerOptions.keys()
        let parsed = try CommunityFile.read(community)
        let problem = try inContext(community) { try PricingProblem(community: parsed, mode: mode) }
        var options = try solverOptions.options()
        let progress = TerminalProgress(enabled: !solverOptions.verbose)
        options.progress = progress.report
        progress.start("pricing \(parsed.name)")
        defer { progress.finish() }
        let result: PricingResult
        var pricer = StackelbergPricer(solver: solverOptions.solver.make(), options: options)
        if let export {
            let ext = URL(fileURLWithPath: export).pathExtension.lowercased()
            guard ext == "mps" || ext == "lp" else { throw CLIFailure("--export \(export): expected a .mps or .lp file") }
            let personalized = problem.mode == .personalized
            pricer.willSolve = { model, ids in
                let path = personalized ? Self.path(export, inserting: ids.joined(separator: "-")) : export
                do {
                    try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
                    try ModelFile.write(model, to: path)
                } catch { throw CLIFailure("cannot export the model: \(error)") }
            }
        }
        do {
            if let prices {
                let given = try PriceFile.read(prices, problem: problem, community: parsed)
                result = try pricer.evaluate(problem, prices: given.prices, mode: given.mode)
            } else {
                result = try pricer.price(problem)
            }
        } catch let e as ModelError { throw CLIFailure("\(community): \(e.description)") } catch let e as PricingInputError {
            throw CLIFailure("\(community): \(e.description)", code: ExitStatus(e.kind))
        }
        progress.finish()
        var files = [("pricing.json", PricingReport.summary(parsed, problem, result).serialized() + "\n")]
        if result.status.hasSolution { files.insert(("prices.csv", PricingReport.csv(parsed, result)), at: 0) }
        try writeOutputDirectory(files.map { (name: $0.0, text: $0.1) }, into: out)
        print(PricingReport.text(parsed, problem, result))
        if result.status.hasSolution {
            print("wrote     \(out)/prices.csv, \(out)/pricing.json")
            try ledgerOptions.append(
                try LedgerRecords.pricing(result, community: parsed, storageOperator: ledgerKeys?.submitter.party ?? ""),
                clearing: "storage/\(parsed.name)/\(UTCTime.string(parsed.start))", keys: ledgerKeys)
        }
        let code = Backends.exitCode(result.status)
        if code != .success { throw ExitCode(code.rawValue) }
    }

    /// `dir/name.mps` with `tag` before the extension: `dir/name-tag.mps`.
    static func path(_ path: String, inserting tag: String) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension
        let base = url.deletingPathExtension().path
        return ext.isEmpty ? "\(base)-\(tag)" : "\(base)-\(tag).\(ext)"
    }
}
