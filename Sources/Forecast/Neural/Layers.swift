import Foundation
import LinearAlgebra

// Network layers with hand-written forward and backward passes over batched gemm (`LinearAlgebra`), generic over
// `Float` (training) and `Double` (gradient checks). A layer caches what its backward pass needs during
// `forward`; `backward` takes dL/d(output), accumulates dL/d(parameters) into `gradients` and returns
// dL/d(input). Shapes: a batch is a `Matrix` with one row per sample (dense, activations, dropout); sequences
// are `[Matrix]`, one batch matrix per time step (LSTM), or rows `(sample, time)` with channels as columns
// (convolution).

/// Elementwise math through Double (exact for Float; the cost is negligible next to gemm).
@inline(__always) func tanhT<T: BLASScalar>(_ x: T) -> T { T(Foundation.tanh(Double(x))) }
@inline(__always) func sigmoidT<T: BLASScalar>(_ x: T) -> T { T(1 / (1 + Foundation.exp(-Double(x)))) }

/// Parameters and their gradients, in the same order, as flat arrays (what the optimizer updates).
public protocol Trainable {
    associatedtype Scalar: BLASScalar
    var parameters: [[Scalar]] { get set }
    var gradients: [[Scalar]] { get set }
}

extension Trainable {
    /// Sets every gradient to zero.
    public mutating func zeroGradients() { gradients = gradients.map { [Scalar](repeating: 0, count: $0.count) } }
}

/// Glorot-uniform initial weights from a seeded generator (deterministic for a seed).
struct WeightInit {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / 9_007_199_254_740_992
    }
    mutating func glorot<T: BLASScalar>(_ fanIn: Int, _ fanOut: Int, count: Int) -> [T] {
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        return (0..<count).map { _ in T((2 * next() - 1) * limit) }
    }
}

/// `y = x W + b`, W of shape `inputs x outputs`.
public struct Dense<T: BLASScalar>: Trainable {
    public let inputs: Int, outputs: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    var input: Matrix<T>?

    public init(inputs: Int, outputs: Int, seed: UInt64) {
        self.inputs = inputs
        self.outputs = outputs
        var rng = WeightInit(state: seed)
        parameters = [rng.glorot(inputs, outputs, count: inputs * outputs), [T](repeating: 0, count: outputs)]
        gradients = [[T](repeating: 0, count: inputs * outputs), [T](repeating: 0, count: outputs)]
    }

    public mutating func forward(_ x: Matrix<T>) throws -> Matrix<T> {
        input = x
        let w = try Matrix(rows: inputs, columns: outputs, elements: parameters[0])
        var y = try Matrix<T>(rows: x.rows, columns: outputs)
        for i in 0..<x.rows { for j in 0..<outputs { y.elements[i * outputs + j] = parameters[1][j] } }
        try BLAS.gemm(x, w, into: &y, beta: 1)
        return y
    }

    public mutating func backward(_ dy: Matrix<T>) throws -> Matrix<T> {
        guard let x = input else { throw LinearAlgebraError.shapeMismatch(operation: "Dense.backward", detail: "no forward pass") }
        var dw = try Matrix(rows: inputs, columns: outputs, elements: gradients[0])
        try BLAS.gemm(x, dy, into: &dw, transposeA: true, beta: 1)
        gradients[0] = dw.elements
        for i in 0..<dy.rows { for j in 0..<outputs { gradients[1][j] += dy.elements[i * outputs + j] } }
        let w = try Matrix(rows: inputs, columns: outputs, elements: parameters[0])
        return try BLAS.multiply(dy, w, transposeB: true)
    }
}

/// An elementwise activation.
public struct Activation<T: BLASScalar> {
    public enum Kind: String, Codable, Sendable { case relu, tanh, sigmoid }
    public let kind: Kind
    var output: Matrix<T>?

    public init(_ kind: Kind) { self.kind = kind }

    public mutating func forward(_ x: Matrix<T>) -> Matrix<T> {
        var y = x
        switch kind {
        case .relu: for i in y.elements.indices where y.elements[i] < 0 { y.elements[i] = 0 }
        case .tanh: for i in y.elements.indices { y.elements[i] = tanhT(y.elements[i]) }
        case .sigmoid: for i in y.elements.indices { y.elements[i] = sigmoidT(y.elements[i]) }
        }
        output = y
        return y
    }

    public func backward(_ dy: Matrix<T>) -> Matrix<T> {
        guard let y = output else { return dy }
        var dx = dy
        for i in dx.elements.indices {
            let v = y.elements[i]
            switch kind {
            case .relu: if v <= 0 { dx.elements[i] = 0 }
            case .tanh: dx.elements[i] *= 1 - v * v
            case .sigmoid: dx.elements[i] *= v * (1 - v)
            }
        }
        return dx
    }
}

