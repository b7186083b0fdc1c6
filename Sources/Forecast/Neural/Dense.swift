import Foundation
import LinearAlgebra

/// `y = x W + b`, W of shape `inputs x outputs`.
public struct Dense<T: NeuralScalar>: Trainable {
    public let inputs: Int, outputs: Int
    public var parameters: [[T]]
    public var gradients: [[T]]
    var input: Matrix<T>?

    public init(inputs: Int, outputs: Int, seed: UInt64) {
        self.inputs = inputs
        self.outputs = outputs
        var rng = WeightInit(state: seed)
        parameters = [rng.glorot(inputs, outputs, count: inputs * outputs), [T](repeating: 0, count: outputs)]
        gradients = [[T](repeating: 0, count: inputs * outputs), [T](repeating: 0, count: outputs)]
    }

    // Compiled for Float here too, so callers in other modules (the DQN) do not run the generic code.
    @_specialize(exported:true,where T == Float)
    public mutating func forward(_ x: Matrix<T>) throws -> Matrix<T> {
        guard x.columns == inputs else {
            throw LinearAlgebraError.shapeMismatch(operation: "Dense.forward", detail: "x is \(x.rows)x\(x.columns), expected \(inputs) columns")
        }
        input = x
        var y = [T](repeating: 0, count: x.rows * outputs)
        let (m, k, n) = (x.rows, inputs, outputs)
        guard m > 0 else { return try Matrix(rows: m, columns: n, elements: y) }
        parameters.withPointers { p in
            [x.elements].withPointers { X in
                y.withUnsafeMutableBufferPointer { Y in
                    for i in 0..<m { (Y.baseAddress! + i * n).update(from: p[1], count: n) }
                    gemm(false, false, m, n, k, X[0], k, p[0], n, beta: 1, Y.baseAddress!, n)
                }
            }
        }
        return try Matrix(rows: m, columns: n, elements: y)
    }

    // Compiled for Float here too, so callers in other modules (the DQN) do not run the generic code.
    @_specialize(exported:true,where T == Float)
    public mutating func backward(_ dy: Matrix<T>) throws -> Matrix<T> {
        guard let x = input, dy.rows == x.rows, dy.columns == outputs else {
            throw LinearAlgebraError.shapeMismatch(operation: "Dense.backward", detail: "no forward pass or dy of the wrong shape")
        }
        let (m, k, n) = (x.rows, inputs, outputs)
        var dx = [T](repeating: 0, count: m * k)
        guard m > 0 else { return try Matrix(rows: m, columns: k, elements: dx) }
        [x.elements, dy.elements].withPointers { io in
            parameters.withPointers { p in
                gradients.withMutablePointers { g in
                    dx.withUnsafeMutableBufferPointer { DX in
                        let (X, DY) = (io[0], io[1])
                        gemm(true, false, k, n, m, X, k, DY, n, beta: 1, g[0], n)
                        for i in 0..<m { for j in 0..<n { g[1][j] += DY[i * n + j] } }
                        gemm(false, true, m, k, n, DY, n, p[0], n, beta: 0, DX.baseAddress!, k)
                    }
                }
            }
        }
        return try Matrix(rows: m, columns: k, elements: dx)
    }
}
