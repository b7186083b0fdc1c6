import CBLAS
import Foundation

/// OpenBLAS threading. Benchmarks pin the thread count so that timings are comparable across runs.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses. The corresponding C function is `openblas_set_num_threads`.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}

extension BLASThreads {
    /// The number of threads OpenBLAS uses now. The corresponding C function is `openblas_get_num_threads`.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with single-threaded OpenBLAS (for callers that parallelise above BLAS, one gemm per thread),
    /// then restores the previous thread count.
    public static func singleThreaded<R>(_ body: () throws -> R) rethrows -> R {
        let previous = current
        set(1)
        defer { set(previous) }
        return try body()
    }
}

/// Which OpenBLAS kernels run (reported with every benchmark).
public enum BLASKernels {
    /// OpenBLAS's kernel family, e.g. `Haswell` or `SkylakeX`. The corresponding C function is `openblas_get_corename`.
    public static var coreName: String { String(cString: openblas_get_corename()) }
}
