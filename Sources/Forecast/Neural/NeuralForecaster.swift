import Foundation
import LinearAlgebra
import Synchronization

/// Training settings of a neural forecaster. Defaults are the ones the README's benchmark uses.
public struct NeuralOptions: Codable, Sendable, Equatable {
    /// Input steps per sample (nil: one day of observations for the LSTM, the receptive field for the TCN).
    public var window: Int?
    /// Most epochs; early stopping usually ends sooner.
    public var epochs = 40
    public var batchSize = 64
    /// Adam's initial learning rate; halved after `decayPatience` epochs without a better validation loss.
    public var learningRate = 3e-3
    public var decayPatience = 2
    /// Stop after this many epochs without a better validation loss (the best weights are kept).
    public var patience = 6
    /// Share of the most recent training windows held out for validation (early stopping, schedule).
    public var validationFraction = 0.1
    public var dropout = 0.0
    /// Gradient clipping: the global L2 norm is rescaled to at most this.
    public var clipNorm = 1.0
    /// Seeds weights, shuffling and dropout: a seed gives the same model and forecast on the same machine.
    public var seed: UInt64 = 1
    /// The central interval trained as two extra quantile outputs (0.95: the 2.5 % and 97.5 % quantiles).
    public var intervalLevel = 0.95
    /// Season of the reference forecast in days (7: the reference looks back up to a week); nil picks 7 when the
    /// history holds at least five weeks, 1 otherwise.
    public var lagDays: Int?
    /// The reference forecast the network corrects (nil: ``NeuralReference/weightedDays``).
    public var reference: NeuralReference?

    public init() {}

    /// Why these options cannot train, or nil.
    public var problem: String? {
        if let w = window, w < 1 { return "window must be at least 1" }
        if epochs < 1 { return "epochs must be at least 1" }
        if batchSize < 1 { return "batch size must be at least 1" }
        if !(learningRate > 0 && learningRate.isFinite) { return "learning rate must be positive" }
        if !(validationFraction > 0 && validationFraction < 0.5) { return "validation fraction must be in (0, 0.5)" }
        if !(dropout >= 0 && dropout < 1) { return "dropout must be in [0, 1)" }
        if !(intervalLevel > 0 && intervalLevel < 1) { return "interval level must be in (0, 1)" }
        if let l = lagDays, l < 1 { return "lag must be at least one day" }
        return nil
    }
}

/// The reference forecast a neural forecaster predicts the change from; an untrained network forecasts it.
public enum NeuralReference: String, Codable, Sendable, CaseIterable {
    /// The same time `lagDays` days earlier (the weekly seasonal naive for a week).
    case seasonalNaive = "seasonal-naive"
    /// A weighted mean of the same time on each of the last `lagDays` days, with one set of weights per day of the
    /// week of the target (UTC days), fitted by least squares on the history before the validation windows
    /// (weights >= 0, summing to 1). On noisy household load it is far closer than one week-old value (the same
    /// time on recent days averages the noise out); where the weekly cycle dominates, the weights fall on the day a
    /// week earlier.
    case weightedDays = "weighted-days"
}

/// What training reports after every epoch (for progress lines).
public struct TrainingProgress: Sendable {
    public var model: String
    public var epoch: Int
    public var epochs: Int
    /// Mean pinball loss over the epoch's batches and on the validation windows (scaled units).
    public var loss: Double
    public var validationLoss: Double
    public var seconds: Double
    /// Upper bound on the time left: the remaining epochs at the mean epoch time (early stopping may end sooner).
    public var remainingSeconds: Double
}

/// An LSTM or TCN forecaster over a window of recent observations, predicting the next day at once.
///
/// Features per input step: the scaled level, the change from the reference forecast (``NeuralReference``), time of
/// day and time of week as sin/cos, and the scaled regressors. The head sees the body's last step and the
/// regressors over the horizon. Targets are the changes from the reference over the horizon, in units of their
/// standard deviation, so an untrained network (the head starts at zero) is the reference forecast; three quantile
/// outputs (median and the interval's ends) are trained with the pinball loss. Adam with clipping, a halving
/// learning-rate schedule and early stopping on the most recent windows. Horizons beyond the trained one are
/// forecast recursively.
public struct NeuralForecaster: Forecaster, Codable {
    public var usesRegressors: Bool { true }
    public let name: String
    public var architecture: NetworkArchitecture
    public var options: NeuralOptions
    /// Called after every epoch while fitting (nil: silent).
    public var progress: (@Sendable (TrainingProgress) -> Void)?
    var state: Fitted?
    /// The trained weights, one array per parameter tensor (saved as binary after the JSON header).
    var weights: [[Float]] = []

