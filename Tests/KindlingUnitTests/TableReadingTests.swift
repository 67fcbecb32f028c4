import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Tables as people have them: the delimiter sniffed, decimal commas, categorical columns, missing values,
/// ignored columns, the preprocessing saved with a model and applied to new files by column name, and NaN in
/// NPY features refused.
final class TableReadingTests: XCTestCase {
    func temporaryFile(_ text: String, name: String = "table.csv") throws -> URL {
        let url = try temporaryFolder().appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func testTheDelimiterAndDecimalSeparatorAreSniffedFromTheFirstLines() {
        func sniffed(_ text: String) -> CSVFormat { CSVFormat.sniffed(from: Array(text.utf8)) }
        XCTAssertEqual(sniffed("a,b,c\n1,2,3\n"), CSVFormat(delimiter: .comma))
        XCTAssertEqual(sniffed("a;b;c\n1;2;3\n"), CSVFormat(delimiter: .semicolon))
        XCTAssertEqual(sniffed("a\tb\tc\n1\t2\t3\n"), CSVFormat(delimiter: .tab))
        XCTAssertEqual(sniffed("a|b|c\n1|2|3\n"), CSVFormat(delimiter: .pipe))
        XCTAssertEqual(sniffed("a\n1\n2\n"), CSVFormat(delimiter: .comma), "one column: the comma")
        // As many commas as semicolons on the data lines: the header and the tie go to the semicolon.
        XCTAssertEqual(
            sniffed("1,5;2,25;x\n3,0;4,5;y\n"), CSVFormat(delimiter: .semicolon, decimalSeparator: .comma))
        XCTAssertEqual(
            sniffed("a;b;c\n1.5;2;x\n"), CSVFormat(delimiter: .semicolon, decimalSeparator: .point))
        XCTAssertEqual(sniffed("\"x;y\",b\n1,2\n"), CSVFormat(delimiter: .comma), "delimiters in quotes do not count")
        XCTAssertEqual(
            CSVFormat.sniffed(from: Array("a,b\nx,y\n".utf8), delimiter: .tab), CSVFormat(delimiter: .tab),
            "a forced delimiter")
    }

    /// Defect 1 of issue 20: a semicolon or tab file was one column of text.
    func testSemicolonTabAndPipeFilesReadAsTheCommaFile() throws {
        let comma = "name,size,weight,class\na,1.5,2,x\nb,3,4.25,y\n"
        let reference = try CSVTableFile(bytes: Array(comma.utf8), path: "comma.csv", columns: textName)
        for delimiter in [";", "\t", "|"] {
            let text = comma.replacingOccurrences(of: ",", with: delimiter)
            let table = try CSVTableFile(bytes: Array(text.utf8), path: "other.csv", columns: textName)
            XCTAssertEqual(table.format.delimiter.rawValue, delimiter)
            XCTAssertEqual(table.columnNames, reference.columnNames)
            XCTAssertEqual(table.features, reference.features)
            XCTAssertEqual(table.labels, reference.labels)
        }
        let decimalComma = try CSVTableFile(
            bytes: Array("size;weight;class\n1,5;-2,0;x\n3;4,25;y\n\"0,125\";1e2;z\n".utf8), path: "comma.csv")
        XCTAssertEqual(decimalComma.format, CSVFormat(delimiter: .semicolon, decimalSeparator: .comma))
        XCTAssertEqual(decimalComma.features, [1.5, -2, 3, 4.25, 0.125, 100])
        // A tab-separated file with an empty field: the tab is a delimiter, not padding.
        let tabs = try CSVTableFile(bytes: Array("a\tb\tc\n1\t\t3\n".utf8), path: "tabs.tsv", columns: allowsMissing)
        XCTAssertEqual(tabs.features[0], 1)
        XCTAssertTrue(tabs.features[1].isNaN)
    }

    var textName: CSVColumns {
        var columns = CSVColumns()
        columns.text = ["name"]
        return columns
    }

    var allowsMissing: CSVColumns {
        var columns = CSVColumns()
        columns.allowsMissingValues = true
        return columns
    }

    func testAOneColumnFileIsAnErrorNamingIt() throws {
        let url = try temporaryFile("a;b;class\n1;2;x\n3;4;y\n")
        var options = TableOptions()
        options.delimiter = .comma
        XCTAssertThrowsError(try RawExamples(from: .file(url), table: options)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(url.path): one column ('a;b;class'), so no features to learn from (read with the delimiter ','; "
                    + "is the file separated by another one?)")
        }
        XCTAssertEqual(try RawExamples(from: .file(url), table: TableOptions()).featureCount, 2)
    }

    func testCategoricalMissingAndIgnoredColumnsBecomeFeatures() throws {
        let url = try temporaryFile(
            """
            id,colour,size,weight,label
            p1,red,1,10,a
            p2,blue,,20,b
            p3,,3,,a
            p4,red,6,40,b
            p5,green,5,30,a

            """)
        var options = TableOptions()
        options.ignored = ["id"]
        options.missingValues = .median
        let raw = try RawExamples(from: .file(url), table: options)
        let table = try XCTUnwrap(raw.table)
        XCTAssertEqual(table.ignoredColumns, ["id"])
        XCTAssertEqual(table.columns.map(\.name), ["colour", "size", "weight"])
        XCTAssertEqual(table.columns[0].categories, ["blue", "green", "red"], "sorted, as OneHotEncoder")
        XCTAssertEqual(table.columns[0].fill, "red", "the most frequent category")
        XCTAssertEqual(table.columns[1].fill.flatMap(Double.init), 4, "the median of 1, 3, 5, 6")
        XCTAssertEqual(table.columns[2].fill.flatMap(Double.init), 25, "the median of 10, 20, 30, 40")
        XCTAssertEqual(raw.featureNames, ["colour=blue", "colour=green", "colour=red", "size", "weight"])
        XCTAssertEqual(
            raw.values,
            [
                0, 0, 1, 1, 10,
                1, 0, 0, 4, 20,
                0, 0, 1, 3, 25,
                0, 0, 1, 6, 40,
                0, 1, 0, 5, 30,
            ])
        options.missingValues = .mean
        let mean = try XCTUnwrap(RawExamples(from: .file(url), table: options).table)
        XCTAssertEqual(mean.columns[1].fill.flatMap(Double.init), 3.75)
        options.missingValues = .drop
        let dropped = try RawExamples(from: .file(url), table: options)
        XCTAssertEqual(dropped.count, 3)
        XCTAssertEqual(dropped.labels, ["a", "b", "a"])
        XCTAssertEqual(dropped.location(ofExample: 1), "\(url.path):5", "rows keep their lines")
        options.missingValues = .error
        XCTAssertThrowsError(try RawExamples(from: .file(url), table: options)) { error in
            XCTAssertEqual("\(error)", "\(url.path):3:9: field 3 ('size') is empty (missing values are not allowed)")
        }
        options.ignored = []
        options.missingValues = .mean
        options.maximumCategories = 4
        XCTAssertThrowsError(try RawExamples(from: .file(url), table: options)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(url.path):2: column 'id' is not numeric ('p1')"), "\(error)")
        }
    }

    /// Defect 2 of issue 20: new files are read by column name, whatever their order, with the training
    /// file's categories and fill values.
    func testThePreprocessingIsAppliedByColumnNameAndSavedWithTheModel() throws {
        let training = try temporaryFile("colour,size,label\nred,1,a\nblue,,b\nred,5,a\n")
        var options = TableOptions()
        options.missingValues = .mean
        let preprocessing = try XCTUnwrap(RawExamples(from: .file(training), table: options).table)

        var specification = ModelSpecification(architecture: .mlp, inputShape: [3], outputs: 1, task: .binary)
        specification.table = preprocessing
        XCTAssertEqual(try ModelSpecification(json: specification.json).table, preprocessing, "saved exactly")

        let reordered = try temporaryFile("note,size,label,colour\nx,7,b,blue\ny,,a,red\n", name: "new.csv")
        let new = try RawExamples(from: .file(reordered), applying: preprocessing)
        XCTAssertEqual(new.values, [1, 0, 7, 0, 1, 3])
        XCTAssertEqual(new.labels, ["b", "a"])
        XCTAssertEqual(new.notes, ["\(reordered.path): column 'note' not used by the model, left out"])
        let unlabelled = try temporaryFile("1\n", name: "bare.csv")
        XCTAssertThrowsError(try RawExamples(from: .file(unlabelled), applying: preprocessing)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(unlabelled.path): 1 column and no header, but the model was trained on 3 columns "
                    + "(or 2 without the label column 'label')")
        }
        let swapped = try temporaryFile("1,red\n", name: "swapped.csv")
        XCTAssertThrowsError(try RawExamples(from: .file(swapped), applying: preprocessing)) { error in
            XCTAssertEqual("\(error)", "\(swapped.path):1:3: field 2 ('size'): 'red' is not a number", "types checked")
        }
        let semicolons = try temporaryFile("size;colour\n2;blue\n", name: "semicolons.csv")
        XCTAssertEqual(
            try RawExamples(from: .file(semicolons), applying: preprocessing).values, [1, 0, 2],
            "another delimiter than the training file's is sniffed")
        let byPosition = try temporaryFile("red,2\n", name: "positions.csv")
        XCTAssertEqual(try RawExamples(from: .file(byPosition), applying: preprocessing).values, [0, 1, 2])

        let lacking = try temporaryFile("size\n1\n", name: "lacking.csv")
        XCTAssertThrowsError(try RawExamples(from: .file(lacking), applying: preprocessing)) { error in
            XCTAssertEqual("\(error)", "\(lacking.path): the model's column 'colour' is missing")
        }
        let unseen = try temporaryFile("colour,size\nred,1\ngreen,2\n", name: "unseen.csv")
        XCTAssertThrowsError(try RawExamples(from: .file(unseen), applying: preprocessing)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(unseen.path):3: column 'colour': category 'green' was not seen in training "
                    + "(the model knows 'blue', 'red')")
        }
        let ignored = try RawExamples(from: .file(unseen), applying: preprocessing, unknownCategories: .ignore)
        XCTAssertEqual(ignored.values, [0, 1, 1, 0, 0, 2], "an unknown category is all zeros")
    }

    /// An NPY file of float64 values in C order.
    func npyFile(_ values: [Double], shape: [Int], name: String) throws -> URL {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        let url = try temporaryFolder().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Defect 4 of issue 20: NaN and infinity in NPY features were accepted (CSV refuses them).
    func testNaNAndInfinityInNPYFeaturesAreRefusedWithTheirPosition() throws {
        let finite = try npyFile([1, 2, 3, 4, 5, 6], shape: [2, 3], name: "finite.npy")
        XCTAssertEqual(try RawExamples(contentsOf: finite).values, [1, 2, 3, 4, 5, 6])
        let nan = try npyFile([1, 2, 3, 4, .nan, 6], shape: [2, 3], name: "nan.npy")
        XCTAssertThrowsError(try RawExamples(contentsOf: nan)) { error in
            XCTAssertEqual(
                "\(error)", "\(nan.path): element [1, 1] (example 2) is NaN; NaN and infinity are not allowed")
        }
        let infinite = try npyFile([1, -.infinity, 3], shape: [3], name: "inf.npy")
        XCTAssertThrowsError(try RawExamples(contentsOf: infinite)) { error in
            XCTAssertEqual(
                "\(error)", "\(infinite.path): element [1] (example 2) is -infinity; NaN and infinity are not allowed")
        }
        let labels = try npyFile([0, .nan], shape: [2], name: "labels.npy")
        XCTAssertThrowsError(try RawExamples(contentsOf: finite, labels: labels)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(labels.path): element [1] (example 2) is NaN"), "\(error)")
        }
    }
}
