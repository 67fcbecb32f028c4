import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// Data-parallel training under `mpirun`: Tests/KindlingDistributedWorker runs each scenario on every rank.
/// Open MPI is told through its documented environment variables that it may run as root (CI's user) and
/// place more ranks than the machine has cores.
final class DistributedTests: XCTestCase {
    private func mpirun(ranks: Int, _ arguments: String...) throws -> ProcessOutcome {
        try mpirun(["-np", "\(ranks)", try Products.executable("KindlingDistributedWorker").path] + arguments)
    }

    /// `mpirun` with `arguments` (the process counts and programs, or several joined by ":").
    private func mpirun(_ arguments: [String]) throws -> ProcessOutcome {
        let launcher = try XCTUnwrap(
            ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "mpirun not found: Scripts/install-dependencies installs openmpi-bin")
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        return try runProcess(
            URL(fileURLWithPath: launcher), arguments: arguments, environment: environment, timeout: 300)
    }

    /// How `writeTable` labels row r: r mod 3, or a class drawn from r (nothing to learn: a model fitting
    /// them soon does worse on new rows).
    private enum Labels { case cyclic, noisy }

    /// `rows` examples of 4 features in 3 classes, as a CSV file with a header.
    private func writeTable(
        in folder: URL, name: String = "table.csv", rows: Range<Int> = 0..<48, labels: Labels = .cyclic
    ) throws -> String {
        var lines = ["a,b,c,d,label"]
        for row in rows {
            let x = (0..<4).map { sin(Double(row * 4 + $0) * 0.7) }
            let label = labels == .cyclic ? row % 3 : Int(abs(sin(Double(row) * 12.9898) * 43758)) % 3
            lines.append(x.map { String($0) }.joined(separator: ",") + ",\(label)")
        }
        let url = folder.appendingPathComponent(name)
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func weights(_ path: String) throws -> [String: [Double]] {
        Dictionary(
            uniqueKeysWithValues: try SafeTensors.read(from: URL(fileURLWithPath: path)).stateDictionary(
                as: Double.self
            )
            .filter { !$0.key.hasPrefix("optimizer.") }.map { ($0.key, $0.value.scalars) })
    }

    private func largestDifference(_ a: [String: [Double]], _ b: [String: [Double]]) -> Double {
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        XCTAssertFalse(a.isEmpty)
        return a.keys.reduce(0.0) { largest, key in
            zip(a[key] ?? [], b[key] ?? []).reduce(largest) { max($0, abs($1.0 - $1.1)) }
        }
    }

    private func train(_ ranks: Int, _ arguments: [String]) throws -> ProcessOutcome {
        try mpirun(["-np", "\(ranks)", try Products.executable("kindling").path, "train"] + arguments)
    }

    /// `mpirun -np N kindling train --batch-size B` saves the weights that one process saves with batches of
    /// N·B (in Double, to 1e-12), prints once, and writes once.
    func testTrainUnderMpirunMatchesOneProcessWithTheJointBatches() throws {
        let folder = try temporaryFolder()
        let table = try writeTable(in: folder)
        let common = ["--data", table, "--validation-split", "0", "--epochs", "3", "--precision", "double", "--quiet"]
        let one = folder.appendingPathComponent("one.safetensors").path
        let alone = try train(1, common + ["--batch-size", "24", "--save", one])
        XCTAssertEqual(alone.status, 0, alone.errors)
        for (ranks, batch) in [(2, 12), (3, 8)] {
            let path = folder.appendingPathComponent("\(ranks).safetensors").path
            let outcome = try train(ranks, common + ["--batch-size", "\(batch)", "--save", path])
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            XCTAssertEqual(outcome.output.components(separatedBy: "Model saved to").count, 2, outcome.output)
            XCTAssertTrue(outcome.output.contains("data-parallel over \(ranks) ranks"), outcome.output)
            XCTAssertLessThanOrEqual(largestDifference(try weights(path), try weights(one)), 1e-12, "\(ranks) ranks")
        }
        // The comparison can tell batches apart: 2 ranks with batches of 24 (48 per update) end elsewhere.
        let other = folder.appendingPathComponent("other.safetensors").path
        XCTAssertEqual(try train(2, common + ["--batch-size", "24", "--save", other]).status, 0)
        XCTAssertGreaterThan(largestDifference(try weights(other), try weights(one)), 1e-6)
    }

    /// The features of `writeTable` (48 × 4) and their labels as an NPY file of little-endian doubles and an
    /// NPY file of 64-bit integers, with `values[row][column]` replaced where `replacing` says.
    private func writeNPY(in folder: URL, replacing: [(row: Int, column: Int, value: Double)] = []) throws -> (
        features: String, labels: String
    ) {
        var values = (0..<48).map { row in (0..<4).map { sin(Double(row * 4 + $0) * 0.7) } }
        for change in replacing { values[change.row][change.column] = change.value }
        func npy(_ descr: String, _ shape: String, _ data: [UInt8]) -> Data {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
            return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + data)
        }
        let features = folder.appendingPathComponent("features.npy")
        let labels = folder.appendingPathComponent("labels.npy")
        try npy("<f8", "(48, 4)", values.flatMap { $0 }.flatMap { littleEndianBytes($0.bitPattern) }).write(
            to: features)
        try npy("<i8", "(48,)", (0..<48).flatMap { littleEndianBytes(UInt64($0 % 3)) }).write(to: labels)
        return (features.path, labels.path)
    }