/// Inverted dropout: in training, each unit is zeroed with probability `rate` and the rest scaled by
/// `1 / (1 − rate)`; the mask comes from a seeded generator, so a run is repeatable. Identity in inference.
public struct Dropout<T: BLASScalar> {
    public let rate: Double
    var rng: WeightInit
    var mask: [T] = []

    public init(rate: Double, seed: UInt64) {
        self.rate = rate
        rng = WeightInit(state: seed)
    }

    public mutating func forward(_ x: Matrix<T>, training: Bool) -> Matrix<T> {
        guard training, rate > 0 else { mask = []; return x }
        let keep = T(1 / (1 - rate))
        mask = x.elements.map { _ in rng.next() < rate ? 0 : keep }
        var y = x
        for i in y.elements.indices { y.elements[i] *= mask[i] }
        return y
    }

    public func backward(_ dy: Matrix<T>) -> Matrix<T> {
        guard !mask.isEmpty else { return dy }
        var dx = dy
        for i in dx.elements.indices { dx.elements[i] *= mask[i] }
        return dx
    }
}

/// One LSTM layer over a sequence of batches. Gates in the order input, forget, cell, output (PyTorch's);
/// `W_x` is `inputs x 4H`, `W_h` is `H x 4H`, one bias of 4H (forget bias initialised to 1). The input
/// projection of all time steps is one gemm; the recurrence is one gemm per step; the backward pass through
/// time mirrors it (one gemm per step, two for all steps).
public struct LSTM<T: BLASScalar>: Trainable {
    public let inputs: Int, hidden: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    // Caches of the last forward pass: inputs, gate activations (B x 4H per step), cells and hidden states.
    var xs: [Matrix<T>] = []
    var gates: [[T]] = []
    var cells: [[T]] = []
    var hiddens: [[T]] = []

    public init(inputs: Int, hidden: Int, seed: UInt64) {
        self.inputs = inputs
        self.hidden = hidden
        var rng = WeightInit(state: seed)
        var bias = [T](repeating: 0, count: 4 * hidden)
        for j in hidden..<(2 * hidden) { bias[j] = 1 }
        parameters = [rng.glorot(inputs, 4 * hidden, count: inputs * 4 * hidden), rng.glorot(hidden, 4 * hidden, count: hidden * 4 * hidden), bias]
        gradients = parameters.map { [T](repeating: 0, count: $0.count) }
    }

