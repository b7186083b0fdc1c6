import CBLAS

extension Float: BLASScalar {
    public static func _gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    public static func _gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a,
            blasint(lda), x, 1, beta, y, 1)
    }
    public static func _axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
    }
    public static func _dot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(blasint(n), x, 1, y, 1)
    }
    public static func _potrf(uplo: UInt8, n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int {
        var u = CChar(bitPattern: uplo), nn = Int32(n), l = Int32(lda), info: Int32 = 0
        spotrf_(&u, &nn, a, &l, &info)
        return Int(info)
    }
    public static func _potrs(
        uplo: UInt8, n: Int, nrhs: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafeMutablePointer<Float>, ldb: Int
    ) -> Int {
        var u = CChar(bitPattern: uplo), nn = Int32(n), r = Int32(nrhs), l = Int32(lda), lb = Int32(ldb)
        var info: Int32 = 0
        spotrs_(&u, &nn, &r, a, &l, b, &lb, &info)
        return Int(info)
    }
    public static func _gels(
        trans: UInt8, m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>, lda: Int,
        b: UnsafeMutablePointer<Float>, ldb: Int, work: UnsafeMutablePointer<Float>,
        lwork: Int
    ) -> Int {
        var t = CChar(bitPattern: trans), mm = Int32(m), nn = Int32(n), r = Int32(nrhs)
        var la = Int32(lda), lb = Int32(ldb), lw = Int32(lwork), info: Int32 = 0
        sgels_(&t, &mm, &nn, &r, a, &la, b, &lb, work, &lw, &info)
        return Int(info)
    }
}