    /// The same examples as an IDX file of big-endian doubles (0x0E) and an IDX file of label bytes; with
    /// `gzip`, compressed (by gzip(1)).
    private func writeIDX(in folder: URL, gzip: Bool = false) throws -> (features: String, labels: String) {
        let values = (0..<48).flatMap { row in (0..<4).map { sin(Double(row * 4 + $0) * 0.7) } }
        let features = folder.appendingPathComponent("features.idx")
        let labels = folder.appendingPathComponent("labels.idx")
        try Data(
            [0, 0, 0x0E, 2, 0, 0, 0, 48, 0, 0, 0, 4] + values.flatMap { littleEndianBytes($0.bitPattern).reversed() }
        )
        .write(to: features)
        try Data([0, 0, 0x08, 1, 0, 0, 0, 48] + (0..<48).map { UInt8($0 % 3) }).write(to: labels)
        guard gzip else { return (features.path, labels.path) }
        let compressor = URL(fileURLWithPath: "/bin/gzip")
        for url in [features, labels] {
            let outcome = try runProcess(compressor, arguments: ["-f", url.path], timeout: 30)
            XCTAssertEqual(outcome.status, 0, outcome.errors)
        }
        return (features.path + ".gz", labels.path + ".gz")
    }

    private func littleEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// NPY and plain IDX files, which each rank reads by rows (its part of the training rows for the
    /// standardization, then its batches), and a gzip IDX file, which each rank reads whole: N ranks with
    /// batches of B save the weights that one process saves from the same examples in a CSV file, read whole,
    /// with batches of N·B (to 1e-12 in Double; the standardization's sums are added in another order).
    func testTrainReadingNPYAndIDXByRowsMatchesOneProcessReadingTheTableWhole() throws {
        let folder = try temporaryFolder()
        let table = try writeTable(in: folder)
        let npy = try writeNPY(in: folder)
        let idxFolder = folder.appendingPathComponent("idx")
        let gzipFolder = folder.appendingPathComponent("gzip")
        for subfolder in [idxFolder, gzipFolder] {
            try FileManager.default.createDirectory(at: subfolder, withIntermediateDirectories: true)
        }
        let idx = try writeIDX(in: idxFolder)
        let gzip = try writeIDX(in: gzipFolder, gzip: true)
        let common = [
            "--validation-split", "0.25", "--epochs", "2", "--precision", "double", "--layers", "8", "--quiet",
        ]
        let one = folder.appendingPathComponent("one.safetensors").path
        let alone = try train(1, ["--data", table, "--batch-size", "24", "--save", one] + common)
        XCTAssertEqual(alone.status, 0, alone.errors)
        for (name, files, ranks, batch) in [
            ("npy", npy, 2, 12), ("npy", npy, 3, 8), ("idx", idx, 2, 12), ("idx", idx, 3, 8), ("gzip", gzip, 2, 12),
        ] {
            let path = folder.appendingPathComponent("\(name)-\(ranks).safetensors").path
            let outcome = try train(
                ranks,
                ["--data", files.features, "--labels", files.labels, "--batch-size", "\(batch)", "--save", path]
                    + common)
            XCTAssertEqual(outcome.status, 0, "\(name), \(ranks) ranks: \(outcome.errors)")
            XCTAssertLessThanOrEqual(
                largestDifference(try weights(path), try weights(one)), 1e-12, "\(name), \(ranks) ranks")
        }
    }