    /// Hidden states of every step (`steps` matrices of `batch x hidden`), from zero initial states.
    public mutating func forward(_ sequence: [Matrix<T>]) throws -> [Matrix<T>] {
        guard let first = sequence.first else { return [] }
        let b = first.rows, h = hidden, steps = sequence.count
        guard sequence.allSatisfy({ $0.rows == b && $0.columns == inputs }) else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.forward", detail: "every step must be \(b)x\(inputs)")
        }
        xs = sequence
        let stacked = try Matrix(rows: steps * b, columns: inputs, elements: sequence.flatMap(\.elements))
        let wx = try Matrix(rows: inputs, columns: 4 * h, elements: parameters[0])
        let wh = try Matrix(rows: h, columns: 4 * h, elements: parameters[1])
        let projected = try BLAS.multiply(stacked, wx)      // (steps*B) x 4H
        gates = []; cells = [[T](repeating: 0, count: b * h)]; hiddens = [[T](repeating: 0, count: b * h)]
        var outputs: [Matrix<T>] = []
        for t in 0..<steps {
            var z = try Matrix(rows: b, columns: 4 * h, elements: Array(projected.elements[(t * b * 4 * h)..<((t + 1) * b * 4 * h)]))
            try BLAS.gemm(Matrix(rows: b, columns: h, elements: hiddens[t]), wh, into: &z, beta: 1)
            var c = [T](repeating: 0, count: b * h), hNew = [T](repeating: 0, count: b * h)
            for s in 0..<b {
                for j in 0..<h {
                    let base = s * 4 * h
                    let i = sigmoidT(z.elements[base + j] + parameters[2][j])
                    let f = sigmoidT(z.elements[base + h + j] + parameters[2][h + j])
                    let g = tanhT(z.elements[base + 2 * h + j] + parameters[2][2 * h + j])
                    let o = sigmoidT(z.elements[base + 3 * h + j] + parameters[2][3 * h + j])
                    z.elements[base + j] = i; z.elements[base + h + j] = f
                    z.elements[base + 2 * h + j] = g; z.elements[base + 3 * h + j] = o
                    let cell = f * cells[t][s * h + j] + i * g
                    c[s * h + j] = cell
                    hNew[s * h + j] = o * tanhT(cell)
                }
            }
            gates.append(z.elements)
            cells.append(c)
            hiddens.append(hNew)
            outputs.append(try Matrix(rows: b, columns: h, elements: hNew))
        }
        return outputs
    }

    /// Backward through time: `dOutputs[t]` is dL/dh_t (zero matrices where the loss does not read h_t).
    /// Returns dL/dx_t for every step.
    public mutating func backward(_ dOutputs: [Matrix<T>]) throws -> [Matrix<T>] {
        let steps = xs.count
        guard steps > 0, dOutputs.count == steps else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.backward", detail: "\(dOutputs.count) gradients for \(steps) steps")
        }
        let b = xs[0].rows, h = hidden
        let wh = try Matrix(rows: h, columns: 4 * h, elements: parameters[1])
        var dh = [T](repeating: 0, count: b * h), dc = [T](repeating: 0, count: b * h)
        var dz = [T](repeating: 0, count: steps * b * 4 * h)
        var dwh = try Matrix(rows: h, columns: 4 * h, elements: gradients[1])
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let g = gates[t]
            for k in 0..<(b * h) { dh[k] += dOutputs[t].elements[k] }
            let offset = t * b * 4 * h
            for s in 0..<b {
                for j in 0..<h {
                    let base = s * 4 * h, k = s * h + j
                    let i = g[base + j], f = g[base + h + j], gg = g[base + 2 * h + j], o = g[base + 3 * h + j]
                    let tc = tanhT(cells[t + 1][k])
                    let dcell = dc[k] + dh[k] * o * (1 - tc * tc)
                    dz[offset + base + j] = dcell * gg * i * (1 - i)
                    dz[offset + base + h + j] = dcell * cells[t][k] * f * (1 - f)
                    dz[offset + base + 2 * h + j] = dcell * i * (1 - gg * gg)
                    dz[offset + base + 3 * h + j] = dh[k] * tc * o * (1 - o)
                    dc[k] = dcell * f
                }
            }
            let dzt = try Matrix(rows: b, columns: 4 * h, elements: Array(dz[offset..<(offset + b * 4 * h)]))
            try BLAS.gemm(Matrix(rows: b, columns: h, elements: hiddens[t]), dzt, into: &dwh, transposeA: true, beta: 1)
            dh = try BLAS.multiply(dzt, wh, transposeB: true).elements
        }
        gradients[1] = dwh.elements
        let dzAll = try Matrix(rows: steps * b, columns: 4 * h, elements: dz)
        let stacked = try Matrix(rows: steps * b, columns: inputs, elements: xs.flatMap(\.elements))
        var dwx = try Matrix(rows: inputs, columns: 4 * h, elements: gradients[0])
        try BLAS.gemm(stacked, dzAll, into: &dwx, transposeA: true, beta: 1)
        gradients[0] = dwx.elements
        for r in 0..<(steps * b) { for j in 0..<(4 * h) { gradients[2][j] += dz[r * 4 * h + j] } }
        let wx = try Matrix(rows: inputs, columns: 4 * h, elements: parameters[0])
        let dx = try BLAS.multiply(dzAll, wx, transposeB: true)
        return (0..<steps).map { t in try! Matrix(rows: b, columns: inputs, elements: Array(dx.elements[(t * b * inputs)..<((t + 1) * b * inputs)])) }
    }
}

/// A causal, dilated 1-D convolution: `y[s, t, :] = b + Σ_k x[s, t − (K − 1 − k)·d, :] W_k` (zero before the
/// start), by im2col and one gemm (and two in the backward pass). Input rows are `(sample, time)` pairs,
/// sample major, `channels` columns.
public struct CausalConv1D<T: BLASScalar>: Trainable {
    public let channels: Int, filters: Int, kernel: Int, dilation: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    var columns: Matrix<T>?
    var shape = (samples: 0, steps: 0)

    public init(channels: Int, filters: Int, kernel: Int, dilation: Int, seed: UInt64) {
        (self.channels, self.filters, self.kernel, self.dilation) = (channels, filters, kernel, dilation)
        var rng = WeightInit(state: seed)
        parameters = [rng.glorot(kernel * channels, filters, count: kernel * channels * filters), [T](repeating: 0, count: filters)]
        gradients = parameters.map { [T](repeating: 0, count: $0.count) }
    }

