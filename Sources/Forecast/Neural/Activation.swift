import Foundation
import LinearAlgebra

/// An elementwise activation.
public struct Activation<T: NeuralScalar> {
    /// The function applied to each element.
    public enum Kind: String, Codable, Sendable { case relu, tanh, sigmoid }
    public let kind: Kind
    var output: Matrix<T>?

    public init(_ kind: Kind) { self.kind = kind }

    // Compiled for Float here too, so callers in other modules (the DQN) do not run the generic code.
    /// Applies the activation to every element of `x`, keeping the output for ``backward(_:)``.
    @_specialize(exported:true,where T == Float)
    public mutating func forward(_ x: Matrix<T>) -> Matrix<T> {
        var y = x
        guard !y.elements.isEmpty else { output = y; return y }
        y.elements.withUnsafeMutableBufferPointer { p in
            switch kind {
            case .relu: for i in 0..<p.count { p[i] = max(p[i], 0) }
            case .tanh: Elementwise.tanh(p.baseAddress!, p.count)
            case .sigmoid: Elementwise.sigmoid(p.baseAddress!, p.count)
            }
        }
        output = y
        return y
    }

    // Compiled for Float here too, so callers in other modules (the DQN) do not run the generic code.
    /// The gradient with respect to the last forward pass's input, from the gradient `dy` of its output.
    @_specialize(exported:true,where T == Float)
    public func backward(_ dy: Matrix<T>) -> Matrix<T> {
        guard let y = output, y.elements.count == dy.elements.count else { return dy }
        var dx = dy
        dx.elements.withUnsafeMutableBufferPointer { d in
            y.elements.withUnsafeBufferPointer { v in
                switch kind {
                case .relu: for i in 0..<d.count where v[i] <= 0 { d[i] = 0 }
                case .tanh: for i in 0..<d.count { d[i] *= 1 - v[i] * v[i] }
                case .sigmoid: for i in 0..<d.count { d[i] *= v[i] * (1 - v[i]) }
                }
            }
        }
        return dx
    }
}
