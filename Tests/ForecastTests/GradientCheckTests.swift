import Foundation
import LinearAlgebra
import Testing
@testable import Forecast

/// Every layer's backward pass against central finite differences in Double, with the loss
/// `L = Σ r ⊙ output` for a fixed random `r`: relative error `‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖)`
/// below 1e-6 for each parameter array and the input gradient (the issue asks for 1e-4).
@Suite struct GradientCheckTests {
    static let tolerance = 1e-6

    static func random(_ n: Int, seed: UInt64) -> [Double] {
        var rng = WeightInit(state: seed)
        return (0..<n).map { _ in 2 * rng.next() - 1 }
    }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let diff = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let scale = a.reduce(0) { $0 + $1 * $1 }.squareRoot() + b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return scale == 0 ? 0 : diff / scale
    }

    /// Numeric gradient of `loss` with respect to `values` (central differences, h = 1e-6).
    static func numeric(_ values: [Double], _ loss: ([Double]) throws -> Double) rethrows -> [Double] {
        var out: [Double] = []
        for i in values.indices {
            var plus = values, minus = values
            plus[i] += 1e-6
            minus[i] -= 1e-6
            out.append((try loss(plus) - loss(minus)) / 2e-6)
        }
        return out
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func dense() throws {
        var layer = Dense<Double>(inputs: 4, outputs: 3, seed: 1)
        let x = try Matrix(rows: 5, columns: 4, elements: Self.random(20, seed: 2))
        let r = Self.random(15, seed: 3)
        _ = try layer.forward(x)
        let dx = try layer.backward(Matrix(rows: 5, columns: 3, elements: r))
        for p in layer.parameters.indices {
            let num = try Self.numeric(layer.parameters[p]) { values in
                var l = layer
                l.parameters[p] = values
                return Self.dot(try l.forward(x).elements, r)
            }
            #expect(Self.relativeError(layer.gradients[p], num) < Self.tolerance, "parameter \(p)")
        }
        let numX = try Self.numeric(x.elements) { values in
            var l = layer
            return Self.dot(try l.forward(Matrix(rows: 5, columns: 4, elements: values)).elements, r)
        }
        #expect(Self.relativeError(dx.elements, numX) < Self.tolerance)
    }

    @Test(arguments: [Activation<Double>.Kind.relu, .tanh, .sigmoid])
    func activation(_ kind: Activation<Double>.Kind) throws {
        var layer = Activation<Double>(kind)
        let x = try Matrix(rows: 3, columns: 4, elements: Self.random(12, seed: 4).map { $0 + ($0 >= 0 ? 0.05 : -0.05) })
        let r = Self.random(12, seed: 5)
        _ = layer.forward(x)
        let dx = layer.backward(try Matrix(rows: 3, columns: 4, elements: r))
        let num = try Self.numeric(x.elements) { values in
            var l = layer
            return Self.dot(l.forward(try Matrix(rows: 3, columns: 4, elements: values)).elements, r)
        }
        #expect(Self.relativeError(dx.elements, num) < Self.tolerance)
    }

    @Test func dropoutUsesItsMaskAndIsTheIdentityInInference() throws {
        var layer = Dropout<Double>(rate: 0.5, seed: 6)
        let x = try Matrix(rows: 4, columns: 8, elements: Self.random(32, seed: 7))
        let y = layer.forward(x, training: true)
        #expect(y.elements.contains(0) && y.elements.contains { $0 != 0 })
        let dy = try Matrix(rows: 4, columns: 8, elements: [Double](repeating: 1, count: 32))
        let dx = layer.backward(dy)
        for i in 0..<32 { #expect(dx.elements[i] == (y.elements[i] == 0 ? 0 : 2)) }
        var inference = Dropout<Double>(rate: 0.5, seed: 6)
        #expect(inference.forward(x, training: false) == x)
    }

    @Test func lstm() throws {
        let steps = 4, batch = 3, inputs = 2, hidden = 3
        var layer = LSTM<Double>(inputs: inputs, hidden: hidden, seed: 8)
        layer.parameters[2] = Self.random(4 * hidden, seed: 9)  // non-trivial biases
        let xs = try (0..<steps).map { try Matrix(rows: batch, columns: inputs, elements: Self.random(batch * inputs, seed: 10 + UInt64($0))) }
        let rs = (0..<steps).map { Self.random(batch * hidden, seed: 20 + UInt64($0)) }
        func loss(_ l: inout LSTM<Double>, _ input: [Matrix<Double>]) throws -> Double {
            try zip(l.forward(input), rs).reduce(0) { $0 + Self.dot($1.0.elements, $1.1) }
        }
        _ = try layer.forward(xs)
        let dxs = try layer.backward(rs.map { try Matrix(rows: batch, columns: hidden, elements: $0) })
        for p in layer.parameters.indices {
            let num = try Self.numeric(layer.parameters[p]) { values in
                var l = layer
                l.parameters[p] = values
                return try loss(&l, xs)
            }
            #expect(Self.relativeError(layer.gradients[p], num) < Self.tolerance, "parameter \(p)")
        }
        let flat = xs.flatMap(\.elements)
        let numX = try Self.numeric(flat) { values in
            var l = layer
            let input = try (0..<steps).map {
                try Matrix(rows: batch, columns: inputs, elements: Array(values[($0 * batch * inputs)..<(($0 + 1) * batch * inputs)]))
            }
            return try loss(&l, input)
        }
        #expect(Self.relativeError(dxs.flatMap(\.elements), numX) < Self.tolerance)
    }

    @Test(arguments: [1, 2, 4])
    func causalConvolution(_ dilation: Int) throws {
        let samples = 2, steps = 9, channels = 3, filters = 2
        var layer = CausalConv1D<Double>(channels: channels, filters: filters, kernel: 3, dilation: dilation, seed: 30)
        let x = try Matrix(rows: samples * steps, columns: channels, elements: Self.random(samples * steps * channels, seed: 31))
        let r = Self.random(samples * steps * filters, seed: 32)
        _ = try layer.forward(x, samples: samples, steps: steps)
        let dx = try layer.backward(Matrix(rows: samples * steps, columns: filters, elements: r))
        for p in layer.parameters.indices {
            let num = try Self.numeric(layer.parameters[p]) { values in
                var l = layer
                l.parameters[p] = values
                return Self.dot(try l.forward(x, samples: samples, steps: steps).elements, r)
            }
            #expect(Self.relativeError(layer.gradients[p], num) < Self.tolerance, "parameter \(p)")
        }
        let numX = try Self.numeric(x.elements) { values in
            var l = layer
            return Self.dot(try l.forward(Matrix(rows: samples * steps, columns: channels, elements: values), samples: samples, steps: steps).elements, r)
        }
        #expect(Self.relativeError(dx.elements, numX) < Self.tolerance)
        // Causality: the output at time t does not depend on inputs after t.
        var shifted = x
        for c in 0..<channels { shifted.elements[(steps - 1) * channels + c] += 1 }
        let a = try layer.forward(x, samples: samples, steps: steps), b = try layer.forward(shifted, samples: samples, steps: steps)
        #expect(Array(a.elements[0..<((steps - 1) * filters)]) == Array(b.elements[0..<((steps - 1) * filters)]))
    }

    @Test func lossesMatchTheirDefinitionsAndGradients() throws {
        let p = try Matrix(rows: 2, columns: 3, elements: Self.random(6, seed: 40))
        let t = try Matrix(rows: 2, columns: 3, elements: Self.random(6, seed: 41))
        for (name, f) in [("mse", { (a: Matrix<Double>) in Loss.mse(a, t) }), ("pinball", { (a: Matrix<Double>) in Loss.pinball(a, t, quantile: 0.9) })] {
            let analytic = f(p).gradient.elements
            let num = try Self.numeric(p.elements) { f(try Matrix(rows: 2, columns: 3, elements: $0)).value }
            #expect(Self.relativeError(analytic, num) < Self.tolerance, "\(name)")
        }
        #expect(abs(Loss.pinball(p, t, quantile: 0.5).value * 2 - Metrics.mae(t.elements, p.elements)) < 1e-12)
    }

    @Test func adamFitsALinearModel() throws {
        // y = 2 x1 - 3 x2 + 1: a Dense layer trained by Adam with clipping reaches the coefficients.
        var layer = Dense<Double>(inputs: 2, outputs: 1, seed: 50)
        var adam = Adam<Double>(learningRate: 0.05, clipNorm: 5)
        let xs = Self.random(200, seed: 51)
        let x = try Matrix(rows: 100, columns: 2, elements: xs)
        var targets: [Double] = []
        for i in 0..<100 { targets.append(2 * xs[2 * i] - 3 * xs[2 * i + 1] + 1) }
        let y = try Matrix(rows: 100, columns: 1, elements: targets)
        for _ in 0..<800 {
            layer.zeroGradients()
            let (_, g) = Loss.mse(try layer.forward(x), y)
            _ = try layer.backward(g)
            adam.update(&layer.parameters, layer.gradients)
        }
        let w = layer.parameters[0], b = layer.parameters[1][0]
        #expect(abs(w[0] - 2) < 1e-3)
        #expect(abs(w[1] + 3) < 1e-3)
        #expect(abs(b - 1) < 1e-3)
    }
}
