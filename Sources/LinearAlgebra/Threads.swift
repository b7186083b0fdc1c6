import CBLAS

/// OpenBLAS threading. Benchmarks pin the thread count so that timings are comparable across runs.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses. The corresponding C function is `openblas_set_num_threads`.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
