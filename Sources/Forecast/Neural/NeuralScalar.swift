import Foundation
import LinearAlgebra

/// A scalar the network layers train in: BLAS's gemm (``BLASScalar``) plus the elementwise work of the layers.
/// The fast paths are requirements, chosen by the type at compile time: `Float` (training) takes 8-lane
/// polynomial kernels (``Elementwise``, ``LSTMCellKernel``), `Double` (gradient checks) calls Foundation. Both
/// give each element the same operations in the same order whatever the grouping, so the generic and the fused
/// paths agree.
public protocol NeuralScalar: BLASScalar, SIMDScalar {
    /// `p[i] = 1 / (1 + e^{-p[i]})` for `i < n`.
    static func sigmoid(_ p: UnsafeMutablePointer<Self>, _ n: Int)
    /// `p[i] = tanh(p[i])` for `i < n`.
    static func tanh(_ p: UnsafeMutablePointer<Self>, _ n: Int)
    /// One sample's LSTM cell: activates the gate pre-activations `z` (i, f, g, o; `4h`) in place, then writes the
    /// new cell, its tanh and the new hidden state.
    static func lstmCellForward(
        z: UnsafeMutablePointer<Self>, cellBefore: UnsafePointer<Self>, cell: UnsafeMutablePointer<Self>,
        tanhCell: UnsafeMutablePointer<Self>, hidden: UnsafeMutablePointer<Self>, h: Int)
    /// One sample's gate gradients `dz` (`4h`) from the activated gates, the previous cell, tanh of the cell and
    /// dL/dh (the carried `dhCarry` plus the loss's `dhLoss`); updates the carried dL/dc in place.
    static func lstmCellBackward(
        gates: UnsafePointer<Self>, cellBefore: UnsafePointer<Self>, tanhCell: UnsafePointer<Self>,
        dhCarry: UnsafePointer<Self>, dhLoss: UnsafePointer<Self>, dcCarry: UnsafeMutablePointer<Self>,
        dz: UnsafeMutablePointer<Self>, h: Int)
    /// The square roots of eight lanes, each as `squareRoot()` gives it (IEEE, correctly rounded). The standard
    /// library's `SIMD8.squareRoot()` takes the lanes one by one through libm on Linux; `Float` uses the vector
    /// instruction on x86-64 (Adam's update).
    static func squareRoots(_ v: SIMD8<Self>) -> SIMD8<Self>
}

extension NeuralScalar {
    /// The cell's forward step by the scalar operations (any `h`).
    static func genericCellForward(
        z: UnsafeMutablePointer<Self>, cellBefore: UnsafePointer<Self>, cell: UnsafeMutablePointer<Self>,
        tanhCell: UnsafeMutablePointer<Self>, hidden: UnsafeMutablePointer<Self>, h: Int
    ) {
        sigmoid(z, 2 * h)
        tanh(z + 2 * h, h)
        sigmoid(z + 3 * h, h)
        for j in 0..<h {
            let v = z[h + j] * cellBefore[j] + z[j] * z[2 * h + j]
            cell[j] = v
            tanhCell[j] = v
        }
        tanh(tanhCell, h)
        for j in 0..<h { hidden[j] = z[3 * h + j] * tanhCell[j] }
    }

    /// The cell's backward step by the scalar operations (any `h`).
    static func genericCellBackward(
        gates: UnsafePointer<Self>, cellBefore: UnsafePointer<Self>, tanhCell: UnsafePointer<Self>,
        dhCarry: UnsafePointer<Self>, dhLoss: UnsafePointer<Self>, dcCarry: UnsafeMutablePointer<Self>,
        dz: UnsafeMutablePointer<Self>, h: Int
    ) {
        for j in 0..<h {
            let dhk = dhCarry[j] + dhLoss[j]
            let i = gates[j], f = gates[h + j], g = gates[2 * h + j], o = gates[3 * h + j], tcv = tanhCell[j]
            let dcell = dcCarry[j] + dhk * o * (1 - tcv * tcv)
            dz[j] = dcell * g * i * (1 - i)
            dz[h + j] = dcell * cellBefore[j] * f * (1 - f)
            dz[2 * h + j] = dcell * i * (1 - g * g)
            dz[3 * h + j] = dhk * tcv * o * (1 - o)
            dcCarry[j] = dcell * f
        }
    }
}
