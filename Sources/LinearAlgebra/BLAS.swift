/// BLAS level 1-3 operations with shape checks. Each throws ``LinearAlgebraError/shapeMismatch(operation:detail:)``
/// instead of passing inconsistent sizes to OpenBLAS.
public enum BLAS {
    /// `c = alpha * op(a) * op(b) + beta * c`, where `op` transposes when asked.
    /// The corresponding C function is `cblas_?gemm`.
    public static func gemm<T: BLASScalar>(
        _ a: Matrix<T>, _ b: Matrix<T>, into c: inout Matrix<T>,
        transposeA: Bool = false, transposeB: Bool = false,
        alpha: T = 1, beta: T = 0
    ) throws {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        guard k == kb, c.rows == m, c.columns == n else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "gemm",
                detail: "op(a) is \(m)x\(k), op(b) is \(kb)x\(n), c is \(c.rows)x\(c.columns)")
        }
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in c.elements.indices { c.elements[i] *= beta }
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    T._gemm(
                        transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: pa.baseAddress!, lda: max(1, a.columns), b: pb.baseAddress!, ldb: max(1, b.columns),
                        beta: beta, c: pc.baseAddress!, ldc: max(1, n))
                }
            }
        }
    }

    /// The product `op(a) * op(b)` as a new matrix.
    public static func multiply<T: BLASScalar>(
        _ a: Matrix<T>, _ b: Matrix<T>,
        transposeA: Bool = false, transposeB: Bool = false
    ) throws -> Matrix<T> {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        var c = Matrix<T>(uncheckedRows: m, columns: n)
        try gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB)
        return c
    }

    /// `y = alpha * op(a) * x + beta * y`. The corresponding C function is `cblas_?gemv`.
    public static func gemv<T: BLASScalar>(
        _ a: Matrix<T>, _ x: [T], into y: inout [T], transpose: Bool = false,
        alpha: T = 1, beta: T = 0
    ) throws {
        let (m, n) = transpose ? (a.columns, a.rows) : (a.rows, a.columns)
        guard x.count == n, y.count == m else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "gemv", detail: "op(a) is \(m)x\(n), x has \(x.count), y has \(y.count)")
        }
        if m == 0 { return }
        if n == 0 { for i in y.indices { y[i] *= beta }; return }
        a.elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    T._gemv(
                        trans: transpose, m: a.rows, n: a.columns, alpha: alpha, a: pa.baseAddress!,
                        lda: max(1, a.columns), x: px.baseAddress!, beta: beta, y: py.baseAddress!)
                }
            }
        }
    }

    /// `op(a) * x` as a new vector.
    public static func multiply<T: BLASScalar>(_ a: Matrix<T>, _ x: [T], transpose: Bool = false) throws -> [T] {
        var y = [T](repeating: 0, count: transpose ? a.columns : a.rows)
        try gemv(a, x, into: &y, transpose: transpose)
        return y
    }

    /// `y += alpha * x`. The corresponding C function is `cblas_?axpy`.
    public static func axpy<T: BLASScalar>(_ alpha: T, _ x: [T], _ y: inout [T]) throws {
        guard x.count == y.count else {
            throw LinearAlgebraError.shapeMismatch(operation: "axpy", detail: "x has \(x.count), y has \(y.count)")
        }
        if x.isEmpty { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in T._axpy(n: px.count, alpha: alpha, x: px.baseAddress!, y: py.baseAddress!) }
        }
    }

    /// The dot product `x . y`. The corresponding C function is `cblas_?dot`.
    public static func dot<T: BLASScalar>(_ x: [T], _ y: [T]) throws -> T {
        guard x.count == y.count else {
            throw LinearAlgebraError.shapeMismatch(operation: "dot", detail: "x has \(x.count), y has \(y.count)")
        }
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in T._dot(n: px.count, x: px.baseAddress!, y: py.baseAddress!) }
        }
    }
}