    /// Everything a fitted model needs to forecast, besides its weights.
    struct Fitted: Codable, Equatable {
        var periodsPerDay: Int
        var step: Double
        var horizon: Int
        var lag: Int
        var window: Int
        var levelMean: Double
        var levelScale: Double
        var changeScale: Double
        var regressorNames: [String]
        var regressorMeans: [Double]
        var regressorScales: [Double]
        /// Time of `tail[0]` (seconds since 1970).
        var tailStart: Double
        /// The last `lag + window` observations.
        var tail: [Double]
        /// Regressors aligned with `tail`, including the values given past its end (the future).
        var regressorTail: [[Double]]
        /// The ``NeuralReference/weightedDays`` weights: row `w` for targets on day of the week `w` (days since
        /// 1970 mod 7), column `j` for the same time `j + 1` days earlier. nil: the value `lag` earlier alone.
        var referenceWeights: [[Double]]?
        var weightCounts: [Int]
        /// FNV-1a hash of the saved weight bytes (set when saving).
        var weightsChecksum: String?
        var epochs: Int
        var bestEpoch: Int
        var validationLoss: Double
        var trainingSeconds: Double
    }

    enum CodingKeys: String, CodingKey { case name, architecture, options, state }

    /// `lstm` (one layer of 64) or `cnn` (a TCN of 32 filters, kernel 3, dilations 1, 2, 4, 8, 16) by default.
    public init(name: String, architecture: NetworkArchitecture, options: NeuralOptions = NeuralOptions()) {
        self.name = name
        self.architecture = architecture
        self.options = options
    }

    /// The default LSTM: one layer of 64 units.
    public static func lstm(name: String = "lstm") -> NeuralForecaster { NeuralForecaster(name: name, architecture: .lstm(layers: 1, hidden: 64)) }
    /// The default TCN: 32 filters of kernel 3 in five causal layers dilated 1, 2, 4, 8 and 16.
    public static func cnn(name: String = "cnn") -> NeuralForecaster {
        NeuralForecaster(name: name, architecture: .cnn(filters: 32, kernel: 3, dilations: [1, 2, 4, 8, 16]))
    }

    static let featureCount = 6

    /// The reference forecast of `values[t]` (at `time`) from the values before it (`t >= lag`).
    static func reference(_ values: [Double], _ t: Int, time: Double, state s: Fitted) -> Double {
        guard let w = s.referenceWeights, !w.isEmpty else { return values[t - s.lag] }
        let row = w[weekday(time) % w.count]
        var sum = 0.0
        for j in row.indices { sum += row[j] * values[t - (j + 1) * s.periodsPerDay] }
        return sum
    }

    /// Days since 1970 modulo 7 (0 is a Thursday).
    static func weekday(_ time: Double) -> Int {
        let d = Int((time / 86_400).rounded(.down)) % 7
        return d < 0 ? d + 7 : d
    }

    /// Least-squares weights of the same time on each of the last `days` days, per day of the week of the target,
    /// from the targets at `targets` (each needs `days` days before it).
    static func fitReferenceWeights(_ y: [Double], targets: Range<Int>, start: Double, step: Double, periodsPerDay ppd: Int, days: Int) -> [[Double]] {
        (0..<7).map { weekday in
            let ts = targets.filter { Self.weekday(start + Double($0) * step) == weekday }
            guard ts.count >= days else { return (0..<days).map { $0 == days - 1 ? 1 : 0 } }
            let columns = (1...days).map { j in ts.map { y[$0 - j * ppd] } }
            return EnsembleForecaster.simplexLeastSquares(columns: columns, target: ts.map { y[$0] })
        }
    }

    /// Quantiles of the three outputs: median, lower and upper end of the trained interval.
    var quantiles: [Float] { [0.5, Float((1 - options.intervalLevel) / 2), Float(1 - (1 - options.intervalLevel) / 2)] }

