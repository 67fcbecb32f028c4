import KindlingNN

/// The limits every reader holds a file to, so that a hostile or damaged file costs time and memory in
/// proportion to its size and ends in a `DataError` (or the format's own error) that names it, never in
/// a trap, a hang or an allocation the file does not pay for.
///
/// Sizes and element counts are multiplied with overflow checks and compared with the bytes the file
/// holds before anything is allocated; a gzip stream is inflated only up to what its header promises.
public enum ReadingLimits {
    /// The longest numeric field of a CSV file, in bytes: 1,100, more than the exact decimal expansion
    /// of any Double (the smallest subnormal, 4.94e-324, has 1,074 digits after the point). A longer
    /// field is rejected before it is converted.
    public static let maximumNumberLength = 1_100

    /// The most columns a CSV file may have: 1,048,576.
    public static let maximumColumnCount = 1 << 20

    /// The most dimensions an NPY or IDX array may have: 64 (numpy's own limit, `NPY_MAXDIMS`).
    public static let maximumRank = 64

    /// The largest expansion of a deflate stream: 1,032 output bytes per input byte (zlib's FAQ), which
    /// bounds what a gzip file of a given size can honestly hold.
    public static let maximumDeflateExpansion = 1_032

    /// The largest JSON configuration file (config.json, tokenizer_config.json, sentence-transformers'
    /// files) read: 1 MB; real ones are under 10 KB.
    public static let maximumConfigurationByteCount = 1 << 20

    /// The most tokens a vocab.txt may list: 1,048,576 (BERT's have 30,522; multilingual ones 120,000).
    public static let maximumVocabularySize = 1 << 20

    /// The longest line of a vocab.txt, in bytes: 1,024 (WordPiece words are cut at 100 characters).
    public static let maximumTokenByteCount = 1_024

    /// The deepest nesting of JSON arrays and objects in a safetensors header (64; Foundation's reader,
    /// which reads the configuration files, stops at 512).
    public static var maximumJSONDepth: Int { SafeTensors.maximumHeaderDepth }

    /// The largest safetensors header, in bytes (100 MB, as the Python library).
    public static var maximumSafeTensorsHeaderByteCount: Int { SafeTensors.maximumHeaderByteCount }

    /// The number of elements of an array of `shape`, or nil when the product overflows `Int` or needs
    /// more than `Int.max` bytes at 8 bytes an element. A shape with a zero dimension still has every other
    /// dimension checked, so that no later product over part of the shape can overflow.
    public static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        var nonZero = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            if dimension == 0 {
                count = 0
                continue
            }
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Int.max / 8 else { return nil }
            nonZero = product
            count = count == 0 ? 0 : product
        }
        return count
    }
}
