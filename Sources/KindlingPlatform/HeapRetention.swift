import CLinearAlgebra  // its shim header includes glibc's <malloc.h> for mallopt

/// Makes glibc keep freed tensor storage in the process heap for reuse instead of handing it back to the
/// kernel after every operation.
///
/// Every tensor operation allocates its result. With glibc's defaults a buffer above 128 KiB (at most
/// 32 MiB once glibc adapts) is mapped afresh from the kernel and unmapped when freed, and freed memory at
/// the top of the heap is returned too, so every product paid for page faults and for the kernel zeroing
/// its output: a fifth of the time of a 256 x 256 Double product, and 5% of a 2048 x 2048 one, in
/// `Scripts/bench matmul`. Serving every allocation from the heap (no separate mappings) and trimming the
/// heap only when 256 MiB lie free at its top lets glibc hand the same pages back on the next call. The
/// setting is process-wide (as the choice of jemalloc is for PyTorch users): memory freed after a peak is
/// kept for reuse rather than returned. A program applies it once, through `ProcessSetup`; elsewhere than
/// glibc it does nothing.
enum HeapRetention {
    /// True once the thresholds are set (false where they cannot be).
    static let applied: Bool = {
        #if canImport(Glibc)
            return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1
        #else
            return false
        #endif
    }()
}
