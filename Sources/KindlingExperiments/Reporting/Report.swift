import Foundation
import KindlingCore
import KindlingData
import KindlingNN
import KindlingPlatform
import KindlingText

/// A problem writing a report, naming the path involved. Nothing is left half-written when one is thrown.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The folder that should contain the report does not exist.
    case parentFolderMissing(path: String)
    /// The destination exists and is not a folder.
    case notAFolder(path: String)
    /// The destination is a folder holding files that are not an earlier Kindling report.
    case folderNotEmpty(path: String)
    /// Creating, writing or moving a file failed.
    case writeFailed(path: String, reason: String)

    /// What went wrong, naming the path.
    public var description: String {
        switch self {
        case .parentFolderMissing(let path):
            return "cannot write the report: the folder \(path) does not exist"
        case .notAFolder(let path):
            return "cannot write the report to \(path): it exists and is not a folder"
        case .folderNotEmpty(let path):
            return
                "cannot write the report to \(path): the folder holds other files (it is not an earlier Kindling report); choose a new or empty folder"
        case .writeFailed(let path, let reason):
            return "cannot write the report to \(path): \(reason)"
        }
    }
}

extension ReportError: LocalizedError {
    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// A folder of results: SVG charts, CSV files and tables, with an `index.html` that shows them together
/// in the order they were added. `write(to:)` is atomic: everything is written into a hidden sibling
/// folder that is then renamed into place, so a failure leaves no partial report.
///
/// ```swift
/// var report = Report(title: "Three ways to initialize")
/// report.addChart(lossChart.svg, fileName: "loss.svg", caption: "Cost every 1000 iterations")
/// report.addTable(CSVTable(header: ["init", "train accuracy"], rows: [["he", "0.993"]]), caption: "Results")
/// report.addFile(CSVTable.curves(curves).text, fileName: "curves.csv", caption: "The curves as CSV")
/// try report.write(to: URL(fileURLWithPath: "kindling-report"))
/// ```
public struct Report: Sendable {
    private enum Item: Sendable {
        case chart(fileName: String, caption: String)
        case table(CSVTable, caption: String)
        case file(fileName: String, caption: String)
        case text(String)
        case preformatted(String)
    }

    /// The page heading.
    public var title: String
    private var items: [Item] = []
    private var files: [(name: String, contents: String)] = []

    /// An empty report.
    public init(title: String) { self.title = title }

    /// The names of the files the report writes besides index.html, in order.
    public var fileNames: [String] { files.map(\.name) }

    /// Adds an SVG document, written as `fileName` and shown in the page with a caption.
    public mutating func addChart(_ svg: String, fileName: String, caption: String) {
        addFileContents(svg, named: fileName)
        items.append(.chart(fileName: fileName, caption: caption))
    }

    /// Adds a table shown in the page.
    public mutating func addTable(_ table: CSVTable, caption: String) {
        items.append(.table(table, caption: caption))
    }

    /// Adds a file (such as CSV curves) written as `fileName` and linked from the page.
    public mutating func addFile(_ contents: String, fileName: String, caption: String) {
        addFileContents(contents, named: fileName)
        items.append(.file(fileName: fileName, caption: caption))
    }

    /// Adds a paragraph of text.
    public mutating func addText(_ paragraph: String) {
        items.append(.text(paragraph))
    }

    /// Adds text shown as it is, in a fixed-width font with its line breaks and spaces kept (a model summary,
    /// a table printed by a command).
    public mutating func addPreformatted(_ text: String) {
        items.append(.preformatted(text))
    }

