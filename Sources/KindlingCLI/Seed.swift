import ArgumentParser

/// The generator's 32-bit seed from a `--seed` value; out of range, a message naming the allowed range.
/// (`--seed` is read as an Int so that a negative value reaches this message instead of the argument
/// parser's "Missing value".)
func generatorSeed(_ value: Int) throws -> UInt32 {
    guard let seed = UInt32(exactly: value) else {
        throw ValidationError("--seed must be in 0...\(UInt32.max), got \(value)")
    }
    return seed
}
