import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Examples read by rows from an NPY or IDX file (`ExampleRowsFile`, what each rank of `mpirun kindling
/// train` reads) hold exactly the values the whole-file reader (`RawExamples`) gives, for every dtype, byte order
/// and format the reader accepts; the files that cannot be read by rows are refused with nil.
final class ExampleRowsTests: XCTestCase {
    private func dataset(_ name: String) throws -> URL { try fixtureURL("datasets/" + name) }

    /// An IDX file of `count` zero bytes: labels for files that have none.
    private func zeroLabels(_ count: Int, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("labels-\(count).idx")
        let header: [UInt8] = [0, 0, 0x08, 1] + (0..<4).map { UInt8(truncatingIfNeeded: count >> (8 * (3 - $0))) }
        try Data(header + [UInt8](repeating: 0, count: count)).write(to: url)
        return url
    }

    /// The features of the whole-file reader and of the row reader (every row, then rows out of order).
    private func assertSameFeatures<Scalar: TensorScalar>(
        _ url: URL, labels: URL, as _: Scalar.Type, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let raw = try RawExamples(contentsOf: url, labels: labels)
        let whole = try LabeledExamples<Scalar>(raw, task: .regression, classes: nil)
        let opened = try XCTUnwrap(ExampleRowsFile(contentsOf: url, labels: labels), file: file, line: line)
        XCTAssertEqual(opened.exampleShape, raw.exampleShape, url.lastPathComponent, file: file, line: line)
        let rows = try LabeledExamples<Scalar>(
            rowsOf: opened, exampleShape: raw.exampleShape, task: .regression, classes: nil)
        XCTAssertTrue(rows.isReadByRows)
        XCTAssertEqual(rows.features, whole.features, url.lastPathComponent, file: file, line: line)
        let order = Array((0..<raw.count).reversed())
        XCTAssertEqual(rows.rows(order).features, whole.rows(order).features, file: file, line: line)
        XCTAssertEqual(try rows.materialized().features, whole.features, file: file, line: line)
    }

    func testEveryNPYDtypeInCOrderReadsByRowsAsTheWholeReaderDoes() throws {
        let folder = try temporaryFolder()
        let files = try FileManager.default.contentsOfDirectory(
            at: try dataset("npy"), includingPropertiesForKeys: nil
        ).filter { $0.pathExtension == "npy" }.sorted { $0.path < $1.path }
        XCTAssertGreaterThan(files.count, 30)
        for url in files {
            let raw = try RawExamples(contentsOf: url)
            let labels = try zeroLabels(raw.count, in: folder)
            if url.lastPathComponent.contains("-F") {
                XCTAssertNil(try ExampleRowsFile(contentsOf: url, labels: labels), url.lastPathComponent)
            } else {
                try assertSameFeatures(url, labels: labels, as: Double.self)
                try assertSameFeatures(url, labels: labels, as: Float.self)
            }
        }
    }

    /// The digits as bytes: the NPY table (u1, not divided) and the plain IDX images (divided by 255); the gzip
    /// IDX file cannot be read by rows.
    func testDigitsReadByRowsAsTheWholeReaderDoes() throws {
        try assertSameFeatures(
            try dataset("digits-features.npy"), labels: try dataset("digits-labels.npy"), as: Float.self)
        try assertSameFeatures(
            try dataset("digits-images-idx3-ubyte"), labels: try dataset("digits-labels-idx1-ubyte"), as: Double.self)
        XCTAssertNil(
            try ExampleRowsFile(
                contentsOf: try dataset("digits-images-idx3-ubyte.gz"),
                labels: try dataset("digits-labels-idx1-ubyte.gz")))
        XCTAssertNil(try ExampleRowsFile(contentsOf: try dataset("wine.csv"), labels: nil))
    }

