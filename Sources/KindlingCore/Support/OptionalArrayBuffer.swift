extension Optional {
    /// `body` with the base address of the wrapped array's buffer, or with nil when there is no array
    /// (or it is empty).
    func withBaseAddress<Element, Result>(_ body: (UnsafePointer<Element>?) -> Result) -> Result
    where Wrapped == [Element] {
        guard let array = self, !array.isEmpty else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