    private mutating func addFileContents(_ contents: String, named name: String) {
        require(
            !name.isEmpty && !name.hasPrefix(".") && name != "index.html"
                && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) },
            "Report: '\(name)' is not a plain file name (letters, digits, - _ . ; not index.html)")
        require(!files.contains { $0.name == name }, "Report: two files are named '\(name)'")
        files.append((name, contents))
    }

    /// The page that shows the charts, tables, files and text.
    public var indexHTML: String {
        func escape(_ text: String) -> String { SVGWriter.escape(text) }
        var body = ""
        for item in items {
            switch item {
            case .chart(let fileName, let caption):
                body +=
                    "<figure><img src=\"\(escape(fileName))\" alt=\"\(escape(caption))\">"
                    + "<figcaption>\(escape(caption))</figcaption></figure>\n"
            case .table(let table, let caption):
                body +=
                    "<table><caption>\(escape(caption))</caption>\n<tr>"
                    + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
                for row in table.rows { body += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
                body += "</table>\n"
            case .file(let fileName, let caption):
                body += "<p><a href=\"\(escape(fileName))\">\(escape(fileName))</a>: \(escape(caption))</p>\n"
            case .text(let paragraph):
                body += "<p>\(escape(paragraph))</p>\n"
            case .preformatted(let text):
                body += "<pre>\(escape(text))</pre>\n"
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="generator" content="\(Self.generatorMark)">
            <title>\(escape(title))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
            figure { display: inline-block; margin: 1em 1em 1em 0; vertical-align: top; }
            figure img { max-width: 100%; border: 1px solid #ddd; }
            figcaption { color: #555; font-size: 0.9em; }
            table { border-collapse: collapse; margin: 1em 0; }
            caption { text-align: left; font-weight: bold; padding-bottom: 0.4em; }
            th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
            th { background: #f4f4f4; }
            pre { background: #f8f8f8; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; }
            </style>
            </head>
            <body>
            <h1>\(escape(title))</h1>
            \(body)</body>
            </html>

            """
    }

    /// Marks an index.html as Kindling's, so that writing a report again may replace that folder.
    static let generatorMark = "Kindling report"

    /// Writes index.html and every file into the folder `destination`, atomically: the files go into a
    /// hidden sibling folder which is then renamed to `destination`. The parent folder must exist. An
    /// existing `destination` is replaced only if it is empty or an earlier Kindling report (its
    /// index.html says so); anything else is left alone and reported.
    ///
    /// - Throws: `ReportError`, naming the path; no partial report remains.
    public func write(to destination: URL) throws {
        let manager = FileManager.default
        let destination = destination.standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ReportError.parentFolderMissing(path: parent.path)
        }
        let exists = manager.fileExists(atPath: destination.path, isDirectory: &isFolder)
        if exists {
            guard isFolder.boolValue else { throw ReportError.notAFolder(path: destination.path) }
            let contents = (try? manager.contentsOfDirectory(atPath: destination.path)) ?? []
            let index = destination.appendingPathComponent("index.html")
            let isReport = (try? String(contentsOf: index, encoding: .utf8))?.contains(Self.generatorMark) ?? false
            guard contents.isEmpty || isReport else { throw ReportError.folderNotEmpty(path: destination.path) }
        }

        let suffix = UUID().uuidString.prefix(8)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(suffix)")
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw ReportError.writeFailed(path: destination.path, reason: Self.reason(error))
        }
        do {
            for (name, contents) in files + [("index.html", indexHTML)] {
                try Data(contents.utf8).write(to: staging.appendingPathComponent(name))
            }
            if exists {
                let previous = parent.appendingPathComponent(".\(destination.lastPathComponent).previous-\(suffix)")
                try manager.moveItem(at: destination, to: previous)
                do {
                    try manager.moveItem(at: staging, to: destination)
                } catch {
                    try? manager.moveItem(at: previous, to: destination)
                    throw error
                }
                try? manager.removeItem(at: previous)
            } else {
                try manager.moveItem(at: staging, to: destination)
            }
        } catch {
            try? manager.removeItem(at: staging)
            throw ReportError.writeFailed(path: destination.path, reason: Self.reason(error))
        }
    }

    /// The system's explanation of a file error, without Foundation's wrapping.
    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}
