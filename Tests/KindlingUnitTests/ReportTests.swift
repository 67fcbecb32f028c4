import Foundation
import Kindling
import KindlingTestSupport
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

final class ReportTests: XCTestCase {
    /// Parses an SVG (or any XML) document; fails the test if it is not well-formed.
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> XMLDocument {
        do {
            return try XMLDocument(xmlString: text, options: [])
        } catch {
            XCTFail("not well-formed XML: \(error)\n\(text.prefix(500))", file: file, line: line)
            throw error
        }
    }

    private func nodes(_ document: XMLDocument, _ xpath: String) throws -> [XMLNode] {
        try document.nodes(forXPath: xpath)
    }

    private func texts(_ document: XMLDocument) throws -> [String] {
        try nodes(document, "//*[local-name()='text']").compactMap(\.stringValue)
    }

    private let curves = [
        ChartSeries("zeros", x: [0, 1000, 2000, 3000], y: [0.6931, 0.6931, 0.6931, 0.6931]),
        ChartSeries("random & <x10>", x: [0, 1000, 2000, 3000], y: [.infinity, 0.9, 0.5, 0.38]),
        ChartSeries("he", x: [0, 1000, 2000, 3000], y: [0.88, 0.68, .nan, 0.07]),
    ]

    func testLineChartIsWellFormedAndDrawsEverySeries() throws {
        let chart = LineChart(
            title: "Cost by initialization", xLabel: "iteration", yLabel: "cost",
            yScale: .logarithmic, series: curves)
        let document = try parse(chart.svg)
        XCTAssertEqual(document.rootElement()?.name, "svg")
        let series = "//*[local-name()='g'][@class='series']"
        XCTAssertEqual(
            try nodes(document, series + "/@data-name").compactMap(\.stringValue),
            ["zeros", "random & <x10>", "he"])
        // zeros: one line through 4 points; random: line through the 3 finite points; he: broken at the NaN,
        // so one line through the first two points and a lone marker for the last.
        let polylines = try (1...3).map { try nodes(document, "(\(series))[\($0)]/*[local-name()='polyline']").count }
        XCTAssertEqual(polylines, [1, 1, 1])
        let markers = try (1...3).map { try nodes(document, "(\(series))[\($0)]/*[local-name()='circle']").count }
        XCTAssertEqual(markers, [4, 3, 3])
        let labels = try texts(document)
        XCTAssertTrue(labels.contains("Cost by initialization"))
        XCTAssertTrue(labels.contains("2 points not drawn (non-finite or not positive)"), "\(labels)")
        XCTAssertTrue(labels.contains("random & <x10>"), "legend names the series")
        XCTAssertTrue(labels.contains("0.1") && labels.contains("0.5"), "log ticks at 1, 2, 5 per decade: \(labels)")
        XCTAssertFalse(chart.svg.contains("nan") || chart.svg.contains("inf"), "no non-finite coordinates")
    }

    func testAllNonFiniteSeriesStillGivesAValidChart() throws {
        let chart = LineChart(
            title: "diverged", xLabel: "step", yLabel: "loss",
            series: [ChartSeries("bad", x: [0, 1], y: [.nan, .infinity])])
        let document = try parse(chart.svg)
        XCTAssertEqual(chart.omittedPointCount, 2)
        XCTAssertTrue(try texts(document).contains("2 points not drawn (non-finite)"))
    }

    /// The tick labels of a one-series chart's axes.
    private func tickLabels(y: [Double], x: [Double]? = nil, scale: AxisScale) throws -> (x: [String], y: [String]) {
        let chart = LineChart(
            title: "t", xLabel: "x", yLabel: "y", yScale: scale,
            series: [ChartSeries("s", x: x ?? y.indices.map(Double.init), y: y)])
        let document = try parse(chart.svg)
        func labels(_ group: String) throws -> [String] {
            try nodes(document, "//*[local-name()='g'][@class='\(group)']/*[local-name()='text']").compactMap(
                \.stringValue)
        }
        return (try labels("x-ticks"), try labels("y-ticks"))
    }

