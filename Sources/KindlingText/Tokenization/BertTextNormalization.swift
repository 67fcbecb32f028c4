import Foundation
import KindlingCore

/// The character classes and the text clean-up of BERT's basic tokenizer (Devlin et al. 2019, as
/// Hugging Face's `BertNormalizer` and `BertPreTokenizer` implement them), on Unicode scalars (code
/// points), never on grapheme clusters: a word's length and its WordPiece pieces are counted in scalars.
enum BertCharacters {
    /// Space, tab, newline, carriage return, and the space separators (category Zs).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r": return true
        default: return scalar.properties.generalCategory == .spaceSeparator
        }
    }

    /// Control and other "C" categories (Cc, Cf, Cn, Co, Cs), except tab, newline and carriage return,
    /// which count as whitespace.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// BERT's punctuation: every ASCII symbol (33-47, 58-64, 91-96, 123-126: `$`, `+`, `^`, `` ` `` and
    /// the like, which Unicode files under symbols) and every Unicode punctuation category (P*).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
        {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks (and their extensions and compatibility blocks) that BERT
    /// splits into single-character words; Hiragana, Katakana and Hangul are not among them.
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Separators of words: BERT's whitespace and the other scalars with Unicode's White_Space property
    /// (U+2028, U+2029 and the like survive cleaning and still separate words).
    static func separatesWords(_ scalar: Unicode.Scalar) -> Bool {
        isWhitespace(scalar) || scalar.properties.isWhitespace
    }
}

/// The normalization steps of BERT's uncased tokenizer, in the order `BertNormalizer` applies them.
struct BertNormalizer: Sendable {
    /// Surround CJK ideographs with spaces, so that each becomes a word.
    var splitsChineseCharacters = true
    /// Decompose (NFD) and drop the nonspacing marks (category Mn): "café" -> "cafe".
    var stripsAccents = true
    /// Map every scalar to its full lower-case mapping ("İ" -> "i̇", "ẞ" -> "ß").
    var lowercases = true

    /// The text cleaned (NUL, U+FFFD and control characters removed, whitespace turned into spaces),
    /// CJK characters spaced out, accents stripped and letters lower-cased.
    func normalize(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || BertCharacters.isControl(scalar) { continue }
            if BertCharacters.isWhitespace(scalar) {
                scalars.append(" ")
            } else if splitsChineseCharacters && BertCharacters.isChineseCharacter(scalar) {
                scalars.append(contentsOf: [" ", scalar, " "])
            } else {
                scalars.append(scalar)
            }
        }
        if stripsAccents {
            var unicode = String.UnicodeScalarView()
            unicode.append(contentsOf: scalars)
            scalars = String(unicode).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercases {
            scalars = scalars.flatMap { Array($0.properties.lowercaseMapping.unicodeScalars) }
        }
        return scalars
    }
}
