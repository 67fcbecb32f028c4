import Foundation
import KindlingNN

/// The bytes of a file mapped into memory read-only (or a copy of bytes already in memory), released with
/// this object. Mapping a 50 MB file with its pages populated takes under a millisecond where reading it
/// into fresh memory takes 30 (the copy and the faulting in of every page of the destination).
///
/// A file that another process shortens while it is mapped can make reading the lost pages fail with
/// SIGBUS, as with any mapped file (numpy's `mmap_mode` has the same limit).
final class MappedBytes: @unchecked Sendable {
    /// The bytes; valid as long as this object lives.
    let buffer: UnsafeBufferPointer<UInt8>
    private let isMapped: Bool

    /// A copy of `bytes`.
    init(copying bytes: [UInt8]) {
        buffer = Self.copy(of: bytes)
        isMapped = false
    }

    /// The file at `url` mapped, or a `DataError` naming it when it is missing or unreadable. Where it
    /// cannot be mapped (a pipe, say), it is read. With `populatingPages` (Linux), every page is read in now,
    /// for a reader that goes through the whole file; without, a page is read when it is first touched.
    init(contentsOf url: URL, populatingPages: Bool = true) throws {
        let (descriptor, size) = try openForReading(url)
        defer { close(descriptor) }
        #if os(Linux)
            let flags = populatingPages ? MAP_PRIVATE | MAP_POPULATE : MAP_PRIVATE
        #else
            let flags = MAP_PRIVATE
        #endif
        if size > 0, let start = mmap(nil, size, PROT_READ, flags, descriptor, 0), start != MAP_FAILED {
            buffer = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: size)
            isMapped = true
        } else {
            buffer = Self.copy(of: try readBytes(url))
            isMapped = false
        }
    }

    /// A buffer of its own holding `bytes`, freed by `deinit`.
    private static func copy(of bytes: [UInt8]) -> UnsafeBufferPointer<UInt8> {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = copy.initialize(from: bytes)
        return UnsafeBufferPointer(copy)
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
        } else {
            UnsafeMutableBufferPointer(mutating: buffer).deallocate()
        }
    }
}
