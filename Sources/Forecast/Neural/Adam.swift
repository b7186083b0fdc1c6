import Foundation
import LinearAlgebra

/// Adam (Kingma & Ba) with global-norm gradient clipping and a learning rate set per step (for schedules).
public struct Adam<T: NeuralScalar> {
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

    // Compiled for Float here too, so callers in other modules (the DQN) do not run the generic code.
    /// One update of `parameters` from `gradients` (same layout).
    @_specialize(exported:true,where T == Float)
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
        let counts = parameters.map(\.count)
        parameters.withMutablePointers { p in
            gradients.withPointers { g in
                m.withMutablePointers { m in
                    v.withMutablePointers { v in
                        for a in counts.indices {
                            let (p, g, m, v) = (p[a], g[a], m[a], v[a])
                            for i in 0..<counts[a] {
                                let gi = g[i] * scale
                                m[i] = beta1 * m[i] + (1 - beta1) * gi
                                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                                p[i] -= rate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
                            }
                        }
                    }
                }
            }
        }
    }
}
