import Foundation
import Kindling
import KindlingTestSupport
import XCTest

/// `kindling inspect`, run as a user would.
extension CommandLineTests {
    func testInspectPrintsKeysDTypesShapesCountsAndMetadata() throws {
        let url = try temporaryFolder().appendingPathComponent("model.safetensors")
        try SafeTensors(
            tensors: [
                "fc.weight": .init(Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])),
                "fc.bias": .init(Tensor<Float>([0, 0])),
                "bn.num_batches_tracked": .init(integers: [7], shape: []),
            ], metadata: ["epoch": "3"]
        ).write(to: url)
        let outcome = try kindling(arguments: ["inspect", url.path])
        XCTAssertEqual(outcome.status, 0, outcome.errors)
        XCTAssertEqual(
            outcome.output,
            """
            \(url.path): 3 tensors, 9 values (F32 8, I64 1), 40 bytes of data
            metadata:
              epoch: 3
            key                     dtype    shape
            bn.num_batches_tracked  I64      []
            fc.bias                 F32      [2]
            fc.weight               F32      [2, 3]

            """)
    }

    func testInspectNamesTheProblemOfAMalformedFileAndExitsNonZero() throws {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("bad.safetensors")
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        var bytes = [UInt8](repeating: 0, count: 8)
        bytes[0] = UInt8(header.utf8.count)
        try Data(bytes + Array(header.utf8) + [UInt8](repeating: 0, count: 8)).write(to: url)
        var outcome = try kindling(arguments: ["inspect", url.path])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "\(url.path): safetensors: tensor \"w\": shape [3] of F32 needs 12 bytes, its offsets span 8"),
            outcome.errors)
        XCTAssertTrue(outcome.output.isEmpty, outcome.output)

        outcome = try kindling(arguments: ["inspect", folder.appendingPathComponent("missing.safetensors").path])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("cannot read"), outcome.errors)
    }
}