    /// `x` has `samples * steps` rows and `channels` columns; the output has `filters` columns.
    public mutating func forward(_ x: Matrix<T>, samples: Int, steps: Int) throws -> Matrix<T> {
        guard x.rows == samples * steps, x.columns == channels else {
            throw LinearAlgebraError.shapeMismatch(operation: "CausalConv1D.forward", detail: "x is \(x.rows)x\(x.columns), expected \(samples * steps)x\(channels)")
        }
        shape = (samples, steps)
        let width = kernel * channels
        var cols = try Matrix<T>(rows: samples * steps, columns: width)
        for s in 0..<samples {
            for t in 0..<steps {
                for k in 0..<kernel {
                    let source = t - (kernel - 1 - k) * dilation
                    guard source >= 0 else { continue }
                    let from = (s * steps + source) * channels, to = (s * steps + t) * width + k * channels
                    for c in 0..<channels { cols.elements[to + c] = x.elements[from + c] }
                }
            }
        }
        columns = cols
        let w = try Matrix(rows: width, columns: filters, elements: parameters[0])
        var y = try Matrix<T>(rows: samples * steps, columns: filters)
        for r in 0..<y.rows { for j in 0..<filters { y.elements[r * filters + j] = parameters[1][j] } }
        try BLAS.gemm(cols, w, into: &y, beta: 1)
        return y
    }

    public mutating func backward(_ dy: Matrix<T>) throws -> Matrix<T> {
        guard let cols = columns else { throw LinearAlgebraError.shapeMismatch(operation: "CausalConv1D.backward", detail: "no forward pass") }
        let width = kernel * channels
        var dw = try Matrix(rows: width, columns: filters, elements: gradients[0])
        try BLAS.gemm(cols, dy, into: &dw, transposeA: true, beta: 1)
        gradients[0] = dw.elements
        for r in 0..<dy.rows { for j in 0..<filters { gradients[1][j] += dy.elements[r * filters + j] } }
        let w = try Matrix(rows: width, columns: filters, elements: parameters[0])
        let dcols = try BLAS.multiply(dy, w, transposeB: true)
        var dx = try Matrix<T>(rows: shape.samples * shape.steps, columns: channels)
        for s in 0..<shape.samples {
            for t in 0..<shape.steps {
                for k in 0..<kernel {
                    let source = t - (kernel - 1 - k) * dilation
                    guard source >= 0 else { continue }
                    let to = (s * shape.steps + source) * channels, from = (s * shape.steps + t) * width + k * channels
                    for c in 0..<channels { dx.elements[to + c] += dcols.elements[from + c] }
                }
            }
        }
        return dx
    }
}

/// Losses over a batch: the value and dL/d(prediction), averaged over every element.
public enum Loss {
    /// Mean squared error.
    public static func mse<T: BLASScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>) -> (value: T, gradient: Matrix<T>) {
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for i in g.elements.indices {
            let d = prediction.elements[i] - target.elements[i]
            value += d * d
            g.elements[i] = 2 * d / n
        }
        return (value / n, g)
    }

    /// Pinball loss at quantile `q`: `max(q (y − ŷ), (q − 1)(y − ŷ))`.
    public static func pinball<T: BLASScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>, quantile q: T) -> (value: T, gradient: Matrix<T>) {
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for i in g.elements.indices {
            let d = target.elements[i] - prediction.elements[i]
            value += d >= 0 ? q * d : (q - 1) * d
            g.elements[i] = (d >= 0 ? -q : 1 - q) / n
        }
        return (value / n, g)
    }
}

/// Adam (Kingma & Ba) with global-norm gradient clipping and a learning rate set per step (for schedules).
public struct Adam<T: BLASScalar> {
    public var learningRate: T
    public var beta1: T = 0.9, beta2: T = 0.999, epsilon: T = 1e-8
    /// Gradients are rescaled when their global L2 norm exceeds this (0: no clipping).
    public var clipNorm: T
    var m: [[T]] = [], v: [[T]] = []
    var step = 0

    public init(learningRate: T, clipNorm: T = 1) {
        self.learningRate = learningRate
        self.clipNorm = clipNorm
    }

    /// One update of `parameters` from `gradients` (same layout).
    public mutating func update(_ parameters: inout [[T]], _ gradients: [[T]]) {
        if m.isEmpty {
            m = gradients.map { [T](repeating: 0, count: $0.count) }
            v = m
        }
        step += 1
        var norm: T = 0
        for g in gradients { for x in g { norm += x * x } }
        norm = norm.squareRoot()
        let scale: T = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1
        let c1 = 1 - T(Foundation.pow(Double(beta1), Double(step))), c2 = 1 - T(Foundation.pow(Double(beta2), Double(step)))
        for a in parameters.indices {
            for i in parameters[a].indices {
                let g = gradients[a][i] * scale
                m[a][i] = beta1 * m[a][i] + (1 - beta1) * g
                v[a][i] = beta2 * v[a][i] + (1 - beta2) * g * g
                parameters[a][i] -= learningRate * (m[a][i] / c1) / ((v[a][i] / c2).squareRoot() + epsilon)
            }
        }
    }
}
