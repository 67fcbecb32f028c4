import Foundation
import XCTest

/// The README's Swift examples are copies of the compiled samples in `Snippets/` (which `swift build`
/// builds and the DocC articles show): each README block must appear, line for line and in order, among
/// the shown lines of one snippet, so an example that no longer compiles cannot stay in the README.
final class ReadmeExampleTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The ```swift blocks of a Markdown text, each as its lines.
    private func swiftBlocks(in markdown: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line.hasPrefix("```") {
                blocks.append(current!)
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The lines DocC shows of a snippet: without its first line (the summary comment), the lines between
    /// `// snippet.hide` and `// snippet.show`, and the markers themselves.
    private func shownLines(ofSnippet source: String) -> [String] {
        var shown: [String] = []
        var visible = true
        for line in source.components(separatedBy: "\n").dropFirst() {
            let marker = line.trimmingCharacters(in: .whitespaces)
            if marker == "// snippet.hide" {
                visible = false
            } else if marker == "// snippet.show" {
                visible = true
            } else if !marker.hasPrefix("// snippet."), visible {
                shown.append(line)
            }
        }
        return shown
    }

    private func contains(_ lines: [String], run: [String]) -> Bool {
        guard !run.isEmpty, run.count <= lines.count else { return run.isEmpty }
        return (0...(lines.count - run.count)).contains { Array(lines[$0..<($0 + run.count)]) == run }
    }

    func testEveryReadmeExampleIsPartOfASnippet() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let folder = root.appendingPathComponent("Snippets")
        let snippets = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".swift") }
            .map { try shownLines(ofSnippet: String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
        let blocks = swiftBlocks(in: readme)
        XCTAssertGreaterThanOrEqual(blocks.count, 6, "the README's tour lost its examples")
        for block in blocks {
            XCTAssertTrue(
                snippets.contains { contains($0, run: block) },
                "this README example is in no snippet of Snippets/:\n\(block.joined(separator: "\n"))")
        }
    }
}