    func testAxisTicks() throws {
        XCTAssertEqual(
            try tickLabels(y: [0.0736, 0.883], scale: .logarithmic).y, ["0.1", "0.2", "0.5"],
            "1, 2 and 5 in each decade when the range spans few decades")
        XCTAssertEqual(
            try tickLabels(y: [1e-12, 1e6], scale: .logarithmic).y,
            ["1e-12", "1e-9", "1e-6", "0.001", "1", "1000", "1e6"], "every third decade of many")
        let linear = try tickLabels(y: [0.3, 0.72], x: [0, 14000], scale: .linear)
        XCTAssertEqual(linear.x, ["0", "5000", "10000", "15000"])
        XCTAssertEqual(linear.y, ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8"])
        let flat = try tickLabels(y: [0.6931, 0.6931, 0.6931], scale: .linear).y
        XCTAssertGreaterThan(flat.count, 2, "a constant series still gets an axis around its value: \(flat)")
        XCTAssertLessThan(Double(flat.first!)!, 0.6931)
        XCTAssertGreaterThan(Double(flat.last!)!, 0.6931)
    }

    func testPerLayerChartCountsLayersFromZero() throws {
        let chart = LineChart.perLayer(
            title: "Activation std", statistic: "std",
            series: [("normal", [1, 16, 256, 4096]), ("scaled", [1, 0.98, 1.02, 1.0, 0.97])])
        XCTAssertEqual(chart.series[0].x, [0, 1, 2, 3])
        XCTAssertEqual(chart.series[1].x, [0, 1, 2, 3, 4])
        XCTAssertEqual(chart.yScale, .logarithmic)
        let document = try parse(chart.svg)
        XCTAssertEqual(try nodes(document, "//*[local-name()='g'][@class='series']").count, 2)
    }

    func testDecisionBoundaryFollowsTheModel() throws {
        // logit = 3 x1: class 1 on the right half of the plane.
        let model = Linear<Double>(2, 1)
        model.weight.value = Tensor([[3, 0]])
        model.bias!.value = Tensor([0])
        let data = Dataset(features: Tensor<Double>([[-1, -1], [1, 1], [-1, 1], [1, -1]]), labels: [0, 1, 0, 1])
        let chart = DecisionBoundaryChart(title: "x1 > 0", model: model, data: data, resolution: 10, margin: 0)
        XCTAssertEqual(chart.xRange, -1...1)
        XCTAssertEqual(chart.probabilities.count, 100)
        for j in 0..<10 {
            for i in 0..<10 {
                let p = chart.probabilities[j * 10 + i]
                XCTAssertEqual(p[0] + p[1], 1, accuracy: 1e-15)
                let x = -1 + (Double(i) + 0.5) * 0.2
                XCTAssertEqual(p[1], 1 / (1 + exp(-3 * x)), accuracy: 1e-12)
            }
        }
        let document = try parse(chart.svg)
        XCTAssertEqual(try nodes(document, "//*[local-name()='g'][@class='points']/*[local-name()='circle']").count, 4)
        let cells = try nodes(document, "//*[local-name()='g'][@class='cells']/*[local-name()='rect']").count
        XCTAssertGreaterThanOrEqual(cells, 10, "at least one rectangle per row")
        XCTAssertLessThanOrEqual(cells, 100, "equal neighbours are merged")
        XCTAssertEqual(chart.nonFiniteCellCount, 0)
    }

    func testDecisionBoundaryOfMultiClassAndDivergedModels() throws {
        let data: Dataset<Double> = .spirals(pointsPerClass: 10, classCount: 3, generator: RandomGenerator(seed: 0))
        let model = Linear<Double>(2, 3, generator: RandomGenerator(seed: 1))
        let chart = DecisionBoundaryChart(title: "spirals", model: model, data: data, resolution: 12)
        XCTAssertTrue(chart.probabilities.allSatisfy { $0.count == 3 && Swift.abs($0.reduce(0, +) - 1) < 1e-12 })
        _ = try parse(chart.svg)

        model.weight.value = Tensor(repeating: .nan, shape: [3, 2])
        let broken = DecisionBoundaryChart(title: "diverged", model: model, data: data, resolution: 12)
        XCTAssertEqual(broken.nonFiniteCellCount, 144)
        XCTAssertTrue(try texts(try parse(broken.svg)).contains("144 cells have non-finite predictions (grey)"))
    }

    /// A number attribute of an SVG element.
    private func number(_ node: XMLNode, _ attribute: String) throws -> Double {
        try XCTUnwrap(
            node.nodes(forXPath: "@" + attribute).first?.stringValue.flatMap(Double.init),
            "\(attribute) of \(node.xmlString)")
    }

    /// The plot frame of a chart: the one rectangle outlined in dark grey.
    private func plotFrame(_ document: XMLDocument) throws -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let frames = try nodes(document, "//*[local-name()='rect'][@stroke='#444444']")
        XCTAssertEqual(frames.count, 1, "one plot frame")
        let frame = try XCTUnwrap(frames.first)
        let x = try number(frame, "x")
        let y = try number(frame, "y")
        return (x...(x + (try number(frame, "width"))), y...(y + (try number(frame, "height"))))
    }

