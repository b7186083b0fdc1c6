import Foundation
import LinearAlgebra

/// A causal, dilated 1-D convolution: `y[s, t, :] = b + Σ_k x[s, t − (K − 1 − k)·d, :] W_k` (zero before the
/// start), by im2col and one gemm (and two in the backward pass). Input rows are `(sample, time)` pairs,
/// sample major, `channels` columns.
public struct CausalConv1D<T: NeuralScalar>: Trainable {
    public let channels: Int, filters: Int, kernel: Int, dilation: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    var columns: Matrix<T>?
    var shape = (samples: 0, steps: 0)

    public init(channels: Int, filters: Int, kernel: Int, dilation: Int, seed: UInt64) {
        (self.channels, self.filters, self.kernel, self.dilation) = (channels, filters, kernel, dilation)
        var rng = WeightInit(state: seed)
        parameters = [rng.glorot(kernel * channels, filters, count: kernel * channels * filters), [T](repeating: 0, count: filters)]
        gradients = parameters.map { [T](repeating: 0, count: $0.count) }
    }

    /// `x` has `samples * steps` rows and `channels` columns; the output has `filters` columns.
    public mutating func forward(_ x: Matrix<T>, samples: Int, steps: Int) throws -> Matrix<T> {
        guard samples > 0, steps > 0, x.rows == samples * steps, x.columns == channels else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "CausalConv1D.forward", detail: "x is \(x.rows)x\(x.columns), expected \(samples * steps)x\(channels)")
        }
        shape = (samples, steps)
        let width = kernel * channels, rows = samples * steps, (channels, filters, kernel, dilation) = (channels, filters, kernel, dilation)
        // The im2col matrix and the output, filled in place.
        var out = [[T](repeating: 0, count: rows * width), [T](repeating: 0, count: rows * filters)]
        [x.elements].withPointers { input in
            parameters.withPointers { p in
                out.withMutablePointers { o in
                    let X = input[0], C = o[0], Y = o[1], w = p[0], bias = p[1]
                    for s in 0..<samples {
                        for t in 0..<steps {
                            for k in 0..<kernel {
                                let source = t - (kernel - 1 - k) * dilation
                                guard source >= 0 else { continue }
                                (C + (s * steps + t) * width + k * channels).update(from: X + (s * steps + source) * channels, count: channels)
                            }
                        }
                    }
                    for r in 0..<rows { (Y + r * filters).update(from: bias, count: filters) }
                    gemm(false, false, rows, filters, width, C, width, w, filters, beta: 1, Y, filters)
                }
            }
        }
        columns = try Matrix(rows: rows, columns: width, elements: out[0])
        return try Matrix(rows: rows, columns: filters, elements: out[1])
    }

    public mutating func backward(_ dy: Matrix<T>) throws -> Matrix<T> {
        guard let cols = columns, dy.rows == cols.rows, dy.columns == filters else {
            throw LinearAlgebraError.shapeMismatch(operation: "CausalConv1D.backward", detail: "no forward pass or dy of the wrong shape")
        }
        let width = kernel * channels, rows = cols.rows, (samples, steps) = shape, (channels, filters, kernel, dilation) = (channels, filters, kernel, dilation)
        // dL/d(im2col) and dL/dx, filled in place.
        var out = [[T](repeating: 0, count: rows * width), [T](repeating: 0, count: rows * channels)]
        [cols.elements, dy.elements].withPointers { io in
            parameters.withPointers { p in
                gradients.withMutablePointers { g in
                    out.withMutablePointers { o in
                        let C = io[0], DY = io[1], DC = o[0], DX = o[1]
                        gemm(true, false, width, filters, rows, C, width, DY, filters, beta: 1, g[0], filters)
                        for r in 0..<rows { for j in 0..<filters { g[1][j] += DY[r * filters + j] } }
                        gemm(false, true, rows, width, filters, DY, filters, p[0], filters, beta: 0, DC, width)
                        for s in 0..<samples {
                            for t in 0..<steps {
                                for k in 0..<kernel {
                                    let source = t - (kernel - 1 - k) * dilation
                                    guard source >= 0 else { continue }
                                    let to = DX + (s * steps + source) * channels, from = DC + (s * steps + t) * width + k * channels
                                    for c in 0..<channels { to[c] += from[c] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return try Matrix(rows: rows, columns: channels, elements: out[1])
    }
}
