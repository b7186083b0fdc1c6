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

/// Which OpenBLAS kernels run, and the choice of the AVX-512 ones where OpenBLAS does not recognise the CPU.
public enum BLASKernels {
    /// OpenBLAS's kernel family, e.g. `Haswell` or `SkylakeX`. The corresponding C function is `openblas_get_corename`.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration. The corresponding C function is `openblas_get_config`.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The AVX-512 subsets OpenBLAS's SkylakeX kernels use.
    static let skylakeXFlags = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

    /// OpenBLAS picks its kernels once, when the library loads; Debian's 0.3.21 does not know AMD Zen 4 and falls back to
    /// the AVX2 (Haswell) kernels on a CPU with AVX-512, at half the sgemm speed. When that happened, this re-executes the
    /// process with `OPENBLAS_CORETYPE=SkylakeX` (the kernels for exactly the AVX-512 subsets the CPU reports in
    /// /proc/cpuinfo). It returns without doing anything when `OPENBLAS_CORETYPE` is set (also to `Haswell`, which
    /// keeps the library's choice), when the kernels are not Haswell's, or when the CPU lacks a subset.
    /// Executables call it first thing; it never returns if it re-executes.
    public static func preferAVX512Kernels() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, coreName.lowercased() == "haswell",
              let handle = FileHandle(forReadingAtPath: "/proc/cpuinfo"),
              case let cpuinfo = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        guard skylakeXFlags.allSatisfy(flags.contains) else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with the kernels already loaded.
        unsetenv("OPENBLAS_CORETYPE")
    }
}