    /// The points drawn in `group` (polyline vertices and circle centres) of the `index`-th such group.
    private func drawnPoints(_ document: XMLDocument, group: String, index: Int = 1) throws
        -> (vertices: [(Double, Double)], centres: [(Double, Double)])
    {
        let base = "(//*[local-name()='g'][@class='\(group)'])[\(index)]"
        let vertices = try nodes(document, base + "/*[local-name()='polyline']/@points").flatMap { node in
            try (node.stringValue ?? "").split(separator: " ").map { pair in
                let coordinates = pair.split(separator: ",").compactMap { Double($0) }
                XCTAssertEqual(coordinates.count, 2, "a point is x,y: \(pair)")
                return (try XCTUnwrap(coordinates.first), try XCTUnwrap(coordinates.last))
            }
        }
        let centres = try nodes(document, base + "/*[local-name()='circle']").map {
            (try number($0, "cx"), try number($0, "cy"))
        }
        return (vertices, centres)
    }

    /// Fails at the first of `points` outside `frame`.
    private func assertInside(
        _ points: [(Double, Double)], _ frame: (x: ClosedRange<Double>, y: ClosedRange<Double>),
        _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        for (x, y) in points where !(frame.x.contains(x) && frame.y.contains(y)) {
            XCTFail("\(what): (\(x), \(y)) lies outside the plot frame \(frame)", file: file, line: line)
            return
        }
    }

