import Foundation
import LinearAlgebra

/// Losses over a batch: the value and dL/d(prediction), averaged over every element.
public enum Loss {
    /// Mean squared error.
    public static func mse<T: NeuralScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>) -> (value: T, gradient: Matrix<T>) {
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for i in g.elements.indices {
            let d = prediction.elements[i] - target.elements[i]
            value += d * d
            g.elements[i] = 2 * d / n
        }
        return (value / n, g)
    }

    /// Pinball loss at quantile `q`: `max(q (y − ŷ), (q − 1)(y − ŷ))`.
    public static func pinball<T: NeuralScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>, quantile q: T) -> (value: T, gradient: Matrix<T>) {
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for i in g.elements.indices {
            let d = target.elements[i] - prediction.elements[i]
            value += d >= 0 ? q * d : (q - 1) * d
            g.elements[i] = (d >= 0 ? -q : 1 - q) / n
        }
        return (value / n, g)
    }
}

extension Loss {
    /// Pinball loss of several quantiles at once: `prediction` holds one block of `target.columns` columns per
    /// quantile (block `k` predicts quantile `quantiles[k]`); the value is the mean over every predicted element.
    public static func quantiles<T: NeuralScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>, quantiles: [T]) throws -> (value: T, gradient: Matrix<T>) {
        let h = target.columns, width = h * quantiles.count
        guard prediction.rows == target.rows, prediction.columns == width else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "Loss.quantiles", detail: "prediction is \(prediction.rows)x\(prediction.columns), expected \(target.rows)x\(width)")
        }
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for r in 0..<prediction.rows {
            for (k, q) in quantiles.enumerated() {
                for j in 0..<h {
                    let i = r * width + k * h + j
                    let d = target.elements[r * h + j] - prediction.elements[i]
                    value += d >= 0 ? q * d : (q - 1) * d
                    g.elements[i] = (d >= 0 ? -q : 1 - q) / n
                }
            }
        }
        return (value / n, g)
    }
}

extension Loss {
    /// Huber loss with threshold `delta`: quadratic (`d^2 / 2`) within `delta`, linear beyond; averaged over every
    /// element (elements where prediction equals target add nothing, so a target that copies the prediction
    /// masks an element out).
    // Compiled for Float here too, so the DQN (another module) does not run the generic code.
    @_specialize(exported:true,where T == Float)
    public static func huber<T: NeuralScalar>(_ prediction: Matrix<T>, _ target: Matrix<T>, delta: T = 1) -> (value: T, gradient: Matrix<T>) {
        let n = T(max(1, prediction.elements.count))
        var g = prediction
        var value: T = 0
        for i in g.elements.indices {
            let d = prediction.elements[i] - target.elements[i]
            if abs(d) <= delta {
                value += d * d / 2
                g.elements[i] = d / n
            } else {
                value += delta * (abs(d) - delta / 2)
                g.elements[i] = (d > 0 ? delta : -delta) / n
            }
        }
        return (value / n, g)
    }
}
