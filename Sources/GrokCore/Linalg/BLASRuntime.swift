import COpenBLAS
import Foundation

/// Threads and kernel selection of the BLAS library.
///
/// OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads, so a tool that wants the
/// right kernels must set it before that: `ensureFastCoreType()` re-executes the process
/// with the variable set when it is unset, the CPU has AVX-512 and OpenBLAS's own detection
/// did not pick an AVX-512 kernel (0.3.21 misdetects some CPUs).
public enum BLASRuntime {
    /// The kernel family OpenBLAS is using, e.g. "Cooperlake", "Haswell".
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Core families with AVX-512 kernels in OpenBLAS 0.3.21.
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// The core type this CPU deserves: Cooperlake when it has AVX-512 with BF16, SkylakeX with
    /// plain AVX-512F, nil to let OpenBLAS decide.
    public static var preferredCoreType: String? {
        let f = MachineInfo.cpuFlags
        guard f.contains("avx512f") else { return nil }
        return f.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
    }

    /// Call first thing in a tool's main. When OPENBLAS_CORETYPE is unset and the CPU has
    /// AVX-512, re-executes this program with it set (once: a marker variable stops loops).
    /// Returns a one-line warning when the environment forces a slower kernel than the CPU
    /// supports, nil otherwise.
    @discardableResult
    public static func ensureFastCoreType() -> String? {
        let env = ProcessInfo.processInfo.environment
        if env["OPENBLAS_CORETYPE"] == nil, env["GROKLAB_REEXEC"] == nil, let want = preferredCoreType,
           !avx512Cores.contains(coreName.lowercased()) {
            setenv("OPENBLAS_CORETYPE", want, 1)
            setenv("GROKLAB_REEXEC", "1", 1)
            let args = CommandLine.arguments
            var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
            cargs.append(nil)
            execv("/proc/self/exe", &cargs)
            // execv only returns on failure: carry on with whatever kernels we have.
        }
        return slowKernelWarning
    }

    /// Non-nil when the loaded kernels are slower than the CPU supports.
    public static var slowKernelWarning: String? {
        guard let want = preferredCoreType else { return nil }
        let have = coreName
        if avx512Cores.contains(have.lowercased()) { return nil }
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""
        return "note: OpenBLAS is using \(have) kernels\(forced) but this CPU supports \(want) (AVX-512); unset OPENBLAS_CORETYPE for ~1.8x faster matrix products"
    }
}
