import Foundation
import KindlingTestSupport
import XCTest

/// `kindling search` on a small random sentence-transformers folder (Fixtures/sentence_transformers):
/// the query's own line comes first with cosine 1, the corpus embeddings are cached beside the corpus and
/// computed again when the corpus changes, and bad arguments are named.
extension CommandLineTests {
    func testSearchRanksByCosineAndCachesTheCorpusEmbeddings() throws {
        let encoder = try fixtureURL("sentence_transformers/classic_mean_normalize").path
        let folder = try temporaryFolder()
        let corpus = folder.appendingPathComponent("corpus.txt")
        try Data("The cat sat on the mat.\n\nA dog ran in the park!\nhe ran\r\nThe big red house.\n".utf8).write(
            to: corpus)
        let arguments = [
            "search", "--encoder", encoder, "--corpus", corpus.path, "--query", "A dog ran in the park!", "--top", "2",
        ]
        let first = try kindling(arguments: arguments)
        XCTAssertEqual(first.status, 0, first.errors)
        XCTAssertTrue(first.output.contains("4 lines embedded, cached in \(corpus.path).kindling-"), first.output)
        XCTAssertTrue(
            first.output.contains(
                "query: A dog ran in the park!\n  1. 1.0000  A dog ran in the park!  (line 3)\n  2. "), first.output)
        XCTAssertEqual(first.output.components(separatedBy: "(line ").count - 1, 2, "--top 2 prints two lines")
        let cached = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".npy") }
        XCTAssertEqual(cached.count, 1)

        let second = try kindling(arguments: arguments)
        XCTAssertEqual(second.status, 0, second.errors)
        XCTAssertTrue(
            second.output.contains("4 lines, embeddings read from \(folder.appendingPathComponent(cached[0]).path)"),
            second.output)
        XCTAssertEqual(
            second.output.split(separator: "\n").dropFirst(), first.output.split(separator: "\n").dropFirst())

        try Data("he ran\nThe cat sat on the mat.\n".utf8).write(to: corpus)
        let third = try kindling(arguments: arguments)
        XCTAssertEqual(third.status, 0, third.errors)
        XCTAssertTrue(third.output.contains("2 lines embedded"), third.output)
        let now = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".npy") }
        XCTAssertEqual(now.count, 1, "the older cache is removed")
        XCTAssertNotEqual(now, cached)

        let cases: [([String], String)] = [
            (["search", "--encoder", encoder, "--corpus", corpus.path], "give at least one --query"),
            (
                ["search", "--encoder", encoder, "--corpus", corpus.path, "--query", "x", "--top", "0"],
                "--top must be at least 1"
            ),
            (
                [
                    "search", "--encoder", encoder, "--corpus", folder.appendingPathComponent("none.txt").path,
                    "--query", "x",
                ], "--corpus: cannot read"
            ),
            (
                ["search", "--encoder", folder.path, "--corpus", corpus.path, "--query", "x"],
                "vocab.txt: cannot be read"
            ),
        ]
        for (arguments, message) in cases {
            let outcome = try kindling(arguments: arguments)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.errors.contains(message), "\(arguments): \(outcome.errors)")
        }
    }
}
