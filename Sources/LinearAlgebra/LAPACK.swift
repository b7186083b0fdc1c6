/// Factorizations and solvers through LAPACK (as shipped inside OpenBLAS), with shape checks.
///
/// PeerGrid's matrices are row major and LAPACK is column major; each routine here accounts for that
/// (a row-major matrix is the column-major transpose), so callers never see the difference.
public enum LAPACK {
    /// The lower-triangular Cholesky factor `L` of a symmetric positive definite matrix, `a = L * Lᵀ`.
    /// Only the lower triangle of `a` is read. The corresponding LAPACK routine is `?potrf`.
    public static func cholesky<T: BLASScalar>(_ a: Matrix<T>) throws -> Matrix<T> {
        guard a.rows == a.columns else {
            throw LinearAlgebraError.shapeMismatch(operation: "cholesky", detail: "matrix is \(a.rows)x\(a.columns), not square")
        }
        let n = a.rows
        var l = a
        if n == 0 { return l }
        // Row-major lower triangle == column-major upper triangle.
        let info = l.elements.withUnsafeMutableBufferPointer { T._potrf(uplo: UInt8(ascii: "U"), n: n, a: $0.baseAddress!, lda: n) }
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(minor: info) }
        if info < 0 { throw LinearAlgebraError.lapackFailure(routine: "potrf", info: info) }
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { l.elements[i * n + j] = 0 } }
        return l
    }

    /// Solves `a * x = b` for a symmetric positive definite `a` by Cholesky (`?potrf` then `?potrs`).
    public static func solveSymmetricPositiveDefinite<T: BLASScalar>(_ a: Matrix<T>, _ b: [T]) throws -> [T] {
        guard a.rows == a.columns, b.count == a.rows else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "solveSymmetricPositiveDefinite", detail: "a is \(a.rows)x\(a.columns), b has \(b.count)")
        }
        let l = try cholesky(a)
        let n = a.rows
        var x = b
        if n == 0 { return x }
        let info = l.elements.withUnsafeBufferPointer { pl in
            x.withUnsafeMutableBufferPointer { px in
                T._potrs(uplo: UInt8(ascii: "U"), n: n, nrhs: 1, a: pl.baseAddress!, lda: n, b: px.baseAddress!, ldb: n)
            }
        }
        if info != 0 { throw LinearAlgebraError.lapackFailure(routine: "potrs", info: info) }
        return x
    }

    /// The least-squares solution `x` minimizing `‖a x − b‖₂` for an `m x n` matrix with `m >= n` and full
    /// column rank (QR through `?gels`). Throws ``LinearAlgebraError/rankDeficient(index:)`` otherwise.
    public static func leastSquares<T: BLASScalar>(_ a: Matrix<T>, _ b: [T]) throws -> [T] {
        let m = a.rows, n = a.columns
        guard b.count == m, m >= n else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "leastSquares", detail: "a is \(m)x\(n) (needs rows >= columns), b has \(b.count)")
        }
        if n == 0 { return [] }
        var work = a.elements  // column-major view: the n x m matrix aᵀ, lda = n
        var rhs = b  // ldb = max(m, n) = m
        var query: T = 0
        var info = work.withUnsafeMutableBufferPointer { pa in
            rhs.withUnsafeMutableBufferPointer { pb in
                T._gels(
                    trans: UInt8(ascii: "T"), m: n, n: m, nrhs: 1, a: pa.baseAddress!, lda: n,
                    b: pb.baseAddress!, ldb: m, work: &query, lwork: -1)
            }
        }
        if info != 0 { throw LinearAlgebraError.lapackFailure(routine: "gels", info: info) }
        var scratch = [T](repeating: 0, count: max(1, Int(query)))
        info = work.withUnsafeMutableBufferPointer { pa in
            rhs.withUnsafeMutableBufferPointer { pb in
                scratch.withUnsafeMutableBufferPointer { pw in
                    T._gels(
                        trans: UInt8(ascii: "T"), m: n, n: m, nrhs: 1, a: pa.baseAddress!, lda: n,
                        b: pb.baseAddress!, ldb: m, work: pw.baseAddress!, lwork: pw.count)
                }
            }
        }
        if info > 0 { throw LinearAlgebraError.rankDeficient(index: info) }
        if info < 0 { throw LinearAlgebraError.lapackFailure(routine: "gels", info: info) }
        // LAPACK only flags an exactly zero diagonal; a numerically singular factor (|L_ii| at rounding level
        // relative to the largest) is rank deficient as well. The factor's diagonal is work[i * n + i].
        let diagonal = (0..<n).map { abs(work[$0 * n + $0]) }
        let largest = diagonal.max() ?? 0
        let threshold = largest * T(max(m, n)) * T.ulpOfOne * 10
        if let k = diagonal.firstIndex(where: { $0 <= threshold }) { throw LinearAlgebraError.rankDeficient(index: k + 1) }
        return Array(rhs.prefix(n))
    }
}
