/// A floating-point type that OpenBLAS and LAPACK support: `Float` (network training) and `Double`
/// (ARIMA, solver data). Each requirement is a thin wrapper around one BLAS/LAPACK routine; the shape checks
/// live in the public API (``Matrix``, ``Vector``), never here.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// The corresponding C function is `cblas_sgemm` / `cblas_dgemm` (row major).
    static func _gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// The corresponding C function is `cblas_sgemv` / `cblas_dgemv` (row major).
    static func _gemv(
        trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
    /// The corresponding C function is `cblas_saxpy` / `cblas_daxpy`.
    static func _axpy(n: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    /// The corresponding C function is `cblas_sdot` / `cblas_ddot`.
    static func _dot(n: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self
    /// The corresponding LAPACK routine is `spotrf` / `dpotrf` (column major, `uplo`).
    static func _potrf(uplo: UInt8, n: Int, a: UnsafeMutablePointer<Self>, lda: Int) -> Int
    /// The corresponding LAPACK routine is `spotrs` / `dpotrs`.
    static func _potrs(
        uplo: UInt8, n: Int, nrhs: Int, a: UnsafePointer<Self>, lda: Int,
        b: UnsafeMutablePointer<Self>, ldb: Int
    ) -> Int
    /// The corresponding LAPACK routine is `sgels` / `dgels`; `lwork == -1` is a workspace query.
    static func _gels(
        trans: UInt8, m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>, lda: Int,
        b: UnsafeMutablePointer<Self>, ldb: Int, work: UnsafeMutablePointer<Self>, lwork: Int
    ) -> Int
}
