import Foundation
import Kindling
import KindlingTestSupport
import XCTest

final class TokenizerTests: XCTestCase {
    func testTokenIDsMatchTransformersBertTokenizer() throws {
        // Reference: Scripts/reference/transformers_tokenizer.py -> Fixtures/transformers_tokenizer.json.
        let tokenizer = try WordPieceTokenizer(folder: encoderFolder())
        let reference = try fixture("transformers_tokenizer.json") as! [String: Any]
        let cases = reference["cases"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 330)
        var mismatches = 0
        for item in cases {
            let text = item["text"] as! String
            let expected = item["ids"] as! [Int]
            let actual = tokenizer.encode(text)
            if actual != expected {
                mismatches += 1
                XCTFail(
                    "\(text.debugDescription): \(actual.map { tokenizer.tokens[$0] }) vs expected \(expected.map { tokenizer.tokens[$0] })"
                )
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testBatchIsTruncatedAndPaddedWithTheAttentionMask() throws {
        let tokenizer = try WordPieceTokenizer(folder: encoderFolder())
        let batch = (try fixture("transformers_tokenizer.json") as! [String: Any])["batch"] as! [String: Any]
        let encoded = tokenizer.encode(
            batch: batch["texts"] as! [String], maximumLength: batch["maximumLength"] as? Int)
        XCTAssertEqual(encoded.ids, batch["ids"] as! [[Int]])
        XCTAssertEqual(encoded.attentionMask, batch["attentionMask"] as! [[Int]])
        XCTAssertEqual(encoded.length, 12)
    }

    func testWordPieceIsGreedyLongestMatchFirst() throws {
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "una", "##ff", "##f", "##able", "!", "a"]
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary)
        XCTAssertEqual(tokenizer.tokenize("Unaffable!"), ["una", "##ff", "##able", "!"])
        XCTAssertEqual(tokenizer.tokenize("unx a"), ["[UNK]", "a"])
        XCTAssertEqual(tokenizer.tokenize(String(repeating: "a", count: 101)), ["[UNK]"])
        XCTAssertEqual(tokenizer.encode("a a a a", maximumLength: 4), [2, 10, 10, 3])
    }

    func testVocabularyWithoutSpecialTokensIsRejected() {
        XCTAssertThrowsError(try WordPieceTokenizer(vocabulary: ["[PAD]", "[CLS]", "[SEP]"])) { error in
            XCTAssertEqual(error as? TokenizerError, .missingSpecialToken(path: "vocabulary", token: "[UNK]"))
        }
    }
}
