import Foundation
import LinearAlgebra

/// The body of a neural forecaster: what reads the input window. The head is always one dense layer from the
/// body's last time step (plus the future regressors) to every horizon step and quantile.
public enum NetworkArchitecture: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `layers` stacked LSTM layers of `hidden` units.
    case lstm(layers: Int, hidden: Int)
    /// A temporal convolutional network: one causal convolution of `filters` channels and width `kernel` per
    /// dilation, each followed by ReLU.
    case cnn(filters: Int, kernel: Int, dilations: [Int])

    public var description: String {
        switch self {
        case let .lstm(layers, hidden): return "LSTM \(layers)x\(hidden)"
        case let .cnn(filters, kernel, dilations):
            return "TCN \(dilations.count)x\(filters) (kernel \(kernel), dilations \(dilations.map(String.init).joined(separator: ",")))"
        }
    }

    /// Steps of input the last output can see (convolutions); unbounded for the LSTM (nil).
    public var receptiveField: Int? {
        guard case let .cnn(_, kernel, dilations) = self else { return nil }
        return 1 + (kernel - 1) * dilations.reduce(0, +)
    }

    /// Why these sizes cannot make a network, or nil.
    public var problem: String? {
        switch self {
        case let .lstm(layers, hidden):
            if layers < 1 || hidden < 1 { return "an LSTM needs at least one layer of at least one unit" }
        case let .cnn(filters, kernel, dilations):
            if filters < 1 || kernel < 1 || dilations.isEmpty || dilations.contains(where: { $0 < 1 }) {
                return "a TCN needs filters, kernel and at least one dilation, all positive"
            }
        }
        return nil
    }
}

/// The network of a neural forecaster, generic so that the whole composition is gradient-checked in `Double`;
/// forecasters train it in `Float`. Input: `batch * window` rows of `features`, sample major; optional extra
/// inputs (`batch x extra`, the future regressors) join the body's last step before the head.
struct ForecastNetwork<T: NeuralScalar> {
    let architecture: NetworkArchitecture
    let features: Int, window: Int, extra: Int, outputs: Int
    var lstms: [LSTM<T>] = []
    var convolutions: [CausalConv1D<T>] = []
    var relus: [Activation<T>] = []
    var dropout: Dropout<T>
    var head: Dense<T>
    private var batch = 0

    init(_ architecture: NetworkArchitecture, features: Int, window: Int, extra: Int, outputs: Int, dropout rate: Double, seed: UInt64) {
        self.architecture = architecture
        (self.features, self.window, self.extra, self.outputs) = (features, window, extra, outputs)
        var width = features
        switch architecture {
        case let .lstm(layers, hidden):
            for l in 0..<layers {
                lstms.append(LSTM(inputs: width, hidden: hidden, seed: seed &+ UInt64(l + 1)))
                width = hidden
            }
        case let .cnn(filters, kernel, dilations):
            for (l, d) in dilations.enumerated() {
                convolutions.append(CausalConv1D(channels: width, filters: filters, kernel: kernel, dilation: d, seed: seed &+ UInt64(l + 1)))
                relus.append(Activation(.relu))
                width = filters
            }
        }
        dropout = Dropout(rate: rate, seed: seed &+ 1000)
        head = Dense(inputs: width + extra, outputs: outputs, seed: seed &+ 2000)
    }

    /// Width of the body's output per step.
    var bodyWidth: Int { head.inputs - extra }

    /// Every parameter array, body first, then the head (the order of ``gradients`` and of saved weights).
    var parameters: [[T]] {
        get { lstms.flatMap(\.parameters) + convolutions.flatMap(\.parameters) + head.parameters }
        set {
            var k = 0
            for i in lstms.indices { for p in lstms[i].parameters.indices { lstms[i].parameters[p] = newValue[k]; k += 1 } }
            for i in convolutions.indices { for p in convolutions[i].parameters.indices { convolutions[i].parameters[p] = newValue[k]; k += 1 } }
            for p in head.parameters.indices { head.parameters[p] = newValue[k]; k += 1 }
        }
    }

    var gradients: [[T]] { lstms.flatMap(\.gradients) + convolutions.flatMap(\.gradients) + head.gradients }

    mutating func zeroGradients() {
        for i in lstms.indices { lstms[i].zeroGradients() }
        for i in convolutions.indices { convolutions[i].zeroGradients() }
        head.zeroGradients()
    }

    /// Outputs (`batch x outputs`) for `batch` input windows.
    mutating func forward(_ x: Matrix<T>, extra e: Matrix<T>?, batch b: Int, training: Bool) throws -> Matrix<T> {
        guard b > 0, x.rows == b * window, x.columns == features, (e?.rows ?? b) == b, (e?.columns ?? 0) == extra else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "ForecastNetwork.forward",
                detail: "\(x.rows)x\(x.columns) input for \(b) windows of \(window)x\(features), extra \(extra)")
        }
        batch = b
        let w = bodyWidth
        var last = try Matrix<T>(rows: b, columns: w + extra)
        if !lstms.isEmpty {
            // Sample major (s, t) to step major (t, s).
            var sequence = try Matrix<T>(rows: b * window, columns: features)
            for s in 0..<b {
                for t in 0..<window {
                    let from = (s * window + t) * features, to = (t * b + s) * features
                    for f in 0..<features { sequence.elements[to + f] = x.elements[from + f] }
                }
            }
            for l in lstms.indices { sequence = try lstms[l].forward(sequence, batch: b) }
            let offset = (window - 1) * b * w
            for s in 0..<b { for j in 0..<w { last.elements[s * (w + extra) + j] = sequence.elements[offset + s * w + j] } }
        } else {
            var y = x
            for l in convolutions.indices {
                y = try convolutions[l].forward(y, samples: b, steps: window)
                y = relus[l].forward(y)
            }
            for s in 0..<b { for j in 0..<w { last.elements[s * (w + extra) + j] = y.elements[(s * window + window - 1) * w + j] } }
        }
        if let e { for s in 0..<b { for j in 0..<extra { last.elements[s * (w + extra) + w + j] = e.elements[s * extra + j] } } }
        return try head.forward(dropout.forward(last, training: training))
    }

    /// Accumulates the gradients of every layer from dL/d(outputs) of the last forward pass.
    mutating func backward(_ dy: Matrix<T>) throws {
        let b = batch, w = bodyWidth
        let dHead = dropout.backward(try head.backward(dy))
        if !lstms.isEmpty {
            var d = try Matrix<T>(rows: b * window, columns: w)
            let offset = (window - 1) * b * w
            for s in 0..<b { for j in 0..<w { d.elements[offset + s * w + j] = dHead.elements[s * (w + extra) + j] } }
            for l in lstms.indices.reversed() { d = try lstms[l].backward(d) }
        } else {
            var d = try Matrix<T>(rows: b * window, columns: w)
            for s in 0..<b { for j in 0..<w { d.elements[(s * window + window - 1) * w + j] = dHead.elements[s * (w + extra) + j] } }
            for l in convolutions.indices.reversed() {
                d = relus[l].backward(d)
                d = try convolutions[l].backward(d)
            }
        }
    }
}
