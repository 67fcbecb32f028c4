#if canImport(Glibc)
    import Glibc
#endif

/// Reads `buffer.count` bytes of the open file `descriptor`, starting at byte `offset`, into `buffer` with
/// POSIX `pread` (retried after a signal and after a short read). Returns nil when every byte was read,
/// otherwise why not: the system's error text, or "the file ends before them" when the file is shorter.
package func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, atOffset offset: Int)
    -> String?
{
    var done = 0
    while done < buffer.count {
        let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if result < 0 && errno == EINTR { continue }
        if result < 0 { return String(cString: strerror(errno)) }
        if result == 0 { return "the file ends before them" }
        done += result
    }
    return nil
}
