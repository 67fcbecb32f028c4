import Foundation
import Kindling
import KindlingData
import KindlingTestSupport
import XCTest

/// The data readers on real bytes: scikit-learn's digits, wine, breast cancer and diabetes as exported by
/// Scripts/reference/sklearn_real_datasets.py (CSV, IDX plain and gzip, NPY), compared with what numpy
/// read back (Fixtures/sklearn_real_datasets.json); and malformed files, whose errors name file:line:column.
final class DataReaderTests: XCTestCase {
    func reference() throws -> [String: Any] { try fixture("sklearn_real_datasets.json") as! [String: Any] }

    func dataset(_ name: String) throws -> URL { try fixtureURL("datasets/" + name) }

    func temporaryFile(_ contents: String, extension fileExtension: String = "csv") throws -> URL {
        let url = try temporaryFolder().appendingPathComponent("data.\(fileExtension)")
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// Column sums (numpy's are math.fsum, exactly rounded; these add in order, so a relative tolerance) and
    /// the first row, exactly (the fixture writes floats as hex strings).
    func assertMatches(
        _ raw: RawExamples, _ expected: [String: Any], file: StaticString = #filePath, line: UInt = #line
    ) {
        let shape = expected["shape"] as! [Int]
        XCTAssertEqual([raw.count] + raw.exampleShape.suffix(1), shape, file: file, line: line)
        let width = raw.featureCount
        let sums = (0..<width).map { column in
            stride(from: column, to: raw.values.count, by: width).reduce(0.0) { $0 + raw.values[$1] }
        }
        for (sum, reference) in zip(sums, (expected["columnSums"] as! [String]).map { Double($0)! }) {
            XCTAssertEqual(sum, reference, accuracy: 1e-12 * max(1, abs(reference)), file: file, line: line)
        }
        XCTAssertEqual(
            Array(raw.values[0..<width]), (expected["firstRow"] as! [String]).map { Double($0)! }, file: file,
            line: line)
    }

    /// The labels' trimming without Foundation keeps Foundation's meaning: the tab and Unicode's space
    /// separators (the no-break and ideographic spaces among them), not new lines.
    func testTrimmingSpacesIsFoundationsTrimmingOfWhitespaces() {
        let texts = [
            "", " ", "\t", "cat", " cat", "cat\t", " \t cat \t ", "\u{00A0}cat\u{00A0}", "\u{3000}cat", "cat\n",
            "\ncat", "c a t", "\u{2009}\u{2009}", "\u{0085}cat", "é ", " 3.5 ",
        ]
        for text in texts {
            XCTAssertEqual(
                text.trimmingSpaces, text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
    }

    func testRealCSVFilesMatchNumpy() throws {
        let datasets = try reference()["datasets"] as! [String: [String: Any]]
        let digits = try RawExamples(contentsOf: dataset("digits.csv"))
        XCTAssertEqual(digits.featureNames.first, "pixel_0_0")
        XCTAssertEqual(digits.labelName, "target")
        assertMatches(digits, datasets["digits"]!)
        XCTAssertEqual(ClassEncoding(labels: digits.labels!).names, datasets["digits"]!["classNames"] as! [String])

        let wine = try RawExamples(contentsOf: dataset("wine.csv"), label: .name("class"))
        assertMatches(wine, datasets["wine"]!)
        XCTAssertEqual(wine.featureNames.first, "alcohol")
        XCTAssertEqual(ClassEncoding(labels: wine.labels!).names, datasets["wine"]!["classNames"] as! [String])
        XCTAssertEqual(Task.detect(labels: wine.labels!), .multiclass)

        // Every field quoted (csv.QUOTE_NONNUMERIC): names with spaces, string labels.
        let cancer = try RawExamples(contentsOf: dataset("breast_cancer.csv"), label: .name("diagnosis"))
        assertMatches(cancer, datasets["breast_cancer"]!)
        XCTAssertEqual(cancer.featureNames.first, "mean radius")
        let classes = ClassEncoding(labels: cancer.labels!)
        XCTAssertEqual(classes.names, datasets["breast_cancer"]!["classNames"] as! [String])
        XCTAssertEqual(Task.detect(labels: cancer.labels!), .binary)
        let counts = (0..<2).map { k in cancer.labels!.filter { classes.index(of: $0) == k }.count }
        XCTAssertEqual(counts, datasets["breast_cancer"]!["labelCounts"] as! [Int])

        // No header (detected), real-valued targets: regression.
        let diabetes = try RawExamples(contentsOf: dataset("diabetes.csv"))
        XCTAssertEqual(diabetes.featureNames.first, "column 1")
        assertMatches(diabetes, datasets["diabetes"]!)
        XCTAssertEqual(Task.detect(labels: diabetes.labels!), .regression)
        let examples = try LabeledExamples<Double>(diabetes, task: .regression, classes: nil)
        XCTAssertEqual(
            examples.targets.reduce(0, +), Double(datasets["diabetes"]!["targetSum"] as! String)!, accuracy: 1e-9)
    }

    func testDigitsReadTheSameFromCSVIDXGzipAndNPY() throws {
        let csv = try RawExamples(contentsOf: dataset("digits.csv"))
        let pixels = csv.values
        for (images, labels) in [
            ("digits-images-idx3-ubyte", "digits-labels-idx1-ubyte"),
            ("digits-images-idx3-ubyte.gz", "digits-labels-idx1-ubyte.gz"),
        ] {
            let idx = try RawExamples(contentsOf: dataset(images), labels: dataset(labels))
            XCTAssertEqual(idx.exampleShape, [1, 8, 8])
            XCTAssertEqual(idx.count, 1797)
            XCTAssertEqual(idx.values, pixels.map { $0 / 255 }, "bytes scaled into [0, 1]")
            XCTAssertEqual(idx.labels, csv.labels)
            let images: LabeledExamples<Float> = try .init(
                idx, task: .multiclass, classes: ClassEncoding(labels: idx.labels!))
            XCTAssertEqual(images.features.shape, [1797, 1, 8, 8])
        }
        let npy = try RawExamples(contentsOf: dataset("digits-features.npy"), labels: dataset("digits-labels.npy"))
        XCTAssertEqual(npy.exampleShape, [64])
        XCTAssertEqual(npy.values, pixels)
        XCTAssertEqual(npy.labels, csv.labels)
    }

    func testNPYEveryDTypeByteOrderMemoryOrderAndVersion() throws {
        let npy = try reference()["npy"] as! [String: Any]
        let expected = (npy["values"] as! [[Double]]).flatMap { $0 }
        let files = npy["files"] as! [String]
        XCTAssertEqual(files.count, 38)
        for name in files {
            let url = try fixtureURL("datasets/npy/" + name)
            let array = try NumericArray(npyContentsOf: url)
            XCTAssertEqual(array.shape, [3, 4], name)
            XCTAssertEqual(array.values, expected, name)
        }
    }

    func testSplitIsScikitLearnsTrainTestSplit() throws {
        let split = try reference()["digitsSplit"] as! [String: Any]
        let indices = LabeledExamples<Double>.splitIndices(
            count: 1797, validationFraction: 0.2, generator: RandomGenerator(seed: 0))
        XCTAssertEqual(indices.validation, split["validationIndices"] as! [Int])
        XCTAssertEqual(indices.training, split["trainingIndices"] as! [Int])
    }

    func testStandardizationUsesThePopulationStandardDeviation() {
        let features = Tensor<Double>([[1, 5], [3, 5], [8, 5]])
        let standardization = Standardization(fittedTo: features)
        XCTAssertEqual(standardization.mean, [4, 5])
        XCTAssertEqual(standardization.scale[0], (26.0 / 3).squareRoot(), accuracy: 1e-15)  // (9 + 1 + 16) / 3
        XCTAssertEqual(standardization.scale[1], 1, "a constant feature is left unscaled, as StandardScaler")
        XCTAssertEqual(standardization.apply(to: features).scalars[1], 0)
    }

    func testHeaderDetectionQuotingAndLabelSelection() throws {
        let quoted = try CSVTableFile(
            contentsOf: temporaryFile(
                "\"size, cm\",\"say \"\"hi\"\"\",label\n1.5,2,\"a,b\"\n\"3\",4e1,\"multi\nline\"\r\n"))
        XCTAssertTrue(quoted.hasHeader)
        XCTAssertEqual(quoted.columnNames, ["size, cm", "say \"hi\"", "label"])
        XCTAssertEqual(quoted.features, [1.5, 2, 3, 40])
        XCTAssertEqual(quoted.labels, ["a,b", "multi\nline"])

        let noHeader = try CSVTableFile(contentsOf: temporaryFile("1,2,cat\n3,4,dog\n"))
        XCTAssertFalse(noHeader.hasHeader)
        XCTAssertEqual(noHeader.labels, ["cat", "dog"])
        let forced = try CSVTableFile(contentsOf: temporaryFile("1,2,0\n3,4,1\n"), header: .present, label: .index(0))
        XCTAssertEqual(forced.columnNames, ["1", "2", "0"])
        XCTAssertEqual(forced.features, [4, 1])
        XCTAssertEqual(forced.labels, ["3"])
        let unlabelled = try CSVTableFile(contentsOf: temporaryFile(" 1 , 2\n\n3,4\n"), label: .none)
        XCTAssertEqual(unlabelled.features, [1, 2, 3, 4])
        XCTAssertEqual(unlabelled.line(ofRow: 1), 3)
        // Bytes in memory (copied) read as the mapped file does.
        let inMemory = try CSVTableFile(bytes: Array(" 1 , 2\n\n3,4\n".utf8), path: "memory.csv", label: .none)
        XCTAssertEqual(inMemory.features, [1, 2, 3, 4])
        XCTAssertEqual(inMemory.line(ofRow: 1), 3)
    }

    /// A file over 1 MB without quotes is parsed in one part per core; blank lines leave gaps that are
    /// closed, and an error in a later part still names its line.
    func testLargeFilesParsedInPartsGiveTheSameRowsAndLines() throws {
        var text = "a,b,label\n"
        var expected: [Double] = []
        var lineOfRow: [Int] = []
        var line = 1
        for row in 0..<80_000 {
            if row % 7_001 == 0 {
                text += "\n"
                line += 1
            }
            text += "\(row).5,\(-row),\(row % 3)\n"
            line += 1
            expected += [Double(row) + 0.5, Double(-row)]
            lineOfRow.append(line)
        }
        let table = try CSVTableFile(contentsOf: temporaryFile(text))
        XCTAssertEqual(table.rowCount, 80_000)
        XCTAssertEqual(table.features, expected)
        XCTAssertEqual(table.labels.suffix(3), ["2", "0", "1"])
        XCTAssertEqual(table.line(ofRow: 79_999), lineOfRow[79_999])
        let broken = text.replacingOccurrences(of: "\n79000.5,", with: "\n79000.5x,")
        try assertFails(broken) {
            .malformedNumber(path: $0, line: lineOfRow[79_000], column: 1, field: "field 1 ('a')", text: "79000.5x")
        }
    }

    func testNumbersAreCorrectlyRounded() throws {
        let texts = [
            "0.1", "-2.5e-3", "123456789012345678901234", "1.7976931348623157e308", "4.9e-324",
            "0.30000000000000004", ".5", "7.", "+3", "2.2250738585072011e-308", "1E22", "9007199254740993",
        ]
        let table = try CSVTableFile(
            contentsOf: temporaryFile(texts.joined(separator: ",") + "\n"), header: .absent, label: .none)
        XCTAssertEqual(table.features, texts.map { Double($0)! })
    }

    /// The reader's fast path (at most 19 digits, a power of ten within ±22, eight digits per load) and its
    /// fallback (`strtod`) both give the correctly rounded value, which Swift's `Double(String)` (`strtod`)
    /// is: hand-picked texts at the limits of the fast path, then random numbers in many printed forms, in
    /// a file over 1 MB so that it is split into parts (one per core).
    func testFastPathAndFallbackAgreeWithStrtod() throws {
        let edges = [
            "0", "-0", "+0.000000", "-0.0", "1", "12345678", "123456789", "1234567890123456789",
            "12345678901234567890", "0.000000000000000001", "0.0000000000000000001", "00000000000000000001.5",
            "9007199254740992", "9007199254740993", "9007199254740993e-5", "18014398509481985",
            "1e22", "1e23", "1e-22", "1.5e-23", "123.456e-20", "4e0005", "4e00005", "7E+3", "-2.5e-3",
            "1234567.1234567", "0.1234567890123", "99999999.99999999", "1.7976931348623157e308", "4.9e-324",
            "2.2250738585072011e-308", "3.14159265358979323846264338327950288", ".5", "7.", "-.25", "+3",
            " 12.5", "12.5 ", "12.5\r",
        ]
        var generator = RandomGenerator(seed: 7)
        let formats = ["%.6f", "%.17g", "%.3e", "%.20f", "%g", "%.0f", "%.15e", "%.9f"]
        var fields = edges
        while fields.count < 90_000 {
            let magnitude = Double.random(in: -30...30, using: &generator)
            let value =
                (Bool.random(using: &generator) ? -1.0 : 1.0) * Double.random(in: 1..<10, using: &generator)
                * pow(10, magnitude.rounded())
            fields.append(String(format: formats[fields.count % formats.count], value))
        }
        let width = 9
        let rows = stride(from: 0, to: fields.count, by: width).map {
            fields[$0..<min($0 + width, fields.count)].joined(separator: ",")
        }
        let text = rows.joined(separator: "\n")
        XCTAssertGreaterThan(text.utf8.count, 1 << 20)
        let table = try CSVTableFile(contentsOf: temporaryFile(text), header: .absent, label: .none)
        let expected = fields.map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        XCTAssertEqual(table.features.count, expected.count)
        let wrong = zip(fields, zip(table.features, expected)).filter { $1.0.bitPattern != $1.1.bitPattern }
        XCTAssertTrue(
            wrong.isEmpty,
            "\(wrong.count) numbers read wrong, such as "
                + wrong.prefix(5).map { "'\($0.0)' read as \($0.1.0), strtod gives \($0.1.1)" }.joined(separator: "; "))
    }

    func assertFails(
        _ contents: String, label: LabelColumn = .last, header: CSVHeader = .detect,
        _ expected: (String) -> DataError, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let url = try temporaryFile(contents)
        XCTAssertThrowsError(try CSVTableFile(contentsOf: url, header: header, label: label), file: file, line: line) {
            error in
            XCTAssertEqual(error as? DataError, expected(url.path), file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix(url.path), "\(error)", file: file, line: line)
        }
    }

    func testMalformedCSVNamesFileLineAndColumn() throws {
        try assertFails("a,b,label\n1,2,0\n3,x4,1\n") {
            .malformedNumber(path: $0, line: 3, column: 3, field: "field 2 ('b')", text: "x4")
        }
        try assertFails("1,2,0\n3,  x4,1\n") {
            .malformedNumber(path: $0, line: 2, column: 5, field: "field 2", text: "x4")
        }
        try assertFails("1,,0\n") { .missingValue(path: $0, line: 1, column: 3, field: "field 2") }
        // A number followed by more than spaces is read by the fallback, which names the whole field.
        for bad in ["1.5.2", "12 5", "1e", "1e+", "2-", "+", "0x1p3", "5e3x"] {
            try assertFails("1,2,0\n3,\(bad),1\n") {
                .malformedNumber(path: $0, line: 2, column: 3, field: "field 2", text: bad)
            }
        }
        try assertFails("1,2,0\n\n3,4\n") { .raggedRow(path: $0, line: 3, expected: 3, found: 2) }
        try assertFails("1,2,0\n3,4,5,6\n") { .raggedRow(path: $0, line: 2, expected: 3, found: 4) }
        try assertFails("1,\"2,0\n") { .badQuoting(path: $0, line: 1, column: 3) }
        try assertFails("1,\"2\"x,0\n") { .badQuoting(path: $0, line: 1, column: 3) }
        try assertFails("") { .empty(path: $0) }
        try assertFails("a,b\n\n") { .empty(path: $0) }
        try assertFails("1,2,0\n", label: .index(3)) {
            .noSuchColumn(path: $0, column: "3", available: "the rows have 3 columns, indices 0..<3")
        }
        try assertFails("x,y\n1,2\n", label: .name("z")) {
            .noSuchColumn(path: $0, column: "'z'", available: "the header names 'x', 'y'")
        }
        for bad in ["nan", "inf", "-inf", "1e999"] {
            try assertFails("1,2,0\n3,\(bad),1\n") {
                .nonFinite(path: $0, line: 2, column: 3, field: "field 2", text: bad)
            }
        }
        // Non-ASCII text before the field: the column counts characters.
        try assertFails("é,b,c\n1,2,0\nü,2,0\n", header: .present) {
            .malformedNumber(path: $0, line: 3, column: 1, field: "field 1 ('é')", text: "ü")
        }
    }

    func testMalformedBinaryFilesAreNamed() throws {
        let missing = "/nonexistent/kindling/data.npy"
        XCTAssertThrowsError(try RawExamples(contentsOf: URL(fileURLWithPath: missing))) { error in
            XCTAssertEqual("\(error)", "\(missing): no such file")
        }
        var truncated = try Data(contentsOf: dataset("digits-images-idx3-ubyte.gz"))
        truncated = truncated.prefix(truncated.count / 2)
        let url = try temporaryFile("", extension: "gz")
        try truncated.write(to: url)
        XCTAssertThrowsError(try NumericArray(idxContentsOf: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): the gzip data ends early (the file is truncated)")
        }
        let short = try temporaryFile("", extension: "idx")
        try Data([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]).write(to: short)
        XCTAssertThrowsError(try NumericArray(idxContentsOf: short)) { error in
            XCTAssertEqual(
                "\(error)", "\(short.path): not a readable IDX file: shape [5] needs 5 bytes of data, the file holds 2")
        }
        var npy = try [UInt8](Data(contentsOf: dataset("npy/f8-little-C.npy")))
        npy = Array(npy.dropLast(8))
        XCTAssertThrowsError(try NumericArray(npyBytes: npy, path: "cut.npy")) { error in
            XCTAssertEqual(
                "\(error)",
                "cut.npy: not a readable .npy file: shape [3, 4] of '<f8' needs 96 bytes of data, the file holds 88")
        }
        let fewLabels = try temporaryFile("", extension: "npy")
        try Data(contentsOf: dataset("npy/i8-little-C.npy")).write(to: fewLabels)
        XCTAssertThrowsError(try RawExamples(contentsOf: dataset("digits-features.npy"), labels: fewLabels)) { error in
            XCTAssertEqual("\(error)", "\(fewLabels.path): labels must hold one number per example, got shape [3, 4]")
        }
    }

    func testDatasetLoadCSVUsesIntegerLabelsAsClassIndices() throws {
        let dataset = try Dataset<Double>.loadCSV(
            temporaryFile("x,y,label\n0.5, -1.25, 1\n\n2e-3,4,0.0\r\n"), hasHeader: true)
        XCTAssertEqual(dataset.features, Tensor([[0.5, -1.25], [0.002, 4]]))
        XCTAssertEqual(dataset.labels, [1, 0])
        let labelFirst = try Dataset<Float>.loadCSV(temporaryFile("2,1.5,7\n0,3,4\n"), labelColumn: 0)
        XCTAssertEqual(labelFirst.labels, [2, 0])
        XCTAssertEqual(labelFirst.classCount, 3)
        let url = try temporaryFile("1,2,0\n1,2,0.5\n")
        XCTAssertThrowsError(try Dataset<Double>.loadCSV(url)) { error in
            XCTAssertEqual(error as? DataError, .invalidLabel(path: url.path, line: 2, text: "0.5"))
        }
    }

    func testUnseenLabelIsNamedWithItsLine() throws {
        let url = try temporaryFile("x,label\n1,cat\n2,bird\n")
        let raw = try RawExamples(contentsOf: url)
        XCTAssertThrowsError(
            try LabeledExamples<Double>(raw, task: .binary, classes: ClassEncoding(names: ["cat", "dog"]))
        ) { error in
            XCTAssertEqual(
                "\(error)", "\(url.path):3: label 'bird' was not seen in training (the model knows cat, dog)")
        }
    }
}
