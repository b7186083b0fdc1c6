import DataIO
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
    /// Sets every gradient to zero. Inlinable, so that a layer of another module (the DQN's) gets it compiled for its
    /// scalar rather than copying each zero through the generic path.
    @inlinable public mutating func zeroGradients() { gradients = gradients.map { [Scalar](repeating: 0, count: $0.count) } }
}

/// Glorot-uniform initial weights from a seeded generator (deterministic for a seed).
struct WeightInit {
    var generator: SeededGenerator
    init(state: UInt64) { generator = SeededGenerator(seed: state) }
    /// A uniform double in [0, 1) from the top 53 bits.
    mutating func next() -> Double { Double(generator.next() >> 11) / 9_007_199_254_740_992 }
    mutating func glorot<T: NeuralScalar>(_ fanIn: Int, _ fanOut: Int, count: Int) -> [T] {
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        return (0..<count).map { _ in T((2 * next() - 1) * limit) }
    }
}
