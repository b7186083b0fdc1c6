import Foundation
import LinearAlgebra

/// `Double` (gradient checks): Foundation's `exp` and `tanh`, the cell by its scalar operations.
extension Double: NeuralScalar {
    public static func squareRoots(_ v: SIMD8<Double>) -> SIMD8<Double> { v.squareRoot() }

    public static func sigmoid(_ p: UnsafeMutablePointer<Double>, _ n: Int) { for i in 0..<n { p[i] = 1 / (1 + Foundation.exp(-p[i])) } }
    public static func tanh(_ p: UnsafeMutablePointer<Double>, _ n: Int) { for i in 0..<n { p[i] = Foundation.tanh(p[i]) } }

    public static func lstmCellForward(
        z: UnsafeMutablePointer<Double>, cellBefore: UnsafePointer<Double>, cell: UnsafeMutablePointer<Double>,
        tanhCell: UnsafeMutablePointer<Double>, hidden: UnsafeMutablePointer<Double>, h: Int
    ) {
        genericCellForward(z: z, cellBefore: cellBefore, cell: cell, tanhCell: tanhCell, hidden: hidden, h: h)
    }

    public static func lstmCellBackward(
        gates: UnsafePointer<Double>, cellBefore: UnsafePointer<Double>, tanhCell: UnsafePointer<Double>,
        dhCarry: UnsafePointer<Double>, dhLoss: UnsafePointer<Double>, dcCarry: UnsafeMutablePointer<Double>,
        dz: UnsafeMutablePointer<Double>, h: Int
    ) {
        genericCellBackward(
            gates: gates, cellBefore: cellBefore, tanhCell: tanhCell, dhCarry: dhCarry, dhLoss: dhLoss,
            dcCarry: dcCarry, dz: dz, h: h)
    }
}
