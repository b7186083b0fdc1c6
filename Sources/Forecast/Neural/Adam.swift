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
                            // Eight at a time (the compiler does not vectorize the loop through four pointers that
                            // could alias), then the rest one by one: the same operations in the same order for
                            // every element, so the results are those of the plain loop bit for bit.
                            typealias V = SIMD8<T>
                            let (vb1, vb2, vc1, vc2) = (V(repeating: beta1), V(repeating: beta2), V(repeating: c1), V(repeating: c2))
                            let (va1, va2) = (V(repeating: 1 - beta1), V(repeating: 1 - beta2))
                            let (vs, ve, vr) = (V(repeating: scale), V(repeating: epsilon), V(repeating: rate))
                            var i = 0
                            while i + V.scalarCount <= counts[a] {
                                let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self) * vs
                                let mi = vb1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + va1 * gi
                                let vi = vb2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + va2 * gi * gi
                                let pi = UnsafeRawPointer(p + i).loadUnaligned(as: V.self) - vr * (mi / vc1) / (T.squareRoots(vi / vc2) + ve)
                                UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
                                UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
                                UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: V.self)
                                i += V.scalarCount
                            }
                            while i < counts[a] {
                                let gi = g[i] * scale
                                m[i] = beta1 * m[i] + (1 - beta1) * gi
                                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                                p[i] -= rate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
                                i += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
