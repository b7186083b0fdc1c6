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
    associatedtype Scalar: NeuralScalar
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
    mutating func glorot<T: NeuralScalar>(_ fanIn: Int, _ fanOut: Int, count: Int) -> [T] {
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        return (0..<count).map { _ in T((2 * next() - 1) * limit) }
    }
}
