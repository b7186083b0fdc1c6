import DataIO
import ArgumentParser
import Forecast
import Foundation
import LinearAlgebra
import Reports

/// Training throughput of the LSTM and TCN forecasters against the same networks in PyTorch
/// (`Benchmarks/neural_reference.py`), trained on the very same samples in the same invocation.
struct TrainingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "LSTM/TCN training throughput and inference time against PyTorch on the same samples; share of the sgemm peak.")
    @OptionGroup var common: CommonBenchmarkOptions

    @Option(help: "Epochs timed per network (both implementations, no early stopping).")
    var epochs = 5

    @Option(help: "Networks to time (lstm, cnn).")
    var networks = ["lstm", "cnn"]

    @Option(help: "Python with torch (make bench-setup).")
    var python = "Benchmarks/.venv/bin/python"

    struct Row {
        var name: String
        var architecture: String
        var timing: NeuralForecaster.TrainingTiming
        var reference: [String: Any]?
        var samplesPerSecond: Double { Double(timing.samplesPerEpoch) / median(timing.epochSeconds) }
        var referenceSamplesPerSecond: Double? {
            guard let r = reference, let e = r["epoch_seconds"] as? [Double], !e.isEmpty else { return nil }
            return Double(timing.samplesPerEpoch) / median(e)
        }
    }

    func run() throws {
        common.prepare()
        let series = try TimeSeriesCSV.read(ForecastBenchmark.taylor, column: "demand_mw")
        // The history of the backtest's first origin (14 days before the end).
        let history = series.prefix(series.count - 14 * series.periodsPerDay)
        let peak = try Self.sgemmPeak()
        print(String(format: "sgemm peak (2048^3, %d BLAS threads): %.1f GFLOP/s", common.blasThreads, peak / 1e9))
        var rows: [Row] = []
        var notes: [String] = []
        let haveTorch =
            FileManager.default.isExecutableFile(atPath: python)
            && (try? Shell.run([python, "-c", "import torch"])) != nil
        if !haveTorch { notes.append("no torch in \(python): the PyTorch reference was skipped (run `make bench-setup`)") }
        for name in networks {
            guard let model = try ForecasterCatalog.make(name, periodsPerDay: series.periodsPerDay) as? NeuralForecaster else { continue }
            let set = try model.trainingSet(history)
            print("\(name): \(model.architecture), \(set.training.count) samples of \(set.window) x \(set.features), \(epochs) epochs...")
            // Alternating runs (PeerGrid, PyTorch, PeerGrid, ...): the epoch times of all runs are pooled, so that a
            // burst of load on the machine hits both sides alike.
            var timing = try model.timeTraining(set, epochs: epochs)
            var reference: [String: Any]?
            if haveTorch { reference = try runReference(model, set, timing: timing) }
            for _ in 1..<max(1, common.repeats) {
                let again = try model.timeTraining(set, epochs: epochs)
                timing.epochSeconds += again.epochSeconds
                if haveTorch, var r = reference, let more = try runReference(model, set, timing: timing)["epoch_seconds"] as? [Double] {
                    r["epoch_seconds"] = (r["epoch_seconds"] as? [Double] ?? []) + more
                    reference = r
                }
            }
            let row = Row(name: name, architecture: model.architecture.description, timing: timing, reference: reference)
            print(
                String(format: "  PeerGrid %.0f samples/s", row.samplesPerSecond)
                    + (row.referenceSamplesPerSecond.map { String(format: ", PyTorch %.0f samples/s (ratio %.2f)", $0, row.samplesPerSecond / $0) } ?? ""))
            rows.append(row)
        }
        try write(rows, peak: peak, notes: notes)
    }

    /// sgemm GFLOP/s on 2048 x 2048 matrices, best of 5 (the machine's practical peak for this thread count).
    static func sgemmPeak() throws -> Double {
        let n = 2048
        var rng = SeededRandom(seed: 7)
        let a = try Matrix<Float>(rows: n, columns: n, elements: (0..<(n * n)).map { _ in Float(rng.uniform(-1, 1)) })
        let b = a.transposed
        var c = try Matrix<Float>(rows: n, columns: n)
        var best = 0.0
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try BLAS.gemm(a, b, into: &c)
            let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = max(best, 2 * Double(n * n * n) / s)
        }
        return best
    }

    func runReference(_ model: NeuralForecaster, _ set: NeuralForecaster.TrainingSet, timing: NeuralForecaster.TrainingTiming) throws -> [String: Any] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peergrid-torch-\(getpid())-\(model.name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (x, y) = try set.trainingArrays()
        try x.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent("x.bin")) }
        try y.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent("y.bin")) }
        let architecture: JSON
        switch model.architecture {
        case let .lstm(layers, hidden):
            architecture = .object([("kind", .string("lstm")), ("layers", .integer(layers)), ("hidden", .integer(hidden))])
        case let .cnn(filters, kernel, dilations):
            architecture = .object([
                ("kind", .string("cnn")), ("filters", .integer(filters)), ("kernel", .integer(kernel)),
                ("dilations", .array(dilations.map { .integer($0) }))
            ])
        }
        let level = model.options.intervalLevel
        let meta: JSON = .object([
            ("architecture", architecture), ("samples", .integer(set.training.count)), ("window", .integer(set.window)),
            ("features", .integer(set.features)), ("horizon", .integer(set.horizon)),
            ("quantiles", .array([0.5, (1 - level) / 2, 1 - (1 - level) / 2].map { .number($0) })),
            ("batch", .integer(model.options.batchSize)), ("epochs", .integer(epochs)), ("learning_rate", .number(model.options.learningRate)),
            ("clip_norm", .number(model.options.clipNorm)), ("threads", .integer(common.blasThreads)), ("seed", .integer(Int(model.options.seed))),
            ("inference_samples", .integer(timing.inferenceSamples))
        ])
        try Data(meta.serialized().utf8).write(to: dir.appendingPathComponent("meta.json"))
        let out = dir.appendingPathComponent("out.json")
        print("  running the PyTorch reference...")
        try Shell.run([python, "Benchmarks/neural_reference.py", dir.path, out.path])
        return try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any] ?? [:]
    }

    func write(_ rows: [Row], peak: Double, notes: [String]) throws {
        func f(_ x: Double?, _ format: String) -> String { x.map { String(format: format, $0) } ?? "-" }
        let version = rows.compactMap { $0.reference?["torch"] as? String }.first ?? "not run"
        var md = """
            # Neural network training benchmark

            Generated by `.build/release/benchmark training` (also run by `benchmark forecast` and `make bench`) on \(MachineInfo.describe()).
            Both implementations train the same network (architecture, sizes, zero-initialised head, Adam with clipping, pinball
            loss on three quantiles) with the same batch size for \(epochs) epochs on the very same samples: the training windows of
            the Taylor backtest's first origin, written by PeerGrid and read by `Benchmarks/neural_reference.py` (PyTorch \(version),
            CPU, `torch.set_num_threads(\(common.blasThreads))`). The two alternate \(common.repeats) times; times are medians over all
            their epochs (first epochs included). Inference: every validation
            window in batches of 256, and one window alone (median of 20).
            sgemm peak: \(f(peak / 1e9, "%.1f")) GFLOP/s (2048³ `cblas_sgemm`, best of 5, \(common.blasThreads) threads); PeerGrid's share counts
            the gemm work of its training epochs (2mnk per call) over the epoch time.

            | network | samples/epoch | PeerGrid s/epoch | PeerGrid samples/s | PyTorch s/epoch | PyTorch samples/s | speed-up | gemm GFLOP/s | share of sgemm peak | inference batch s (PeerGrid / PyTorch) | one window ms (PeerGrid / PyTorch) |
            |---|---|---|---|---|---|---|---|---|---|---|

            """
        var checks: [(String, Bool)] = []
        for r in rows {
            let epoch = median(r.timing.epochSeconds)
            let gflops = r.timing.gemmFlopsPerEpoch / epoch / 1e9
            let refEpoch = (r.reference?["epoch_seconds"] as? [Double]).map(median)
            let speedup = r.referenceSamplesPerSecond.map { r.samplesPerSecond / $0 }
            md += "| \(r.name): \(r.architecture) | \(r.timing.samplesPerEpoch) | \(f(epoch, "%.3f")) | \(f(r.samplesPerSecond, "%.0f")) | "
            md += "\(f(refEpoch, "%.3f")) | \(f(r.referenceSamplesPerSecond, "%.0f")) | \(f(speedup, "%.2f")) | \(f(gflops, "%.1f")) | "
            md +=
                "\(f(100 * gflops * 1e9 / peak, "%.1f")) % | \(f(r.timing.batchInferenceSeconds, "%.4f")) / \(f(r.reference?["batch_inference_seconds"] as? Double, "%.4f")) | "
            md +=
                "\(f(1000 * r.timing.singleInferenceSeconds, "%.2f")) / \(f((r.reference?["single_inference_seconds"] as? Double).map { $0 * 1000 }, "%.2f")) |\n"
            if let speedup { checks.append(("\(r.name) training throughput \(f(speedup, "%.2f"))x PyTorch's (goal 1.5x)", speedup >= 1.5)) }
        }
        for n in notes { md += "\n- \(n)" }
        if !checks.isEmpty {
            md += "\n\n## Checks (this run)\n\n"
            for (text, ok) in checks { md += "- \(ok ? "yes" : "NO"): \(text)\n" }
        }
        let json: JSON = .object([
            ("machine", .string(MachineInfo.describe())), ("epochs", .integer(epochs)), ("sgemm_peak_gflops", .number(peak / 1e9)),
            ("torch", .string(version)),
            (
                "networks",
                .array(
                    rows.map { r in
                        .object([
                            ("name", .string(r.name)), ("architecture", .string(r.architecture)), ("samples_per_epoch", .integer(r.timing.samplesPerEpoch)),
                            ("epoch_seconds", .array(r.timing.epochSeconds.map { .number($0) })), ("samples_per_second", .number(r.samplesPerSecond)),
                            ("gemm_gflops_per_epoch", .number(r.timing.gemmFlopsPerEpoch / 1e9)),
                            ("batch_inference_seconds", .number(r.timing.batchInferenceSeconds)),
                            ("single_inference_seconds", .number(r.timing.singleInferenceSeconds)),
                            ("reference_epoch_seconds", .array(((r.reference?["epoch_seconds"] as? [Double]) ?? []).map { .number($0) })),
                            ("reference_samples_per_second", .number(r.referenceSamplesPerSecond)),
                            ("reference_batch_inference_seconds", .number(r.reference?["batch_inference_seconds"] as? Double)),
                            ("reference_single_inference_seconds", .number(r.reference?["single_inference_seconds"] as? Double))
                        ])
                    })
            ),
            ("checks", .array(checks.map { .object([("check", .string($0.0)), ("passed", .bool($0.1))]) }))
        ])
        let chart = SVGChart.groupedBars(
            title: "Training throughput, samples per second (\(common.blasThreads) threads)", categories: rows.map(\.name),
            series: [
                ChartSeries("PeerGrid", rows.map(\.samplesPerSecond), color: "#4e79a7"),
                ChartSeries("PyTorch \(version)", rows.map { $0.referenceSamplesPerSecond ?? .nan }, color: "#f28e2b")
            ],
            yLabel: "samples/s")
        md += "\n\n![Training throughput](training-throughput.svg)\n"
        try OutputFiles.writeAll(
            [("training.md", md + "\n"), ("training.json", json.serialized() + "\n"), ("training-throughput.svg", chart)], into: common.out)
        print("wrote \(common.out)/training.md and training.json")
    }
}

func median(_ x: [Double]) -> Double {
    let s = x.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
