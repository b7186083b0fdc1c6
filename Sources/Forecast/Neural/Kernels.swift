import Foundation
import LinearAlgebra
import Synchronization

/// Floating-point operations of the network layers' gemm calls since the process started (2 m n k per call),
/// for the benchmark's share of the machine's sgemm peak.
public enum GemmCounter {
    static let counter = Atomic<Int>(0)
    public static var flops: Int { counter.load(ordering: .relaxed) }
}

// Pointer-level kernels for the network layers: gemm on raw buffers (the layers own every shape, so the checks
// of `BLAS.gemm` would only repeat theirs) and vectorised sigmoid/tanh for `Float`.

/// `c = a·b + beta·c` on row-major buffers, `op` transposing when asked: `m x k` times `k x n`.
/// Callers guarantee the buffer sizes (each layer computes them from its own dimensions).
@inline(__always)
func gemm<T: BLASScalar>(
    _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
    beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int
) {
    guard m > 0, n > 0 else { return }
    GemmCounter.counter.add(2 * m * n * k, ordering: .relaxed)
    guard k > 0 else {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
        return
    }
    T._gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: max(1, lda), b: b, ldb: max(1, ldb),
        beta: beta, c: c, ldc: max(1, ldc))
}

/// Elementwise sigmoid and tanh in place, by the scalar type's own implementation (``NeuralScalar``). The `Float`
/// kernels take an 8-lane polynomial `exp` (Cephes' `expf`, relative error below 2e-7 before the division).
enum Elementwise {
    static func sigmoid<T: NeuralScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) { T.sigmoid(p, n) }

    static func tanh<T: NeuralScalar>(_ p: UnsafeMutablePointer<T>, _ n: Int) { T.tanh(p, n) }

    /// `f` over 8 lanes at a time; the tail goes through the same function in a padded vector.
    @inline(__always)
    static func apply(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) {
        var i = 0
        let raw = UnsafeMutableRawPointer(p)
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: f(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        if i < n {
            var v = SIMD8<Float>(repeating: 0)
            for j in 0..<(n - i) { v[j] = p[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { p[i + j] = r[j] }
        }
    }

    /// `e^x` for 8 lanes: `x = n ln 2 + r`, a degree-6 polynomial in `r`, and `2^n` built in the exponent bits.
    /// Round-to-nearest by the 1.5·2^23 trick (SSE2 has no vector rounding); inputs are clamped to ±87.
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var xc = x.replacing(with: -87, where: x .< -87)
        xc.replace(with: 87, where: xc .> 87)
        let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5 * 2^23
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        var r = xc - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000  // n as an integer
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
    }

    /// `tanh x = 1 − 2 / (1 + e^{2x})`.
    @inline(__always)
    static func tanh8(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 - 2 / (1 + exp8(2 * x)) }
}

/// The LSTM cell's elementwise work for `Float`, fused over 8 lanes: one pass per sample instead of five over the
/// step's buffers. Each lane does the operations of the generic loops in ``LSTM`` in their order (the same `exp8`),
/// so it gives their numbers (the Taylor backtest's errors did not change); a test compares it with the Double
/// path. Needs `hidden % 8 == 0`.
enum LSTMCellKernel {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V { UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i * 4, as: V.self) }
    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(p).storeBytes(of: v, toByteOffset: i * 4, as: V.self) }

    /// Activates one sample's gate pre-activations `z` (i, f, g, o; `4h`) in place, then writes the new cell,
    /// its tanh and the new hidden state.
    static func forward(
        z: UnsafeMutablePointer<Float>, cellBefore: UnsafePointer<Float>, cell: UnsafeMutablePointer<Float>,
        tanhCell: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>, h: Int
    ) {
        var j = 0
        while j < h {
            let i = 1 / (1 + Elementwise.exp8(-load(z, j)))
            let f = 1 / (1 + Elementwise.exp8(-load(z, h + j)))
            let g = Elementwise.tanh8(load(z, 2 * h + j))
            let o = 1 / (1 + Elementwise.exp8(-load(z, 3 * h + j)))
            store(i, z, j); store(f, z, h + j); store(g, z, 2 * h + j); store(o, z, 3 * h + j)
            let c = f * load(cellBefore, j) + i * g
            store(c, cell, j)
            let tc = Elementwise.tanh8(c)
            store(tc, tanhCell, j)
            store(o * tc, hidden, j)
            j += 8
        }
    }

    /// One sample's gate gradients `dz` (`4h`) from the activated gates, the previous cell, tanh of the cell and
    /// dL/dh (the carried `dhCarry` plus the loss's `dhLoss`); updates the carried dL/dc in place.
    static func backward(
        gates: UnsafePointer<Float>, cellBefore: UnsafePointer<Float>, tanhCell: UnsafePointer<Float>,
        dhCarry: UnsafePointer<Float>, dhLoss: UnsafePointer<Float>, dcCarry: UnsafeMutablePointer<Float>,
        dz: UnsafeMutablePointer<Float>, h: Int
    ) {
        var j = 0
        while j < h {
            let dh = load(dhCarry, j) + load(dhLoss, j)
            let i = load(gates, j), f = load(gates, h + j), g = load(gates, 2 * h + j), o = load(gates, 3 * h + j)
            let tc = load(tanhCell, j)
            let dcell = load(dcCarry, j) + dh * o * (1 - tc * tc)
            store(dcell * g * i * (1 - i), dz, j)
            store(dcell * load(cellBefore, j) * f * (1 - f), dz, h + j)
            store(dcell * i * (1 - g * g), dz, 2 * h + j)
            store(dh * tc * o * (1 - o), dz, 3 * h + j)
            store(dcell * f, dcCarry, j)
            j += 8
        }
    }
}
