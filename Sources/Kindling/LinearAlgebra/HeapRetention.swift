import CLinearAlgebra  // its shim header includes glibc's <malloc.h> for mallopt

/// Makes glibc keep freed tensor storage in the process heap for reuse instead of handing it back to the
/// kernel after every operation.
///
/// Every tensor operation allocates its result. With glibc's defaults a buffer above 128 KiB is mapped
/// afresh and freed memory at the top of the heap is returned, so each product of two 256 x 256 Double
/// matrices paid for 128 page faults and the kernel zeroing 512 KiB: a fifth of the product's time in
/// `Scripts/bench matmul`. Raising the mmap threshold to its maximum (32 MiB) and the trim threshold to
/// 256 MiB lets glibc reuse those pages; larger buffers still come from the kernel and go back to it.
/// The setting is process-wide (as the choice of jemalloc is for PyTorch users) and is applied once, the
/// first time `applied` is read. Elsewhere than glibc it does nothing.
enum HeapRetention {
    /// True once the thresholds are set (false where they cannot be).
    static let applied: Bool = {
        #if canImport(Glibc)
        return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1
        #else
        return false
        #endif
    }()
}