    /// A NaN in the last row of an NPY file is in rank 1's part of the rows (of 2): rank 1 finds it while the
    /// ranks fit the standardization, and ends the job naming the element and itself; rank 0, which never reads
    /// that row, reports nothing, and nothing is saved.
    func testANaNInOneRanksRowsEndsTheJobNamingTheElementAndTheRank() throws {
        let folder = try temporaryFolder()
        let npy = try writeNPY(in: folder, replacing: [(47, 2, .nan)])
        let save = folder.appendingPathComponent("model.safetensors").path
        let outcome = try train(
            2, ["--data", npy.features, "--labels", npy.labels, "--validation-split", "0", "--save", save])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "rank 1 of 2: \(npy.features): element [47, 2] (example 48) is NaN; NaN and infinity are not allowed"),
            outcome.errors)
        XCTAssertFalse(outcome.errors.contains("rank 0 of 2"), outcome.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: save))
    }

    /// 20000 examples of 128 doubles (20 MB) read by rows: each of 2 ranks trains an epoch with a peak resident
    /// memory that grows by less than half the file, where reading the file whole grows it by more than the file.
    func testEachRankReadingByRowsHoldsLessThanHalfTheFile() throws {
        let folder = try temporaryFolder()
        let (rows, columns) = (20000, 128)
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
        var features = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8))
        let pattern = (0..<columns).map { sin(Double($0)) }
        for index in 0..<rows {
            pattern.map { $0 * Double(index % 13) }.withUnsafeBytes { features.append(contentsOf: $0) }
        }
        let featuresURL = folder.appendingPathComponent("large.npy")
        try features.write(to: featuresURL)
        let labelsURL = folder.appendingPathComponent("labels.idx")
        try Data([0, 0, 0x08, 1, 0, 0, UInt8(rows >> 8), UInt8(rows & 0xFF)] + (0..<rows).map { UInt8($0 % 3) })
            .write(to: labelsURL)
        let fileKilobytes = features.count / 1024
        var growth: [String: Int] = [:]
        for mode in ["rows", "whole"] {
            let outcome = try mpirun(ranks: 2, "memory", featuresURL.path, labelsURL.path, mode)
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let fields = outcome.output.split(whereSeparator: \.isWhitespace)
            growth[mode] = fields.count == 2 && fields[0] == "growth-kb" ? Int(fields[1]) : nil
        }
        let byRows = try XCTUnwrap(growth["rows"])
        let whole = try XCTUnwrap(growth["whole"])
        XCTAssertLessThan(byRows, fileKilobytes / 2, "read by rows: \(byRows) kB more, the file is \(fileKilobytes) kB")
        XCTAssertGreaterThan(whole, fileKilobytes, "read whole: \(whole) kB more, the file is \(fileKilobytes) kB")
    }

    /// Two epochs, then `--resume` for a third, under 2 ranks: the weights of three epochs in one run.
    func testResumeUnderMpirunContinuesTheRun() throws {
        let folder = try temporaryFolder()
        let table = try writeTable(in: folder)
        let common = [
            "--data", table, "--validation-split", "0", "--precision", "double", "--batch-size", "8", "--quiet",
        ]
        let straight = folder.appendingPathComponent("straight.safetensors").path
        let first = folder.appendingPathComponent("first.safetensors").path
        let resumed = folder.appendingPathComponent("resumed.safetensors").path
        for (arguments, path) in [
            (["--epochs", "3", "--save", straight], straight), (["--epochs", "2", "--save", first], first),
            (["--epochs", "1", "--resume", first, "--save", resumed], resumed),
        ] {
            let outcome = try train(2, common + arguments)
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        }
        XCTAssertLessThanOrEqual(largestDifference(try weights(resumed), try weights(straight)), 1e-12)
    }

    /// Rank 1 is given a file that does not exist: every rank ends, the message names the rank and the file,
    /// and nothing is saved.
    func testTrainEndsEveryRankWhenOneCannotReadItsData() throws {
        let folder = try temporaryFolder()
        let table = try writeTable(in: folder)
        let kindling = try Products.executable("kindling").path
        let save = folder.appendingPathComponent("model.safetensors").path
        let outcome = try mpirun([
            "-np", "1", kindling, "train", "--data", table, "--save", save, ":",
            "-np", "1", kindling, "train", "--data", "/nonexistent/rank1.csv", "--save", save,
        ])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("rank 1 of 2"), outcome.errors)
        XCTAssertTrue(outcome.errors.contains("/nonexistent/rank1.csv"), outcome.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: save))
    }

    /// N ranks with batches of 4 make, step after step, the updates of one process with batches of 4·N made
    /// of the same examples (in Double, to 1e-12): the gradients are averaged exactly.
    func testRanksTogetherMakeTheUpdatesOfOneProcessOverTheirJointBatches() throws {
        try checkJointBatches("exactness")
    }

    /// Runs a worker scenario that compares N ranks with one process over their joint batches (30 examples,
    /// batches of 4, 3 epochs) under 2 and 3 ranks: its line `steps S ranks N max-difference D` must report
    /// every step and a largest difference of at most 1e-12.
    private func checkJointBatches(_ scenario: String) throws {
        for (ranks, steps) in [(2, 12), (3, 9)] {
            let outcome = try mpirun(ranks: ranks, scenario)
            XCTAssertEqual(outcome.status, 0, outcome.errors)
            let fields = outcome.output.split(whereSeparator: \.isWhitespace)
            XCTAssertEqual(fields.count, 6, outcome.output)
            guard fields.count == 6 else { continue }
            XCTAssertEqual(fields[1], "\(steps)")
            XCTAssertEqual(fields[3], "\(ranks)")
            let difference = try XCTUnwrap(Double(fields[5]), outcome.output)
            XCTAssertLessThanOrEqual(difference, 1e-12, "\(scenario), \(ranks) ranks")
        }
    }

    /// With synchronized BatchNorm, N ranks with batches of 4 make the updates and running statistics of one
    /// process with plain BatchNorm and the joint batches of 4·N (in Double, to 1e-12). PyTorch cannot serve as
    /// the reference here: its SyncBatchNorm runs on GPUs only.
    func testWithSynchronizedBatchNormRanksTrainAsOneProcessOverTheJointBatches() throws {
        try checkJointBatches("syncbatchnorm")
    }

    /// `train --batch-norm --sync-batch-norm` under 2 ranks saves what one rank with twice the batch saves,
    /// running statistics included; without the flag (each rank's own statistics) it does not. With SGD: the
    /// bias of a Linear layer before BatchNorm has a gradient that is zero but for rounding, which Adam would
    /// divide by its own square root and so turn into steps of the learning rate's size.
    func testTrainWithSyncBatchNormMatchesOneProcessWithTheJointBatches() throws {
        let folder = try temporaryFolder()
        let table = try writeTable(in: folder)
        let common = [
            "--data", table, "--validation-split", "0", "--epochs", "3", "--precision", "double", "--batch-norm",
            "--optimizer", "sgd", "--lr", "0.1", "--quiet",
        ]
        let one = folder.appendingPathComponent("one.safetensors").path
        XCTAssertEqual(try train(1, common + ["--batch-size", "24", "--save", one]).status, 0)
        let synchronized = folder.appendingPathComponent("synchronized.safetensors").path
        let outcome = try train(2, common + ["--batch-size", "12", "--sync-batch-norm", "--save", synchronized])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertLessThanOrEqual(largestDifference(try weights(synchronized), try weights(one)), 1e-12)
        let local = folder.appendingPathComponent("local.safetensors").path
        XCTAssertEqual(try train(2, common + ["--batch-size", "12", "--save", local]).status, 0)
        XCTAssertGreaterThan(largestDifference(try weights(local), try weights(one)), 1e-6)
        let refused = try train(1, ["--data", table, "--sync-batch-norm", "--quiet"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.errors.contains("--sync-batch-norm: the model has no BatchNorm layer"), refused.errors)
    }

    /// With BatchNorm, each rank's parameters and buffers after every step equal those of PyTorch's
    /// DistributedDataParallel on 2 gloo processes (Scripts/reference/torch_ddp_batchnorm.py) to 1e-10.
    func testWithBatchNormEveryRankMatchesPyTorchDistributedDataParallel() throws {
        let outcome = try mpirun(ranks: 2, "batchnorm", try fixtureURL("torch_ddp_batchnorm.json").path)
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let fields = outcome.output.split(whereSeparator: \.isWhitespace)
        XCTAssertEqual(fields.count, 6, outcome.output)
        guard fields.count == 6 else { return }
        XCTAssertEqual(fields[1], "4")
        let difference = try XCTUnwrap(Double(fields[5]), outcome.output)
        XCTAssertLessThanOrEqual(difference, 1e-10)
    }

    func testARankThatCannotReadItsFileEndsTheJobNamingRankAndFile() throws {
        let outcome = try mpirun(ranks: 2, "missing-file", "/nonexistent/train.csv")
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains("rank 1 of 2: cannot read /nonexistent/train.csv: no such file"), outcome.errors)
    }

    func testModelsThatDifferAcrossRanksEndTheJobBeforeTraining() throws {
        let outcome = try mpirun(ranks: 2, "mismatch")
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("the model on rank 1 differs from rank 0's"), outcome.errors)
    }

    /// A rank killed in the middle of training while rank 0 waits for its gradients: mpirun ends the job
    /// (the test's time-out would catch a hang).
    func testARankKilledDuringTrainingEndsTheJob() throws {
        let outcome = try mpirun(ranks: 2, "killed")
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("signal 9"), outcome.errors)
    }

    /// A loss that is not finite on one rank stops every rank at that step (the loss that the check reads is
    /// the joint batch's), instead of that rank stopping while the others wait for its gradients.
    func testALossThatIsNotFiniteOnOneRankStopsEveryRank() throws {
        let outcome = try mpirun(ranks: 2, "diverge")
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        let lines = outcome.output.split(separator: "\n").map(String.init).sorted()
        XCTAssertEqual(lines, ["rank 0 stopped at step 3", "rank 1 stopped at step 3"], outcome.output)
    }

    /// Early stopping follows rank 0's validation loss: rank 1, given validation data on which it alone would
    /// stop three epochs later, stops with rank 0, and the run saves what one process with the joint batches
    /// saves.
    func testEveryRankStopsEarlyAtRankZerosEpoch() throws {
        let folder = try temporaryFolder()
        let table = try writeTable(in: folder, rows: 0..<36, labels: .noisy)
        let validation = try writeTable(in: folder, name: "validation.csv", rows: 36..<48, labels: .noisy)
        let other = try writeTable(in: folder, name: "other.csv", rows: 36..<48)
        let kindling = try Products.executable("kindling").path
        func arguments(validation: String, batch: Int, save: String) -> [String] {
            [
                kindling, "train", "--data", table, "--validation", validation, "--epochs", "60",
                "--early-stopping", "3", "--precision", "double", "--lr", "0.05", "--batch-size", "\(batch)",
                "--save", save,
            ]
        }
        let one = folder.appendingPathComponent("one.safetensors").path
        let alone = try mpirun(["-np", "1"] + arguments(validation: validation, batch: 12, save: one))
        XCTAssertEqual(alone.status, 0, alone.errors)
        XCTAssertTrue(alone.output.contains("early stopping after epoch 6"), alone.output)
        let scratch = folder.appendingPathComponent("scratch.safetensors").path
        let onOther = try mpirun(["-np", "1"] + arguments(validation: other, batch: 12, save: scratch))
        XCTAssertTrue(onOther.output.contains("early stopping after epoch 9"), onOther.output)
        let two = folder.appendingPathComponent("two.safetensors").path
        let outcome = try mpirun(
            ["-np", "1"] + arguments(validation: validation, batch: 6, save: two) + [":", "-np", "1"]
                + arguments(validation: other, batch: 6, save: two))
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertEqual(outcome.output.components(separatedBy: "early stopping").count, 2, outcome.output)
        XCTAssertTrue(outcome.output.contains("early stopping after epoch 6"), outcome.output)
        XCTAssertLessThanOrEqual(largestDifference(try weights(two), try weights(one)), 1e-12)
    }

    /// The cost columns of a `compare-init` table, by initialization.
    private func costs(_ output: String) -> [String: [Double]] {
        var costs: [String: [Double]] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 7, let first = Double(fields[1]), let last = Double(fields[2]) else { continue }
            costs[String(fields[0])] = [first, last]
        }
        return costs
    }

    /// `mpirun -np N kindling compare-init` trains each network data-parallel on the full batch: its table's
    /// costs are those of one process (to the 10 digits printed), on the docs' circles and on a --data file;
    /// rank 0 alone prints and writes the report.
    func testCompareInitUnderMpirunPrintsTheTableOfOneProcess() throws {
        let folder = try temporaryFolder()
        // 45 rows: 36 to train on (the test split takes 9), a multiple of 2 and 3, so no rank repeats one.
        let table = try writeTable(in: folder, rows: 0..<45)
        let kindling = try Products.executable("kindling")
        for data in [[], ["--data", table]] {
            let arguments = ["compare-init", "--iterations", "61", "--record-every", "20"] + data
            let alone = try runProcess(kindling, arguments: arguments)
            XCTAssertEqual(alone.status, 0, alone.errors)
            let expected = costs(alone.output)
            XCTAssertEqual(Set(expected.keys), ["zeros", "random", "he"], alone.output)
            for ranks in [2, 3] {
                let report = folder.appendingPathComponent("report-\(ranks)-\(data.count)").path
                let outcome = try mpirun(["-np", "\(ranks)", kindling.path] + arguments + ["--report", report])
                XCTAssertEqual(outcome.status, 0, outcome.errors)
                XCTAssertEqual(outcome.output.components(separatedBy: "Report written to").count, 2, outcome.output)
                XCTAssertTrue(
                    outcome.output.contains("data-parallel over \(ranks) ranks: each rank trains on its share"),
                    outcome.output)
                XCTAssertTrue(FileManager.default.fileExists(atPath: report + "/index.html"))
                let measured = costs(outcome.output)
                XCTAssertEqual(Set(measured.keys), Set(expected.keys), outcome.output)
                for (name, values) in expected {
                    for (a, b) in zip(measured[name] ?? [], values) {
                        XCTAssertEqual(a, b, accuracy: 1e-9 * abs(b), "\(name), \(ranks) ranks, \(data)")
                    }
                }
            }
        }
    }

    func testARankThatExitsBeforeJoiningEndsTheJob() throws {
        let outcome = try mpirun(ranks: 2, "early-exit")
        XCTAssertEqual(outcome.status, 3, outcome.errors)
    }
}