    /// The split moves row numbers only; the standardization fitted by rows (in one part) equals the one fitted
    /// to the features in memory to rounding, and the standardized batches equal the whole reader's.
    func testSplitAndStandardizationByRowsMatchTheWholeReader() throws {
        let url = try dataset("digits-features.npy")
        let labels = try dataset("digits-labels.npy")
        let raw = try RawExamples(contentsOf: url, labels: labels)
        let classes = ClassEncoding(labels: raw.labels!)
        let whole = try LabeledExamples<Double>(raw, task: .multiclass, classes: classes)
        let file = try XCTUnwrap(ExampleRowsFile(contentsOf: url, labels: labels))
        let rows = try LabeledExamples<Double>(rowsOf: file, exampleShape: [64], task: .multiclass, classes: classes)
        let (training, validation) = whole.split(validationFraction: 0.25, generator: RandomGenerator(seed: 4))
        let (trainingRows, validationRows) = rows.split(
            validationFraction: 0.25, generator: RandomGenerator(seed: 4))
        XCTAssertTrue(trainingRows.isReadByRows)
        XCTAssertEqual(trainingRows.targets, training.targets)
        XCTAssertEqual(try validationRows.materialized().features, validation.features)

        let expected = Standardization(fittedTo: training.features)
        var sums = 0
        let fitted = try trainingRows.fittedStandardization(part: 0, of: 1) {
            sums += 1
            return $0
        }
        XCTAssertEqual(sums, 2)
        for (a, b) in zip(fitted.mean + fitted.scale, expected.mean + expected.scale) {
            XCTAssertEqual(a, b, accuracy: 1e-14 * max(1, abs(b)))
        }
        let batch = [17, 3, 1000, 3]
        let standardizedRows = trainingRows.standardized(by: expected).rows(batch)
        XCTAssertEqual(standardizedRows.features, training.standardized(by: expected).rows(batch).features)
        XCTAssertEqual(standardizedRows.targets, batch.map { training.targets[$0] })
    }

    /// Malformed NPY and IDX files (cut short, empty, examples without values, shapes whose size overflows) are
    /// refused by the row reader with the whole reader's message.
    func testMalformedFilesGetTheWholeReadersMessages() throws {
        let folder = try temporaryFolder()
        let cases: [(String, [UInt8])] = [
            ("short.npy", HostileFiles.npy(shape: "(4, 3)", data: [UInt8](repeating: 0, count: 10))),
            ("empty.npy", HostileFiles.npy(shape: "(0, 3)")),
            ("no-values.npy", HostileFiles.npy(shape: "(4, 0)")),
            ("short.idx", HostileFiles.idxHeader(shape: [4, 3]) + [1, 2, 3, 4, 5]),
            ("long.idx", HostileFiles.idxHeader(shape: [2, 2]) + [1, 2, 3, 4, 5]),
            ("empty.idx", HostileFiles.idxHeader(shape: [0, 3])),
            ("header-cut.idx", [0, 0, 8, 3, 0, 0, 0, 4]),
        ]
        var urls = try cases.map { name, bytes in
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url
        }
        let regressions = Products.packageFolder.appendingPathComponent("Tests/Fuzz/regressions")
        urls += [
            "npy/shape-product-overflows.npy", "npy/examples-without-values.npy", "idx/shape-product-overflows",
        ].map { regressions.appendingPathComponent($0) }
        for url in urls {
            var wholeError = ""
            XCTAssertThrowsError(try RawExamples(contentsOf: url)) { wholeError = "\($0)" }
            XCTAssertThrowsError(try ExampleRowsFile(contentsOf: url, labels: nil), url.lastPathComponent) {
                XCTAssertEqual("\($0)", wholeError, url.lastPathComponent)
            }
        }
    }

    /// A NaN is found by the part of the rows that holds it, and named as the whole reader names it.
    func testANaNIsFoundByThePartThatReadsItsRow() throws {
        let folder = try temporaryFolder()
        var values = (0..<30).map { Double($0) }
        values[7 * 3 + 1] = .nan
        let url = folder.appendingPathComponent("nan.npy")
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (10, 3), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: url)
        let labels = try zeroLabels(10, in: folder)
        let wholeError = "element [7, 1] (example 8) is NaN"
        XCTAssertThrowsError(try RawExamples(contentsOf: url, labels: labels)) {
            XCTAssertTrue("\($0)".contains(wholeError), "\($0)")
        }
        let file = try XCTUnwrap(ExampleRowsFile(contentsOf: url, labels: labels))
        let rows = try LabeledExamples<Double>(rowsOf: file, exampleShape: [3], task: .regression, classes: nil)
        XCTAssertNoThrow(try rows.checkFinite(part: 0, of: 2))
        XCTAssertThrowsError(try rows.checkFinite(part: 1, of: 2)) {
            XCTAssertEqual("\($0)", "\(url.path): element [7, 1] (example 8) is NaN; NaN and infinity are not allowed")
        }
        XCTAssertThrowsError(try rows.fittedStandardization(part: 1, of: 2) { $0 })
        XCTAssertThrowsError(try rows.materialized()) { XCTAssertTrue("\($0)".contains(wholeError), "\($0)") }
    }
}
