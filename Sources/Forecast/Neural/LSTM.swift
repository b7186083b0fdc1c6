import Foundation
import LinearAlgebra

/// One LSTM layer over a sequence of batches. Gates in PyTorch's order (input, forget, cell, output);
/// `W_x` is `inputs x 4H`, `W_h` is `H x 4H`, one bias of 4H (forget bias initialised to 1). The input
/// projection of all time steps is one gemm; the recurrence is one gemm per step. Backward through time is one
/// gemm per step plus three for all steps (`dW_x`, `dW_h` and `dx`), on flat buffers without per-step copies.
///
/// The sequence is one matrix with rows `(step, sample)`, step major: `steps * batch` rows of `inputs`.
public struct LSTM<T: NeuralScalar>: Trainable {
    public let inputs: Int, hidden: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    /// Caches of the last forward pass (step major): inputs, activated gates (steps x B x 4H), cells and hidden
    /// states ((steps + 1) x B x H, the zero initial state first) and tanh of the cells (steps x B x H); and the
    /// backward pass's scratch (gate gradients, carried dL/dh and dL/dc, dL/dx, W_h transposed).
    enum Slot: Int, CaseIterable { case x, gates, cells, tanhCells, hiddens, dz, dh, dc, dx, whT }
    var workspace = Workspace<T>(slots: Slot.allCases.count)
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

    func buffer(_ slot: Slot, _ count: Int) -> UnsafeMutablePointer<T> { workspace.slot(slot.rawValue, count) }
    func zeroed(_ slot: Slot, _ count: Int) -> UnsafeMutablePointer<T> { workspace.zeroed(slot.rawValue, count) }

    /// Hidden states of every step (`steps * batch` rows of `hidden`, step major) from zero initial states.
    public mutating func forward(_ sequence: Matrix<T>, batch b: Int) throws -> Matrix<T> {
        guard b > 0, sequence.rows > 0, sequence.columns == inputs, sequence.rows % b == 0 else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "LSTM.forward", detail: "\(sequence.rows)x\(sequence.columns) is not steps x \(b) rows of \(inputs)")
        }
        Workspace.ensureUnique(&workspace, slots: Slot.allCases.count)
        let h = hidden, g4 = 4 * hidden, n = sequence.rows / b, bh = b * h
        (batch, steps) = (b, n)
        let X = workspace.copy(Slot.x.rawValue, sequence.elements)
        let Z = zeroed(.gates, n * b * g4), C = zeroed(.cells, (n + 1) * bh), TC = zeroed(.tanhCells, n * bh)
        let H = zeroed(.hiddens, (n + 1) * bh)
        parameters.withPointers { p in
            let (wx, wh, bias) = (p[0], p[1], p[2])
            for r in 0..<(n * b) { (Z + r * g4).update(from: bias, count: g4) }
            gemm(false, false, n * b, g4, inputs, X, inputs, wx, g4, beta: 1, Z, g4)
            for t in 0..<n {
                let zt = Z + t * b * g4
                if t > 0 { gemm(false, false, b, g4, h, H + t * bh, h, wh, g4, beta: 1, zt, g4) }  // h_0 = 0
                for s in 0..<b {
                    T.lstmCellForward(
                        z: zt + s * g4, cellBefore: C + t * bh + s * h, cell: C + (t + 1) * bh + s * h,
                        tanhCell: TC + t * bh + s * h, hidden: H + (t + 1) * bh + s * h, h: h)
                }
            }
        }
        return try Matrix(rows: n * b, columns: h, elements: workspace.array(Slot.hiddens.rawValue, from: bh, count: n * bh))
    }

    /// Backward through time from dL/dh for every step (`steps * batch` rows of `hidden`, zero where the loss
    /// does not read a step). Returns dL/dx in the input's layout.
    public mutating func backward(_ dHidden: Matrix<T>) throws -> Matrix<T> {
        let b = batch, n = steps, h = hidden, g4 = 4 * hidden, bh = b * h
        guard n > 0, dHidden.rows == n * b, dHidden.columns == h else {
            throw LinearAlgebraError.shapeMismatch(operation: "LSTM.backward", detail: "dHidden is \(dHidden.rows)x\(dHidden.columns), expected \(n * b)x\(h)")
        }
        let inputs = inputs
        let G = buffer(.gates, n * b * g4), C = buffer(.cells, (n + 1) * bh), TC = buffer(.tanhCells, n * bh)
        let H = buffer(.hiddens, (n + 1) * bh), X = buffer(.x, n * b * inputs)
        let DZ = zeroed(.dz, n * b * g4), dhp = zeroed(.dh, bh), dcp = zeroed(.dc, bh), DX = zeroed(.dx, n * b * inputs)
        // W_h transposed once, so that the per-step gemm is a plain (non-transposed) product, which OpenBLAS
        // runs through its small-matrix kernels without packing.
        let whT = buffer(.whT, h * g4)
        for i in 0..<h { for j in 0..<g4 { whT[j * h + i] = parameters[1][i * g4 + j] } }
        dHidden.elements.withUnsafeBufferPointer { DH in
            let DH = DH.baseAddress!
            for t in stride(from: n - 1, through: 0, by: -1) {
                let gt = G + t * b * g4, dzt = DZ + t * b * g4
                for s in 0..<b {
                    T.lstmCellBackward(
                        gates: gt + s * g4, cellBefore: C + t * bh + s * h, tanhCell: TC + t * bh + s * h,
                        dhCarry: dhp + s * h, dhLoss: DH + t * bh + s * h, dcCarry: dcp + s * h, dz: dzt + s * g4, h: h)
                }
                if t > 0 { gemm(false, false, b, h, g4, dzt, g4, whT, h, beta: 0, dhp, h) }
            }
        }
        parameters.withPointers { p in
            gradients.withMutablePointers { g in
                gemm(true, false, inputs, g4, n * b, X, inputs, DZ, g4, beta: 1, g[0], g4)
                gemm(true, false, h, g4, n * b, H, h, DZ, g4, beta: 1, g[1], g4)
                for r in 0..<(n * b) { for j in 0..<g4 { g[2][j] += DZ[r * g4 + j] } }
                gemm(false, true, n * b, inputs, g4, DZ, g4, p[0], g4, beta: 0, DX, inputs)
            }
        }
        return try Matrix(rows: n * b, columns: inputs, elements: workspace.array(Slot.dx.rawValue, count: n * b * inputs))
    }

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