    public var summary: String {
        guard let s = state else { return name }
        let reference = s.referenceWeights == nil ? "the value" : "weighted days over"
        return
            "\(architecture), window \(s.window), reference \(reference) \(s.lag / max(1, s.periodsPerDay)) d back, \(s.epochs) epochs (best \(s.bestEpoch)), "
            + String(format: "validation pinball %.4f, %.1f s", s.validationLoss, s.trainingSeconds)
    }

    // MARK: Features

    /// Inputs of every step of `values` (length `n`), scaled, `n x features` (rows before `lag` have no change).
    static func features(values: [Double], regressors: [[Double]], start: Double, step: Double, state s: Fitted) -> [Float] {
        let n = values.count, f = featureCount + regressors.count
        var out = [Float](repeating: 0, count: n * f)
        for t in 0..<n {
            let time = start + Double(t) * step
            let day = time.truncatingRemainder(dividingBy: 86_400) / 86_400 * 2 * .pi
            let week = time.truncatingRemainder(dividingBy: 604_800) / 604_800 * 2 * .pi
            let row = t * f
            out[row] = Float((values[t] - s.levelMean) / s.levelScale)
            out[row + 1] = t >= s.lag ? Float((values[t] - reference(values, t, time: time, state: s)) / s.changeScale) : 0
            out[row + 2] = Float(sin(day)); out[row + 3] = Float(cos(day))
            out[row + 4] = Float(sin(week)); out[row + 5] = Float(cos(week))
            for r in regressors.indices { out[row + featureCount + r] = Float((regressors[r][t] - s.regressorMeans[r]) / s.regressorScales[r]) }
        }
        return out
    }

    // MARK: Fit

    public mutating func fit(_ history: TimeSeries) throws {
        let set = try trainingSet(history)
        var s = set.data.state
        let trained = try train(set, epochs: options.epochs, patience: options.patience)
        weights = trained.weights
        s.weightCounts = trained.weights.map(\.count)
        (s.epochs, s.bestEpoch, s.validationLoss, s.trainingSeconds) = (trained.epochs, trained.bestEpoch, trained.validationLoss, trained.seconds)
        let y = history.values, n = y.count, keep = s.lag + s.window
        s.tail = Array(y.suffix(keep))
        s.tailStart = history.start.timeIntervalSince1970 + Double(n - keep) * history.step
        s.regressorTail = history.regressorValues.map { Array($0.dropFirst(n - keep)) }
        state = s
    }

    /// The samples a fit on `history` trains on: scaled features, training and validation origins.
    public struct TrainingSet: Sendable {
        var data: WindowData
        /// Sample origins (index of the first forecast step) used for gradient steps and for validation.
        public var training: [Int]
        public var validation: [Int]
        public var features: Int { NeuralForecaster.featureCount + data.regressors.count }
        public var window: Int { data.state.window }
        public var horizon: Int { data.state.horizon }
        var extra: Int { data.state.horizon * data.regressors.count }

        /// Inputs (`count x window x features`, sample major) and targets (`count x horizon`) of the training
        /// samples, for a reference implementation to train on the very same numbers.
        public func trainingArrays() throws -> (x: [Float], y: [Float]) {
            let b = try data.batch(training[...], features: features)
            return (b.x.elements, b.target.elements)
        }
    }

