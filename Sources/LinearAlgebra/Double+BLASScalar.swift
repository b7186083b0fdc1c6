import CBLAS

extension Double: BLASScalar {
    public static func _gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    public static func _gemv(
        trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a,
            blasint(lda), x, 1, beta, y, 1)
    }
    public static func _axpy(n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasint(n), alpha, x, 1, y, 1)
    }
    public static func _dot(n: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(blasint(n), x, 1, y, 1)
    }
    public static func _potrf(uplo: UInt8, n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        var u = CChar(bitPattern: uplo), nn = Int32(n), l = Int32(lda), info: Int32 = 0
        dpotrf_(&u, &nn, a, &l, &info)
        return Int(info)
    }
    public static func _potrs(
        uplo: UInt8, n: Int, nrhs: Int, a: UnsafePointer<Double>, lda: Int,
        b: UnsafeMutablePointer<Double>, ldb: Int
    ) -> Int {
        var u = CChar(bitPattern: uplo), nn = Int32(n), r = Int32(nrhs), l = Int32(lda), lb = Int32(ldb)
        var info: Int32 = 0
        dpotrs_(&u, &nn, &r, a, &l, b, &lb, &info)
        return Int(info)
    }
    public static func _gels(
        trans: UInt8, m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int,
        b: UnsafeMutablePointer<Double>, ldb: Int, work: UnsafeMutablePointer<Double>,
        lwork: Int
    ) -> Int {
        var t = CChar(bitPattern: trans), mm = Int32(m), nn = Int32(n), r = Int32(nrhs)
        var la = Int32(lda), lb = Int32(ldb), lw = Int32(lwork), info: Int32 = 0
        dgels_(&t, &mm, &nn, &r, a, &la, b, &lb, work, &lw, &info)
        return Int(info)
    }
}