    /// The charts of a real run (the docs' circles network trained 2000 steps), of per-layer statistics over
    /// 100 layers and of the trained model's decision boundary: every series and every data point is drawn,
    /// inside the plot frame, and both axes are ticked. With $KINDLING_CHART_DIR set, the charts are also
    /// written there to render and look at by hand.
    func testRenderedChartsDrawEveryPointInsideThePlotFrame() throws {
        let circles: Dataset<Double> = .circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))
        let generator = RandomGenerator(seed: 3)
        let model = Sequential<Double>(
            Linear(2, 10, generator: generator), ReLU(), Linear(10, 5, generator: generator),
            ReLU(), Linear(5, 1, generator: generator))
        final class Step: Optimizer {
            let parameters: [Parameter<Double>]
            var learningRate = 0.5
            init(_ parameters: [Parameter<Double>]) { self.parameters = parameters }
            func step() {
                for parameter in parameters {
                    guard let gradient = parameter.grad else { continue }
                    parameter.updateInPlace { for i in $0.indices { $0[i] -= 0.5 * gradient.scalars[i] } }
                }
            }
        }
        func logistic(_ z: Tensor<Double>, _ batch: Dataset<Double>) -> Tensor<Double> {
            let softplus: Tensor<Double> = log(1 + exp(-abs(z)))
            return (relu(z) - z * batch.targets + softplus).mean()
        }
        let history = train(
            model, on: circles, loss: logistic, optimizer: Step(model.parameters),
            for: .iterations(2000), recordEvery: 100, showsProgress: false)
        XCTAssertLessThan(try XCTUnwrap(history.losses.last), try XCTUnwrap(history.losses.first), "training learns")

        let loss = LineChart(
            title: "Cost", xLabel: "iteration", yLabel: "cost", yScale: .logarithmic,
            series: [ChartSeries("trained", history: history)] + curves)
        let lossDocument = try parse(loss.svg)
        let lossFrame = try plotFrame(lossDocument)
        let names = try nodes(lossDocument, "//*[local-name()='g'][@class='series']/@data-name")
        XCTAssertEqual(names.compactMap(\.stringValue), ["trained", "zeros", "random & <x10>", "he"])
        let finite = history.losses.filter { $0.isFinite && $0 > 0 }.count
        XCTAssertEqual(finite, history.losses.count, "no diverged step: \(history.losses)")
        // Series 1...4: the trained curve, then zeros (4 points), random (3 finite) and he (3 finite).
        let lossCounts = [finite, 4, 3, 3]
        for (index, count) in lossCounts.enumerated() {
            let drawn = try drawnPoints(lossDocument, group: "series", index: index + 1)
            XCTAssertEqual(drawn.centres.count, count, "a marker per drawn point of series \(index + 1)")
            assertInside(drawn.vertices + drawn.centres, lossFrame, "loss series \(index + 1)")
        }
        XCTAssertEqual(loss.omittedPointCount, 2)
        for axis in ["x-ticks", "y-ticks"] {
            let ticks = try nodes(lossDocument, "//*[local-name()='g'][@class='\(axis)']/*[local-name()='text']")
            XCTAssertGreaterThan(ticks.count, 1, axis)
        }

        let layers = LineChart.perLayer(
            title: "Activation standard deviation per layer", statistic: "std",
            series: [
                ("N(0, 1)", (0..<32).map { pow(16, Double($0)) } + [.infinity]),
                ("scaled", (0..<100).map { 1 + 0.2 * sin(Double($0) / 5) }),
                ("relu, xavier", (0..<100).map { pow(0.75, Double($0)) }),
            ])
        let layersDocument = try parse(layers.svg)
        let layersFrame = try plotFrame(layersDocument)
        XCTAssertEqual(layers.omittedPointCount, 1, "the infinite standard deviation")
        // The exploding series draws its 32 finite layers with markers; the 100-layer ones only as lines.
        for (index, (vertices, centres)) in [(32, 32), (100, 0), (100, 0)].enumerated() {
            let drawn = try drawnPoints(layersDocument, group: "series", index: index + 1)
            XCTAssertEqual(drawn.vertices.count, vertices, "series \(index + 1)")
            XCTAssertEqual(drawn.centres.count, centres, "series \(index + 1)")
            assertInside(drawn.vertices + drawn.centres, layersFrame, "layer series \(index + 1)")
        }

        let boundary = DecisionBoundaryChart(title: "Decision boundary", model: model, data: circles)
        let boundaryDocument = try parse(boundary.svg)
        let boundaryFrame = try plotFrame(boundaryDocument)
        XCTAssertEqual(boundary.nonFiniteCellCount, 0)
        let points = try drawnPoints(boundaryDocument, group: "points")
        XCTAssertEqual(points.centres.count, 300, "every example is drawn")
        assertInside(points.centres, boundaryFrame, "data point")
        let cells = try nodes(boundaryDocument, "//*[local-name()='g'][@class='cells']/*[local-name()='rect']")
        XCTAssertGreaterThanOrEqual(cells.count, boundary.resolution, "at least one rectangle per row")
        // Cells overlap their neighbours by 0.3 so that no seam shows.
        let grown = (
            x: boundaryFrame.x.lowerBound...(boundaryFrame.x.upperBound + 0.3),
            y: boundaryFrame.y.lowerBound...(boundaryFrame.y.upperBound + 0.3)
        )
        assertInside(
            try cells.flatMap { cell in
                let x = try number(cell, "x")
                let y = try number(cell, "y")
                return [(x, y), (x + (try number(cell, "width")), y + (try number(cell, "height")))]
            }, grown, "cell")

        if let folder = ProcessInfo.processInfo.environment["KINDLING_CHART_DIR"] {
            try loss.svg.write(toFile: folder + "/loss.svg", atomically: true, encoding: .utf8)
            try layers.svg.write(toFile: folder + "/layers.svg", atomically: true, encoding: .utf8)
            try boundary.svg.write(toFile: folder + "/boundary.svg", atomically: true, encoding: .utf8)
        }
    }

    // MARK: CSV

    func testCurvesCSVPutsSeriesSideBySide() {
        let table = CSVTable.curves([
            ChartSeries("a", x: [0, 10], y: [0.5, .infinity]),
            ChartSeries("b,c", x: [0, 5], y: [1, 2]),
        ])
        XCTAssertEqual(table.text, "step,a,\"b,c\"\n0,0.5,1.0\n5,,2.0\n10,inf,\n")
        XCTAssertEqual(CSVTable(header: ["say"], rows: [["\"hi\""]]).text, "say\n\"\"\"hi\"\"\"\n")
    }

    // MARK: writing a report

    private func sampleReport() -> Report {
        var report = Report(title: "Three ways <to> initialize")
        report.addText("Circles, 2-10-5-1.")
        report.addChart(
            LineChart(title: "Cost", xLabel: "iteration", yLabel: "cost", series: curves).svg,
            fileName: "loss.svg", caption: "Cost every 1000 iterations")
        report.addTable(
            CSVTable(header: ["init", "train accuracy"], rows: [["he", "0.9933"], ["zeros", "0.5"]]),
            caption: "Results")
        report.addFile(CSVTable.curves(curves).text, fileName: "curves.csv", caption: "the curves")
        return report
    }

    private func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func testReportWritesEveryFileAndAnIndexThatShowsThem() throws {
        let parent = try temporaryFolder()
        let destination = parent.appendingPathComponent("report")
        try sampleReport().write(to: destination)
        XCTAssertEqual(try contents(parent), ["report"], "no staging folder remains")
        XCTAssertEqual(try contents(destination), ["curves.csv", "index.html", "loss.svg"])
        let index = try String(contentsOf: destination.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("<img src=\"loss.svg\""))
        XCTAssertTrue(index.contains("<td>0.9933</td>"))
        XCTAssertTrue(index.contains("<a href=\"curves.csv\">"))
        XCTAssertTrue(index.contains("<h1>Three ways &lt;to&gt; initialize</h1>"))
        _ = try parse(try String(contentsOf: destination.appendingPathComponent("loss.svg"), encoding: .utf8))

        // Writing again replaces the earlier report as a whole.
        var second = Report(title: "second")
        second.addFile("x\n", fileName: "other.csv", caption: "other")
        try second.write(to: destination)
        XCTAssertEqual(try contents(destination), ["index.html", "other.csv"])
        XCTAssertEqual(try contents(parent), ["report"])
    }

    func testUnwritableDestinationsThrowAndLeaveNothing() throws {
        let parent = try temporaryFolder()
        let file = parent.appendingPathComponent("plain-file")
        try "data".write(to: file, atomically: true, encoding: .utf8)

        let insideFile = file.appendingPathComponent("report")
        XCTAssertThrowsError(try sampleReport().write(to: insideFile)) { error in
            XCTAssertEqual(error as? ReportError, .parentFolderMissing(path: file.path))
            XCTAssertTrue("\(error)".contains(file.path), "\(error)")
        }
        XCTAssertThrowsError(try sampleReport().write(to: parent.appendingPathComponent("missing/report"))) { error in
            XCTAssertEqual(
                error as? ReportError, .parentFolderMissing(path: parent.appendingPathComponent("missing").path))
        }
        XCTAssertThrowsError(try sampleReport().write(to: file)) { error in
            XCTAssertEqual(error as? ReportError, .notAFolder(path: file.path))
        }
        let foreign = parent.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: false)
        try "keep me".write(to: foreign.appendingPathComponent("cat.jpg"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try sampleReport().write(to: foreign)) { error in
            XCTAssertEqual(error as? ReportError, .folderNotEmpty(path: foreign.path))
        }
        XCTAssertEqual(try contents(foreign), ["cat.jpg"], "a folder that is not a report is left alone")
        XCTAssertEqual(try contents(parent), ["photos", "plain-file"])
    }

    func testFailureHalfwayLeavesNoPartialReport() throws {
        let parent = try temporaryFolder()
        let destination = parent.appendingPathComponent("report")
        var report = sampleReport()
        // A name longer than the file system allows (255 bytes): the files before it are written, then
        // this one fails.
        report.addFile("x", fileName: String(repeating: "n", count: 300) + ".csv", caption: "too long")
        XCTAssertThrowsError(try report.write(to: destination)) { error in
            guard case .writeFailed(let path, _)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, destination.path)
        }
        XCTAssertEqual(try contents(parent), [], "neither the report nor its staging folder remains")

        // An earlier report survives a failed rewrite untouched.
        try sampleReport().write(to: destination)
        XCTAssertThrowsError(try report.write(to: destination))
        XCTAssertEqual(try contents(destination), ["curves.csv", "index.html", "loss.svg"])
        XCTAssertEqual(try contents(parent), ["report"])
    }
}
