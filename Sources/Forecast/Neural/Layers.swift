import Foundation
import LinearAlgebra

// Network layers with hand-written forward and backward passes over batched gemm (`LinearAlgebra`), generic over
// `Float` (training) and `Double` (gradient checks). A layer caches what its backward pass needs during
// `forward`; `backward` takes dL/d(output), accumulates dL/d(parameters) into `gradients` and returns
// dL/d(input). Shapes: a batch is a `Matrix` with one row per sample (dense, activations, dropout); sequences
// are `[Matrix]`, one batch matrix per time step (LSTM), or rows `(sample, time)` with channels as columns
// (convolution).

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
        guard x.columns == inputs else {
            throw LinearAlgebraError.shapeMismatch(operation: "Dense.forward", detail: "x is \(x.rows)x\(x.columns), expected \(inputs) columns")
        }
        input = x
        var y = [T](repeating: 0, count: x.rows * outputs)
        let (m, k, n) = (x.rows, inputs, outputs)
        parameters[0].withUnsafeBufferPointer { w in parameters[1].withUnsafeBufferPointer { bias in
        x.elements.withUnsafeBufferPointer { X in y.withUnsafeMutableBufferPointer { Y in
            guard m > 0 else { return }
            for i in 0..<m { (Y.baseAddress! + i * n).update(from: bias.baseAddress!, count: n) }
            gemm(false, false, m, n, k, X.baseAddress!, k, w.baseAddress!, n, beta: 1, Y.baseAddress!, n)
        } } } }
        return try Matrix(rows: m, columns: n, elements: y)
    }

    public mutating func backward(_ dy: Matrix<T>) throws -> Matrix<T> {
        guard let x = input, dy.rows == x.rows, dy.columns == outputs else {
            throw LinearAlgebraError.shapeMismatch(operation: "Dense.backward", detail: "no forward pass or dy of the wrong shape")
        }
        let (m, k, n) = (x.rows, inputs, outputs)
        var dx = [T](repeating: 0, count: m * k)
        var gW = gradients[0], gB = gradients[1]
        gradients = []
        defer { gradients = [gW, gB] }
        parameters[0].withUnsafeBufferPointer { w in x.elements.withUnsafeBufferPointer { X in dy.elements.withUnsafeBufferPointer { DY in
        gW.withUnsafeMutableBufferPointer { GW in gB.withUnsafeMutableBufferPointer { GB in dx.withUnsafeMutableBufferPointer { DX in
            guard m > 0 else { return }
            gemm(true, false, k, n, m, X.baseAddress!, k, DY.baseAddress!, n, beta: 1, GW.baseAddress!, n)
            for i in 0..<m { for j in 0..<n { GB[j] += DY[i * n + j] } }
            gemm(false, true, m, k, n, DY.baseAddress!, n, w.baseAddress!, n, beta: 0, DX.baseAddress!, k)
        } } } } } }
        return try Matrix(rows: m, columns: k, elements: dx)
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
        guard !y.elements.isEmpty else { output = y; return y }
        y.elements.withUnsafeMutableBufferPointer { p in
            switch kind {
            case .relu: for i in 0..<p.count { p[i] = max(p[i], 0) }
            case .tanh: Elementwise.tanh(p.baseAddress!, p.count)
            case .sigmoid: Elementwise.sigmoid(p.baseAddress!, p.count)
            }
        }
        output = y
        return y
    }

    public func backward(_ dy: Matrix<T>) -> Matrix<T> {
        guard let y = output, y.elements.count == dy.elements.count else { return dy }
        var dx = dy
        dx.elements.withUnsafeMutableBufferPointer { d in
            y.elements.withUnsafeBufferPointer { v in
                switch kind {
                case .relu: for i in 0..<d.count where v[i] <= 0 { d[i] = 0 }
                case .tanh: for i in 0..<d.count { d[i] *= 1 - v[i] * v[i] }
                case .sigmoid: for i in 0..<d.count { d[i] *= v[i] * (1 - v[i]) }
                }
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

    /// Restarts the mask generator (data-parallel replicas draw their masks from per-batch seeds).
    public mutating func reseed(_ seed: UInt64) { rng = WeightInit(state: seed) }

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

/// One LSTM layer over a sequence of batches. Gates in PyTorch's order (input, forget, cell, output);
/// `W_x` is `inputs x 4H`, `W_h` is `H x 4H`, one bias of 4H (forget bias initialised to 1). The input
/// projection of all time steps is one gemm; the recurrence is one gemm per step. Backward through time is one
/// gemm per step plus three for all steps (`dW_x`, `dW_h` and `dx`), on flat buffers without per-step copies.
///
/// The sequence is one matrix with rows `(step, sample)`, step major: `steps * batch` rows of `inputs`.
public struct LSTM<T: BLASScalar>: Trainable {
    public let inputs: Int, hidden: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    // Caches of the last forward pass (step major): inputs, activated gates (steps x B x 4H), cells and hidden
    // states ((steps + 1) x B x H, the zero initial state first) and tanh of the cells (steps x B x H).
    var x: [T] = []
    var gates: [T] = []
    var cells: [T] = []
    var tanhCells: [T] = []
    var hiddens: [T] = []
    var batch = 0, steps = 0

    public init(inputs: Int, hidden: Int, seed: UInt64) {
        self.inputs = inputs
        self.hidden = hidden
        var rng = WeightInit(state: seed)
        var bias = [T](repeating: 0, count: 4 * hidden)
        for j in hidden..<(2 * hidden) { bias[j] = 1 }
        parameters = [rng.glorot(inputs, 4 * hidden, count: inputs * 4 * hidden), rng.glorot(hidden, 4 * hidden, count: hidden * 4 * hidden), bias]
        gradients = parameters.map { [T](repeating: 0, count: $0.count) }
    }

    /// Hidden states of every step (`steps * batch` rows of `hidden`, step major) from zero initial states.
    public mutating func forward(_ sequence: Matrix<T>, batch b: Int) throws -> Matrix<T> {
        guard b > 0, sequence.rows > 0, sequence.columns == inputs, sequence.rows % b == 0 else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.forward", detail: "\(sequence.rows)x\(sequence.columns) is not steps x \(b) rows of \(inputs)")
        }
        let h = hidden, g4 = 4 * hidden, n = sequence.rows / b, bh = b * h
        (batch, steps) = (b, n)
        x = sequence.elements
        var z = [T](repeating: 0, count: n * b * g4)
        var c = [T](repeating: 0, count: (n + 1) * bh), tc = [T](repeating: 0, count: n * bh), hs = [T](repeating: 0, count: (n + 1) * bh)
        let inputs = inputs, fused = Self.fusedCell(h)
        parameters[0].withUnsafeBufferPointer { wx in parameters[1].withUnsafeBufferPointer { wh in parameters[2].withUnsafeBufferPointer { bias in
        x.withUnsafeBufferPointer { X in z.withUnsafeMutableBufferPointer { Z in c.withUnsafeMutableBufferPointer { C in
        tc.withUnsafeMutableBufferPointer { TC in hs.withUnsafeMutableBufferPointer { H in
            let Z = Z.baseAddress!, C = C.baseAddress!, TC = TC.baseAddress!, H = H.baseAddress!
            for r in 0..<(n * b) { (Z + r * g4).update(from: bias.baseAddress!, count: g4) }
            gemm(false, false, n * b, g4, inputs, X.baseAddress!, inputs, wx.baseAddress!, g4, beta: 1, Z, g4)
            for t in 0..<n {
                let zt = Z + t * b * g4
                if t > 0 { gemm(false, false, b, g4, h, H + t * bh, h, wh.baseAddress!, g4, beta: 1, zt, g4) }   // h_0 = 0
                let cPrev = C + t * bh, cNew = C + (t + 1) * bh, tct = TC + t * bh, hNew = H + (t + 1) * bh
                if fused {
                    for s in 0..<b {
                        LSTMCellKernel.forward(z: Self.float(zt + s * g4), cellBefore: Self.constFloat(cPrev + s * h), cell: Self.float(cNew + s * h),
                                               tanhCell: Self.float(tct + s * h), hidden: Self.float(hNew + s * h), h: h)
                    }
                    continue
                }
                for s in 0..<b {
                    Elementwise.sigmoid(zt + s * g4, 2 * h)
                    Elementwise.tanh(zt + s * g4 + 2 * h, h)
                    Elementwise.sigmoid(zt + s * g4 + 3 * h, h)
                }
                for s in 0..<b {
                    let zs = zt + s * g4
                    for j in 0..<h {
                        let v = zs[h + j] * cPrev[s * h + j] + zs[j] * zs[2 * h + j]
                        cNew[s * h + j] = v
                        tct[s * h + j] = v
                    }
                }
                Elementwise.tanh(tct, bh)
                for s in 0..<b {
                    let zs = zt + s * g4
                    for j in 0..<h { hNew[s * h + j] = zs[3 * h + j] * tct[s * h + j] }
                }
            }
        } } } } } } } }
        gates = z
        cells = c
        tanhCells = tc
        hiddens = hs
        return try Matrix(rows: n * b, columns: h, elements: Array(hs[bh...]))
    }

    /// Backward through time from dL/dh for every step (`steps * batch` rows of `hidden`, zero where the loss
    /// does not read a step). Returns dL/dx in the input's layout.
    public mutating func backward(_ dHidden: Matrix<T>) throws -> Matrix<T> {
        let b = batch, n = steps, h = hidden, g4 = 4 * hidden, bh = b * h
        guard n > 0, dHidden.rows == n * b, dHidden.columns == h else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.backward", detail: "dHidden is \(dHidden.rows)x\(dHidden.columns), expected \(n * b)x\(h)")
        }
        var dz = [T](repeating: 0, count: n * b * g4)
        var dh = [T](repeating: 0, count: bh), dc = [T](repeating: 0, count: bh)
        var dx = [T](repeating: 0, count: n * b * inputs)
        // W_h transposed once, so that the per-step gemm is a plain (non-transposed) product, which OpenBLAS
        // runs through its small-matrix kernels without packing.
        let fused = Self.fusedCell(h)
        var whT = [T](repeating: 0, count: h * g4)
        for i in 0..<h { for j in 0..<g4 { whT[j * h + i] = parameters[1][i * g4 + j] } }
        let inputs = inputs
        // Gradients moved out (no copy) so the three buffers can be written at once.
        var gWx = gradients[0], gWh = gradients[1], gB = gradients[2]
        gradients = []
        defer { gradients = [gWx, gWh, gB] }
        parameters[0].withUnsafeBufferPointer { wx in
        gWx.withUnsafeMutableBufferPointer { gwx in gWh.withUnsafeMutableBufferPointer { gwh in
        gB.withUnsafeMutableBufferPointer { gb in
        gates.withUnsafeBufferPointer { G in cells.withUnsafeBufferPointer { C in tanhCells.withUnsafeBufferPointer { TC in
        hiddens.withUnsafeBufferPointer { H in x.withUnsafeBufferPointer { X in dHidden.elements.withUnsafeBufferPointer { DH in
        dz.withUnsafeMutableBufferPointer { DZ in dh.withUnsafeMutableBufferPointer { dhp in dc.withUnsafeMutableBufferPointer { dcp in
        dx.withUnsafeMutableBufferPointer { DX in
            let G = G.baseAddress!, C = C.baseAddress!, TC = TC.baseAddress!, DZ = DZ.baseAddress!
            let dhp = dhp.baseAddress!, dcp = dcp.baseAddress!, DH = DH.baseAddress!
            for t in stride(from: n - 1, through: 0, by: -1) {
                let gt = G + t * b * g4, dzt = DZ + t * b * g4, cPrev = C + t * bh, tct = TC + t * bh, dht = DH + t * bh
                for s in 0..<b where fused {
                    LSTMCellKernel.backward(gates: Self.constFloat(gt + s * g4), cellBefore: Self.constFloat(cPrev + s * h), tanhCell: Self.constFloat(tct + s * h),
                                            dhCarry: Self.float(dhp + s * h), dhLoss: Self.constFloat(dht + s * h), dcCarry: Self.float(dcp + s * h),
                                            dz: Self.float(dzt + s * g4), h: h)
                }
                for s in 0..<b where !fused {
                    let gs = gt + s * g4, dzs = dzt + s * g4
                    for j in 0..<h {
                        let k = s * h + j
                        let dhk = dhp[k] + dht[k]
                        let i = gs[j], f = gs[h + j], g = gs[2 * h + j], o = gs[3 * h + j], tcv = tct[k]
                        let dcell = dcp[k] + dhk * o * (1 - tcv * tcv)
                        dzs[j] = dcell * g * i * (1 - i)
                        dzs[h + j] = dcell * cPrev[k] * f * (1 - f)
                        dzs[2 * h + j] = dcell * i * (1 - g * g)
                        dzs[3 * h + j] = dhk * tcv * o * (1 - o)
                        dcp[k] = dcell * f
                    }
                }
                if t > 0 { whT.withUnsafeBufferPointer { gemm(false, false, b, h, g4, dzt, g4, $0.baseAddress!, h, beta: 0, dhp, h) } }
            }
            gemm(true, false, inputs, g4, n * b, X.baseAddress!, inputs, DZ, g4, beta: 1, gwx.baseAddress!, g4)
            gemm(true, false, h, g4, n * b, H.baseAddress!, h, DZ, g4, beta: 1, gwh.baseAddress!, g4)
            for r in 0..<(n * b) { for j in 0..<g4 { gb[j] += DZ[r * g4 + j] } }
            gemm(false, true, n * b, inputs, g4, DZ, g4, wx.baseAddress!, g4, beta: 0, DX.baseAddress!, inputs)
        } } } } } } } } } } } } } }
        return try Matrix(rows: n * b, columns: inputs, elements: dx)
    }

    /// Whether the cell's elementwise work takes ``LSTMCellKernel`` (Float, hidden a multiple of 8): the generic
    /// loops' operations in one 8-lane pass per sample.
    static func fusedCell(_ hidden: Int) -> Bool { T.self == Float.self && hidden % 8 == 0 }

    @inline(__always)
    static func constFloat(_ p: UnsafePointer<T>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
    @inline(__always)
    static func float(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self) }

    /// The same over one matrix per step (`batch x inputs` each); returns one `batch x hidden` matrix per step.
    public mutating func forward(_ sequence: [Matrix<T>]) throws -> [Matrix<T>] {
        guard let first = sequence.first else { return [] }
        let b = first.rows
        guard sequence.allSatisfy({ $0.rows == b && $0.columns == inputs }) else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.forward", detail: "every step must be \(b)x\(inputs)")
        }
        let out = try forward(Matrix(rows: sequence.count * b, columns: inputs, elements: sequence.flatMap(\.elements)), batch: b)
        return try Self.split(out, steps: sequence.count)
    }

    /// Backward for ``forward(_:)-([Matrix])``: one dL/dh matrix per step in, one dL/dx matrix per step out.
    public mutating func backward(_ dOutputs: [Matrix<T>]) throws -> [Matrix<T>] {
        guard dOutputs.count == steps, steps > 0 else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.backward", detail: "\(dOutputs.count) gradients for \(steps) steps")
        }
        let dx = try backward(Matrix(rows: steps * batch, columns: hidden, elements: dOutputs.flatMap(\.elements)))
        return try Self.split(dx, steps: steps)
    }

    static func split(_ m: Matrix<T>, steps: Int) throws -> [Matrix<T>] {
        let rows = m.rows / steps, size = rows * m.columns
        return try (0..<steps).map { t in try Matrix(rows: rows, columns: m.columns, elements: Array(m.elements[(t * size)..<((t + 1) * size)])) }
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
        guard samples > 0, steps > 0, x.rows == samples * steps, x.columns == channels else {
            throw LinearAlgebraError.shapeMismatch(operation: "CausalConv1D.forward", detail: "x is \(x.rows)x\(x.columns), expected \(samples * steps)x\(channels)")
        }
        shape = (samples, steps)
        let width = kernel * channels, rows = samples * steps, (channels, filters, kernel, dilation) = (channels, filters, kernel, dilation)
        var cols = [T](repeating: 0, count: rows * width)
        var y = [T](repeating: 0, count: rows * filters)
        x.elements.withUnsafeBufferPointer { X in cols.withUnsafeMutableBufferPointer { C in y.withUnsafeMutableBufferPointer { Y in
        parameters[0].withUnsafeBufferPointer { w in parameters[1].withUnsafeBufferPointer { bias in
            let X = X.baseAddress!, C = C.baseAddress!, Y = Y.baseAddress!
            for s in 0..<samples {
                for t in 0..<steps {
                    for k in 0..<kernel {
                        let source = t - (kernel - 1 - k) * dilation
                        guard source >= 0 else { continue }
                        (C + (s * steps + t) * width + k * channels).update(from: X + (s * steps + source) * channels, count: channels)
                    }
                }
            }
            for r in 0..<rows { (Y + r * filters).update(from: bias.baseAddress!, count: filters) }
            gemm(false, false, rows, filters, width, C, width, w.baseAddress!, filters, beta: 1, Y, filters)
        } } } } }
        columns = try Matrix(rows: rows, columns: width, elements: cols)
        return try Matrix(rows: rows, columns: filters, elements: y)
    }

    public mutating func backward(_ dy: Matrix<T>) throws -> Matrix<T> {
        guard let cols = columns, dy.rows == cols.rows, dy.columns == filters else {
            throw LinearAlgebraError.shapeMismatch(operation: "CausalConv1D.backward", detail: "no forward pass or dy of the wrong shape")
        }
        let width = kernel * channels, rows = cols.rows, (samples, steps) = shape, (channels, filters, kernel, dilation) = (channels, filters, kernel, dilation)
        var dcols = [T](repeating: 0, count: rows * width)
        var dx = [T](repeating: 0, count: rows * channels)
        var gW = gradients[0], gB = gradients[1]
        gradients = []
        defer { gradients = [gW, gB] }
        cols.elements.withUnsafeBufferPointer { C in dy.elements.withUnsafeBufferPointer { DY in parameters[0].withUnsafeBufferPointer { w in
        gW.withUnsafeMutableBufferPointer { GW in gB.withUnsafeMutableBufferPointer { GB in
        dcols.withUnsafeMutableBufferPointer { DC in dx.withUnsafeMutableBufferPointer { DX in
            let DY = DY.baseAddress!, DC = DC.baseAddress!, DX = DX.baseAddress!
            gemm(true, false, width, filters, rows, C.baseAddress!, width, DY, filters, beta: 1, GW.baseAddress!, filters)
            for r in 0..<rows { for j in 0..<filters { GB[j] += DY[r * filters + j] } }
            gemm(false, true, rows, width, filters, DY, filters, w.baseAddress!, filters, beta: 0, DC, width)
            for s in 0..<samples {
                for t in 0..<steps {
                    for k in 0..<kernel {
                        let source = t - (kernel - 1 - k) * dilation
                        guard source >= 0 else { continue }
                        let to = DX + (s * steps + source) * channels, from = DC + (s * steps + t) * width + k * channels
                        for c in 0..<channels { to[c] += from[c] }
                    }
                }
            }
        } } } } } } }
        return try Matrix(rows: rows, columns: channels, elements: dx)
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

extension Loss {
    /// Pinball loss of several quantiles at once: `prediction` holds one block of `target.columns` columns per
    /// quantile (block `k` predicts quantile `quantiles[k]`); the value is the mean over every predicted element.
    public static func quantiles<T: BLASScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>, quantiles: [T]) throws -> (value: T, gradient: Matrix<T>) {
        let h = target.columns, width = h * quantiles.count
        guard prediction.rows == target.rows, prediction.columns == width else {
            throw LinearAlgebraError.shapeMismatch(operation: "Loss.quantiles", detail: "prediction is \(prediction.rows)x\(prediction.columns), expected \(target.rows)x\(width)")
        }
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for r in 0..<prediction.rows {
            for (k, q) in quantiles.enumerated() {
                for j in 0..<h {
                    let i = r * width + k * h + j
                    let d = target.elements[r * h + j] - prediction.elements[i]
                    value += d >= 0 ? q * d : (q - 1) * d
                    g.elements[i] = (d >= 0 ? -q : 1 - q) / n
                }
            }
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
        let (beta1, beta2, epsilon, rate) = (beta1, beta2, epsilon, learningRate)
        for a in parameters.indices {
            parameters[a].withUnsafeMutableBufferPointer { p in gradients[a].withUnsafeBufferPointer { g in
            m[a].withUnsafeMutableBufferPointer { m in v[a].withUnsafeMutableBufferPointer { v in
                for i in 0..<p.count {
                    let gi = g[i] * scale
                    m[i] = beta1 * m[i] + (1 - beta1) * gi
                    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                    p[i] -= rate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
                }
            } } } }
        }
    }
}
