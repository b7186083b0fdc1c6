import Testing
import Numerics
@testable import LinearAlgebra

@Suite struct BLASTests {
    @Test func gemmMatchesNaiveProductInBothPrecisions() throws {
        let a = try Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = try Matrix<Double>([[7, 8], [9, 10], [11, 12]])
        let c = try BLAS.multiply(a, b)
        #expect(c == (try Matrix<Double>([[58, 64], [139, 154]])))
        let af = try Matrix<Float>([[1, 2, 3], [4, 5, 6]])
        let cf = try BLAS.multiply(af, af, transposeB: true)  // a aᵀ
        #expect(cf == (try Matrix<Float>([[14, 32], [32, 77]])))
        let ct = try BLAS.multiply(a, a, transposeA: true)  // aᵀ a is 3x3
        #expect(ct.rows == 3 && ct[0, 0] == 17 && ct[2, 1] == 36)
    }

    @Test func gemmAccumulatesWithBeta() throws {
        let a = try Matrix<Double>.identity(2)
        var c = try Matrix<Double>([[1, 1], [1, 1]])
        try BLAS.gemm(a, a, into: &c, alpha: 2, beta: 3)
        #expect(c == (try Matrix<Double>([[5, 3], [3, 5]])))
    }

    @Test func shapeMismatchesThrowInsteadOfTrapping() throws {
        let a = try Matrix<Double>(rows: 3, columns: 4)
        let b = try Matrix<Double>(rows: 5, columns: 2)
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, b) }
        #expect(throws: LinearAlgebraError.self) { try BLAS.multiply(a, [1.0, 2.0]) }
        var y: [Double] = [1, 2]
        #expect(throws: LinearAlgebraError.self) { try BLAS.axpy(1.0, [1.0], &y) }
        #expect(throws: LinearAlgebraError.self) { try BLAS.dot([1.0], [1.0, 2.0]) }
        #expect(throws: LinearAlgebraError.self) { try Matrix<Float>(rows: 2, columns: 2, elements: [1]) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.cholesky(a) }
        #expect(throws: LinearAlgebraError.self) { try LAPACK.leastSquares(a, [1, 2, 3]) }  // 3x4: fewer rows than columns
    }

    @Test func gemvAxpyDot() throws {
        let a = try Matrix<Float>([[1, 2], [3, 4], [5, 6]])
        #expect(try BLAS.multiply(a, [1, 1]) == [3, 7, 11])
        #expect(try BLAS.multiply(a, [1, 0, 1], transpose: true) == [6, 8])
        var y: [Double] = [1, 2, 3]
        try BLAS.axpy(2, [1, 1, 1], &y)
        #expect(y == [3, 4, 5])
        #expect(try BLAS.dot(y, [1, 0, 2]) == 13)
    }
}

@Suite struct LAPACKTests {
    @Test func choleskyReconstructsTheMatrix() throws {
        let a = try Matrix<Double>([[4, 12, -16], [12, 37, -43], [-16, -43, 98]])
        let l = try LAPACK.cholesky(a)
        #expect(l == (try Matrix<Double>([[2, 0, 0], [6, 1, 0], [-8, 5, 3]])))
        let back = try BLAS.multiply(l, l, transposeB: true)
        for (x, y) in zip(back.elements, a.elements) { #expect(x.isApproximatelyEqual(to: y, absoluteTolerance: 1e-12)) }
        let x = try LAPACK.solveSymmetricPositiveDefinite(a, [1, 2, 3])
        let ax = try BLAS.multiply(a, x)
        for (u, v) in zip(ax, [1.0, 2, 3]) { #expect(u.isApproximatelyEqual(to: v, absoluteTolerance: 1e-9)) }
    }

    @Test func choleskyRejectsIndefiniteMatrix() throws {
        let a = try Matrix<Float>([[1, 2], [2, 1]])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(minor: 2)) { try LAPACK.cholesky(a) }
    }

    @Test func leastSquaresRecoversALine() throws {
        // y = 2 + 3 x exactly, plus an overdetermined fit in Float.
        let xs: [Double] = [0, 1, 2, 3, 4]
        let a = try Matrix<Double>(xs.map { [1, $0] })
        let beta = try LAPACK.leastSquares(a, xs.map { 2 + 3 * $0 })
        #expect(beta[0].isApproximatelyEqual(to: 2, absoluteTolerance: 1e-10))
        #expect(beta[1].isApproximatelyEqual(to: 3, absoluteTolerance: 1e-10))
        let af = try Matrix<Float>([[1, 0], [1, 1], [1, 2]])
        let bf = try LAPACK.leastSquares(af, [1, 2, 2])  // normal equations give (7/6, 1/2)
        #expect(bf[0].isApproximatelyEqual(to: 7.0 / 6.0, absoluteTolerance: 1e-5))
        #expect(bf[1].isApproximatelyEqual(to: 0.5, absoluteTolerance: 1e-5))
    }

    @Test func leastSquaresReportsRankDeficiency() throws {
        let a = try Matrix<Double>([[1, 2], [2, 4], [3, 6]])
        #expect(throws: LinearAlgebraError.self) { try LAPACK.leastSquares(a, [1, 2, 3]) }
    }
}