    /// Scaling, features and sample origins for `history` (what ``fit(_:)`` trains on).
    public func trainingSet(_ history: TimeSeries) throws -> TrainingSet {
        if let p = options.problem ?? architecture.problem { throw ForecastError.invalidOptions(model: name, detail: p) }
        let y = history.values, n = y.count, ppd = history.periodsPerDay
        let lagDays = options.lagDays ?? (n >= 35 * ppd ? 7 : 1)
        let lag = lagDays * ppd
        let horizon = min(ppd, lag)
        let window = options.window ?? architecture.receptiveField.map { min($0, 2 * ppd) } ?? ppd
        let minimumSamples = 8 * max(1, options.batchSize / 8)
        let needed = lag + window + horizon + minimumSamples
        guard n >= needed else { throw ForecastError.historyTooShort(model: name, needed: needed, got: n) }
        guard history.regressorValues.allSatisfy({ $0.count >= n }) else {
            throw ForecastError.missingRegressors(model: name, needed: n, got: history.regressorValues.map(\.count).min() ?? 0)
        }
        func meanSD(_ x: ArraySlice<Double>) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(max(1, x.count))
            let sd = (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, x.count))).squareRoot()
            return (m, sd > 0 && sd.isFinite ? sd : 1)
        }
        let (levelMean, levelScale) = meanSD(y[...])
        let start = history.start.timeIntervalSince1970
        // Samples: every origin o with a full window before it, a season before the window and a horizon after.
        let origins = Array((lag + window)...(n - horizon))
        let validationCount = max(1, Int((Double(origins.count) * options.validationFraction).rounded()))
        let regressors = history.regressorValues.map { Array($0.prefix(n)) }
        let regressorStats = regressors.map { meanSD($0[...]) }
        var s = Fitted(
            periodsPerDay: ppd, step: history.step, horizon: horizon, lag: lag, window: window,
            levelMean: levelMean, levelScale: levelScale, changeScale: 1,
            regressorNames: history.regressorNames, regressorMeans: regressorStats.map(\.0), regressorScales: regressorStats.map(\.1),
            tailStart: 0, tail: [], regressorTail: [], referenceWeights: nil, weightCounts: [], weightsChecksum: nil, epochs: 0, bestEpoch: 0,
            validationLoss: 0, trainingSeconds: 0)
        if (options.reference ?? .weightedDays) == .weightedDays, lagDays > 1 {
            // Fitted on the values before the validation windows only.
            let end = origins[origins.count - validationCount]
            s.referenceWeights = Self.fitReferenceWeights(y, targets: lag..<end, start: start, step: history.step, periodsPerDay: ppd, days: lagDays)
        }
        let changes = (lag..<n).map { y[$0] - Self.reference(y, $0, time: start + Double($0) * history.step, state: s) }
        s.changeScale = max(residualSD(changes), 1e-9 * max(1, abs(levelMean)))
        let x = Self.features(values: y, regressors: regressors, start: start, step: history.step, state: s)
        return TrainingSet(
            data: WindowData(x: x, y: y, regressors: regressors, start: start, state: s),
            training: Array(origins.dropLast(validationCount)), validation: Array(origins.suffix(validationCount)))
    }

    /// Seconds of training epochs and inference on a training set, with the gemm work done (for throughput).
    public struct TrainingTiming: Sendable {
        public var epochSeconds: [Double]
        public var samplesPerEpoch: Int
        /// Floating-point operations of the gemm calls in one epoch (2 m n k each).
        public var gemmFlopsPerEpoch: Double
        /// Seconds to forecast every validation window in batches of 256, and one window alone (median of 20).
        public var batchInferenceSeconds: Double
        public var singleInferenceSeconds: Double
        public var inferenceSamples: Int
    }

    /// Trains `epochs` epochs on `set` without early stopping, timing each; then times inference.
    public func timeTraining(_ set: TrainingSet, epochs: Int) throws -> TrainingTiming {
        var seconds: [Double] = [], flops = 0
        var timed = self
        timed.progress = nil
        _ = try timed.train(
            set, epochs: epochs, patience: epochs + 1,
            epochTimes: {
                seconds.append($0); flops = $1
            })
        let s = set.data.state
        var net = ForecastNetwork<Float>(
            architecture, features: set.features, window: s.window, extra: set.extra, outputs: s.horizon * 3,
            dropout: 0, seed: options.seed)
        let clock = DispatchTime.now().uptimeNanoseconds
        _ = try evaluate(&net, set.data, set.validation, features: set.features)
        let batchSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        var single: [Double] = []
        for _ in 0..<20 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try evaluate(&net, set.data, [set.validation[0]], features: set.features)
            single.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return TrainingTiming(
            epochSeconds: seconds, samplesPerEpoch: set.training.count, gemmFlopsPerEpoch: Double(flops),
            batchInferenceSeconds: batchSeconds, singleInferenceSeconds: single.sorted()[single.count / 2],
            inferenceSamples: set.validation.count)
    }

    /// The training set as views into the feature matrix: a sample is an origin.
    struct WindowData: Sendable {
        var x: [Float]
        var y: [Double]
        var regressors: [[Double]]
        /// Time of `y[0]` (seconds since 1970).
        var start: Double
        var state: Fitted

        /// Inputs, extra inputs and targets of the samples at `origins`.
        func batch(_ origins: ArraySlice<Int>, features f: Int) throws -> (x: Matrix<Float>, extra: Matrix<Float>?, target: Matrix<Float>) {
            let s = state, b = origins.count, h = s.horizon, w = s.window, r = regressors.count
            var xs = [Float](), targets = [Float](), extra = [Float]()
            xs.reserveCapacity(b * w * f)
            targets.reserveCapacity(b * h)
            for o in origins {
                xs.append(contentsOf: x[((o - w) * f)..<(o * f)])
                for k in 0..<h {
                    let t = o + k
                    targets.append(Float((y[t] - NeuralForecaster.reference(y, t, time: start + Double(t) * s.step, state: s)) / s.changeScale))
                }
                for j in 0..<r { for k in 0..<h { extra.append(Float((regressors[j][o + k] - s.regressorMeans[j]) / s.regressorScales[j])) } }
            }
            return (
                try Matrix(rows: b * w, columns: f, elements: xs), r > 0 ? try Matrix(rows: b, columns: h * r, elements: extra) : nil,
                try Matrix(rows: b, columns: h, elements: targets)
            )
        }
    }

    struct Trained { var weights: [[Float]]; var epochs: Int; var bestEpoch: Int; var validationLoss: Double; var seconds: Double }

    func train(_ set: TrainingSet, epochs: Int, patience: Int, epochTimes: ((Double, Int) -> Void)? = nil) throws -> Trained {
        // Single-threaded BLAS throughout: parallelism comes from the gradient shards, and idle OpenBLAS workers
        // spinning after a multi-threaded call would compete with them for the cores.
        try BLASThreads.singleThreaded { try trainShards(set, epochs: epochs, patience: patience, epochTimes: epochTimes) }
    }

    func trainShards(_ set: TrainingSet, epochs: Int, patience: Int, epochTimes: ((Double, Int) -> Void)?) throws -> Trained {
        let data = set.data, s = data.state, features = set.features, extra = set.extra
        let training = set.training, validation = set.validation
        let clock = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9 }
        let q = quantiles
        var net = ForecastNetwork<Float>(
            architecture, features: features, window: s.window, extra: extra, outputs: s.horizon * q.count,
            dropout: options.dropout, seed: options.seed)
        // The head starts at zero: the untrained forecast is the seasonal naive one.
        net.head.parameters = net.head.parameters.map { [Float](repeating: 0, count: $0.count) }
        var adam = Adam<Float>(learningRate: Float(options.learningRate), clipNorm: Float(options.clipNorm))
        var replicas = [ForecastNetwork<Float>](repeating: net, count: Self.shards)
        var shuffler = WeightInit(state: options.seed &+ 3000)
        var order = training
        var best = (loss: Double.infinity, epoch: 0, weights: net.parameters)
        var sinceBest = 0, epochsRun = 0
        for epoch in 1...epochs {
            epochsRun = epoch
            let epochStart = DispatchTime.now().uptimeNanoseconds, flopsStart = GemmCounter.flops
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(shuffler.next() * Double(i + 1))) }
            var lossSum = 0.0, batches = 0
            var start = 0
            while start < order.count {
                let chunk = order[start..<min(order.count, start + options.batchSize)]
                start += options.batchSize
                lossSum += try step(&net, &replicas, chunk, data: data, features: features, adam: &adam, batchIndex: batches)
                batches += 1
            }
            let now = DispatchTime.now().uptimeNanoseconds
            epochTimes?(Double(now - epochStart) / 1e9, GemmCounter.flops - flopsStart)
            let validationLoss = try evaluate(&net, data, validation, features: features)
            guard validationLoss.isFinite else { throw ForecastError.trainingDiverged(model: name, epoch: epoch) }
            if validationLoss < best.loss {
                best = (validationLoss, epoch, net.parameters)
                sinceBest = 0
            } else {
                sinceBest += 1
                if sinceBest % max(1, options.decayPatience) == 0 { adam.learningRate /= 2 }
            }
            let seconds = elapsed()
            progress?(
                TrainingProgress(
                    model: name, epoch: epoch, epochs: epochs, loss: lossSum / Double(max(1, batches)),
                    validationLoss: validationLoss, seconds: seconds,
                    remainingSeconds: seconds / Double(epoch) * Double(epochs - epoch)))
            if sinceBest >= patience { break }
        }
        return Trained(weights: best.weights, epochs: epochsRun, bestEpoch: best.epoch, validationLoss: best.loss, seconds: elapsed())
    }

    /// Gradient shards: every batch is split into this many contiguous parts whose forward and backward passes
    /// run in parallel (single-threaded BLAS each, one synchronisation per batch instead of one per gemm), and
    /// whose gradients are summed in a fixed order. Fixed, not the core count, so that a seed gives the same model
    /// on any machine with the same BLAS kernels.
    static let shards = 2

    /// One optimiser step on the samples at `origins`; returns the batch's loss.
    func step(
        _ net: inout ForecastNetwork<Float>, _ replicas: inout [ForecastNetwork<Float>], _ origins: ArraySlice<Int>,
        data: WindowData, features: Int, adam: inout Adam<Float>, batchIndex: Int
    ) throws -> Double {
        let q = quantiles, n = origins.count, parts = min(Self.shards, n)
        let parameters = net.parameters
        var losses = [Double](repeating: 0, count: parts)
        let failure = Mutex<(any Error)?>(nil)
        do {
            try replicas.withUnsafeMutableBufferPointer { buffer in
                try losses.withUnsafeMutableBufferPointer { lossBuffer in
                    nonisolated(unsafe) let replicas = buffer, lossOut = lossBuffer
                    DispatchQueue.concurrentPerform(iterations: parts) { k in
                        do {
                            let lo = origins.startIndex + k * n / parts, hi = origins.startIndex + (k + 1) * n / parts
                            let (x, e, target) = try data.batch(origins[lo..<hi], features: features)
                            replicas[k].parameters = parameters
                            replicas[k].zeroGradients()
                            replicas[k].dropout.reseed(options.seed &+ UInt64(batchIndex * parts + k) &* 7919)
                            let prediction = try replicas[k].forward(x, extra: e, batch: hi - lo, training: true)
                            var (value, gradient) = try Loss.quantiles(prediction, target, quantiles: q)
                            // Each shard's loss is a mean over its rows; weight it by its share of the batch.
                            let share = Float(hi - lo) / Float(n)
                            for i in gradient.elements.indices { gradient.elements[i] *= share }
                            try replicas[k].backward(gradient)
                            lossOut[k] = Double(value) * Double(share)
                        } catch {
                            failure.withLock { $0 = $0 ?? error }
                        }
                    }
                    if let error = failure.withLock({ $0 }) { throw error }
                }
            }
        }
        var gradients = replicas[0].gradients
        for k in 1..<parts {
            for (a, g) in replicas[k].gradients.enumerated() {
                gradients[a].withUnsafeMutableBufferPointer { sum in
                    g.withUnsafeBufferPointer { add in
                        for i in 0..<add.count { sum[i] += add[i] }
                    }
                }
            }
        }
        var p = parameters
        adam.update(&p, gradients)
        net.parameters = p
        return losses.reduce(0, +)
    }

    func evaluate(_ net: inout ForecastNetwork<Float>, _ data: WindowData, _ origins: [Int], features: Int) throws -> Double {
        var total = 0.0
        var start = 0
        while start < origins.count {
            let chunk = origins[start..<min(origins.count, start + 256)]
            start += 256
            let (x, e, target) = try data.batch(chunk, features: features)
            let prediction = try net.forward(x, extra: e, batch: chunk.count, training: false)
            total += Double(try Loss.quantiles(prediction, target, quantiles: quantiles).value) * Double(chunk.count)
        }
        return total / Double(max(1, origins.count))
    }

    // MARK: Saving

    /// The weights as little-endian float32, tensor after tensor.
    func weightBytes() -> Data {
        var data = Data(capacity: 4 * weights.reduce(0) { $0 + $1.count })
        for tensor in weights { for w in tensor { withUnsafeBytes(of: w.bitPattern.littleEndian) { data.append(contentsOf: $0) } } }
        return data
    }

    /// Restores the weights from the bytes after a model file's header, checking their size and checksum.
    mutating func loadWeights(_ data: Data) throws {
        guard let s = state else { throw ForecastError.notFitted(model: name) }
        let expected = 4 * s.weightCounts.reduce(0, +)
        guard data.count == expected else {
            throw ForecastError.invalidOptions(
                model: name, detail: "weights: expected \(expected) bytes after the header, found \(data.count) (truncated or corrupt file)")
        }
        if let checksum = s.weightsChecksum, checksum != fnv1a(data) {
            throw ForecastError.invalidOptions(model: name, detail: "weights: checksum mismatch (the file was altered or damaged)")
        }
        var offset = data.startIndex
        weights = s.weightCounts.map { count in
            (0..<count).map { _ in
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(data[offset + b]) << (8 * UInt32(b)) }
                offset += 4
                return Float(bitPattern: UInt32(littleEndian: bits))
            }
        }
    }

    // MARK: Forecast

    /// The network with the fitted weights.
    func network(_ s: Fitted) throws -> ForecastNetwork<Float> {
        let r = s.regressorNames.count
        var net = ForecastNetwork<Float>(
            architecture, features: Self.featureCount + r, window: s.window, extra: s.horizon * r,
            outputs: s.horizon * 3, dropout: 0, seed: options.seed)
        guard net.parameters.map(\.count) == weights.map(\.count) else {
            throw ForecastError.invalidOptions(
                model: name, detail: "the weights do not match the architecture (\(weights.map(\.count)) vs \(net.parameters.map(\.count)))")
        }
        net.parameters = weights
        return net
    }

    public func forecast(horizon: Int, level: Double) throws -> Forecast {
        guard let s = state, !weights.isEmpty else { throw ForecastError.notFitted(model: name) }
        var net = try network(s)
        let r = s.regressorNames.count
        let available = s.regressorTail.map(\.count).min() ?? Int.max
        let needed = s.tail.count + horizon + (horizon % s.horizon == 0 ? 0 : s.horizon - horizon % s.horizon)
        if r > 0, available < needed {
            throw ForecastError.missingRegressors(model: name, needed: needed - s.tail.count, got: max(0, available - s.tail.count))
        }
        let z = normalQuantile(0.5 + level / 2) / normalQuantile(0.5 + options.intervalLevel / 2)
        var y = s.tail
        var point: [Double] = [], lower: [Double] = [], upper: [Double] = []
        while point.count < horizon {
            let o = y.count
            let regs = s.regressorTail.map { Array($0.prefix(o)) }
            let x = Self.features(
                values: Array(y[(o - s.window - s.lag)...]), regressors: regs.map { Array($0[(o - s.window - s.lag)...]) },
                start: s.tailStart + Double(o - s.window - s.lag) * s.step, step: s.step, state: s)
            let inputs = Array(x[(s.lag * (Self.featureCount + r))...])
            var extra: [Float] = []
            for j in 0..<r { for k in 0..<s.horizon { extra.append(Float((s.regressorTail[j][o + k] - s.regressorMeans[j]) / s.regressorScales[j])) } }
            let out = try net.forward(
                Matrix(rows: s.window, columns: Self.featureCount + r, elements: inputs),
                extra: r > 0 ? Matrix(rows: 1, columns: s.horizon * r, elements: extra) : nil, batch: 1, training: false)
            for k in 0..<s.horizon where point.count < horizon {
                let base = Self.reference(y, o + k, time: s.tailStart + Double(o + k) * s.step, state: s)
                let m = base + Double(out.elements[k]) * s.changeScale
                let lo = base + Double(out.elements[s.horizon + k]) * s.changeScale
                let hi = base + Double(out.elements[2 * s.horizon + k]) * s.changeScale
                point.append(m)
                lower.append(m - z * max(0, m - lo))
                upper.append(m + z * max(0, hi - m))
            }
            y.append(contentsOf: point.suffix(min(s.horizon, point.count - (o - s.tail.count))))
        }
        return Forecast(point: point, lower: lower, upper: upper, level: level)
    }
}
