import LinearAlgebra

#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif

/// `Float`: the 8-lane kernels (Cephes' `expf` polynomial), the fused LSTM cell where `h` is a multiple of 8.
extension Float: NeuralScalar {
    public static func squareRoots(_ v: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
            // SSE's sqrtps, four lanes at a time (SSE2 is in every x86-64).
            let low = _mm_sqrt_ps(v.lowHalf), high = _mm_sqrt_ps(v.highHalf)
            return SIMD8(lowHalf: low, highHalf: high)
        #else
            return v.squareRoot()
        #endif
    }

    public static func sigmoid(_ p: UnsafeMutablePointer<Float>, _ n: Int) { Elementwise.apply(p, n) { 1 / (1 + Elementwise.exp8(-$0)) } }
    public static func tanh(_ p: UnsafeMutablePointer<Float>, _ n: Int) { Elementwise.apply(p, n) { Elementwise.tanh8($0) } }

    public static func lstmCellForward(
        z: UnsafeMutablePointer<Float>, cellBefore: UnsafePointer<Float>, cell: UnsafeMutablePointer<Float>,
        tanhCell: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>, h: Int
    ) {
        if h % 8 == 0 {
            LSTMCellKernel.forward(z: z, cellBefore: cellBefore, cell: cell, tanhCell: tanhCell, hidden: hidden, h: h)
        } else {
            genericCellForward(z: z, cellBefore: cellBefore, cell: cell, tanhCell: tanhCell, hidden: hidden, h: h)
        }
    }

    public static func lstmCellBackward(
        gates: UnsafePointer<Float>, cellBefore: UnsafePointer<Float>, tanhCell: UnsafePointer<Float>,
        dhCarry: UnsafePointer<Float>, dhLoss: UnsafePointer<Float>, dcCarry: UnsafeMutablePointer<Float>,
        dz: UnsafeMutablePointer<Float>, h: Int
    ) {
        if h % 8 == 0 {
            LSTMCellKernel.backward(
                gates: gates, cellBefore: cellBefore, tanhCell: tanhCell, dhCarry: dhCarry, dhLoss: dhLoss,
                dcCarry: dcCarry, dz: dz, h: h)
        } else {
            genericCellBackward(
                gates: gates, cellBefore: cellBefore, tanhCell: tanhCell, dhCarry: dhCarry, dhLoss: dhLoss,
                dcCarry: dcCarry, dz: dz, h: h)
        }
    }
}
