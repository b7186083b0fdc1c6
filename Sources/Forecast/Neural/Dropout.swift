import Foundation
import LinearAlgebra

/// Inverted dropout: in training, each unit is zeroed with probability `rate` and the rest scaled by
/// `1 / (1 − rate)`; the mask comes from a seeded generator, so a run is repeatable. Identity in inference.
public struct Dropout<T: NeuralScalar> {
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
