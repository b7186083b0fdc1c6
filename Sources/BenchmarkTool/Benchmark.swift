import ArgumentParser
import CommandLineExit
import DataIO
import Foundation
import LinearAlgebra

/// `benchmark`: measures solve times and model-building speed in release builds and writes
/// `Reports/benchmarks/*.md` and `.json`. Figures in the README come from these commands.
@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "PeerGrid benchmarks (run in release: make bench).",
        version: "benchmark \(PeerGridRelease.version)",
        subcommands: [
            SolversBenchmark.self, ScheduleBenchmark.self, PricingBenchmark.self, ForecastBenchmark.self, TrainingBenchmark.self, MarketBenchmark.self,
            LedgerBenchmark.self, AgentsBenchmark.self, RLBenchmark.self, AnomaliesBenchmark.self, AllBenchmarks.self
        ])

    /// Runs the benchmark with `peergrid`'s exit codes (README, *Exit codes*): 2 for a bad option or input file, 70 for
    /// a fault nobody foresaw.
    static func main() { runWithExitStatus(tool: "benchmark") }
}

/// Options every benchmark takes.
struct CommonBenchmarkOptions: ParsableArguments {
    @Option(help: "Repetitions per measurement (median, min and max are reported).")
    var repeats = 3

    @Option(help: "Directory for the reports.")
    var out = "Reports/benchmarks"

    @Option(name: .customLong("time-limit"), help: "Time limit per solve in seconds.")
    var timeLimit: Double = 30

    @Option(help: "OpenBLAS threads (pinned for comparable timings).")
    var blasThreads = 2

    func prepare() {
        BLASThreads.set(blasThreads)
        #if DEBUG
            FileHandle.standardError.write(Data("warning: this is a debug build; measure with `swift build -c release` (make bench)\n".utf8))
        #endif
    }
}

struct AllBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every benchmark (solvers with a 30 s limit per solve, schedule with 120 s, pricing with 60 s, then forecasting and the market).")
    @Option(help: "Repetitions per measurement.")
    var repeats = 3
    @Option(help: "Directory for the reports.")
    var out = "Reports/benchmarks"

    func run() throws {
        let solvers = try SolversBenchmark.parse(["--repeats", "\(repeats)", "--out", out, "--time-limit", "30"])
        try solvers.run()
        let schedule = try ScheduleBenchmark.parse(["--repeats", "\(repeats)", "--out", out, "--time-limit", "120"])
        try schedule.run()
        let pricing = try PricingBenchmark.parse(["--out", out, "--time-limit", "60"])
        try pricing.run()
        let forecast = try ForecastBenchmark.parse(["--repeats", "\(repeats)", "--out", out])
        try forecast.run()
        let market = try MarketBenchmark.parse(["--repeats", "\(max(repeats, 5))", "--out", out])
        try market.run()
        let ledger = try LedgerBenchmark.parse(["--repeats", "\(repeats)", "--out", out])
        try ledger.run()
    }
}

/// Median, min and max of repeated timings.
struct Timing: Sendable {
    var samples: [Double]
    var median: Double {
        let s = samples.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { samples.min() ?? .nan }
    var max: Double { samples.max() ?? .nan }
    func formatted(_ digits: Int = 3) -> String {
        String(format: "%.\(digits)f [%.\(digits)f, %.\(digits)f]", median, min, max)
    }
}

/// Machine facts printed with every report.
enum MachineInfo {
    static func describe() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let mem = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        let blas = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset (pinned by --blas-threads)"
        return
            "\(cores) cores, \(String(format: "%.0f", mem)) GiB, OPENBLAS_NUM_THREADS=\(blas), OpenBLAS kernels \(BLASKernels.coreName), \(Date().ISO8601Format())"
    }
}

/// The benchmarks' deterministic generator: DataIO's SplitMix64, so that every run builds the same instances.
typealias SeededRandom = SeededGenerator
