import KindlingDistributed
import KindlingTestSupport
import XCTest

/// DistributedSampler against PyTorch's `DistributedSampler` (Scripts/reference/torch_distributed_sampler.py
/// wrote the fixture; with shuffle, PyTorch's sampler ran on numpy's permutation, Kindling's generator).
final class DistributedSamplerTests: XCTestCase {
    func testEveryRanksShareIsPyTorchsInEveryCase() throws {
        let cases = try XCTUnwrap(fixture("torch_distributed_sampler.json") as? [[String: Any]])
        XCTAssertEqual(cases.count, 7)
        for entry in cases {
            let count = try XCTUnwrap(entry["count"] as? Int)
            let replicas = try XCTUnwrap(entry["replicas"] as? Int)
            let shuffle = try XCTUnwrap(entry["shuffle"] as? Bool)
            let seed = try XCTUnwrap(entry["seed"] as? Int)
            let dropLast = try XCTUnwrap(entry["drop_last"] as? Bool)
            let epochs = try XCTUnwrap(entry["epochs"] as? [[[Int]]])
            for (epoch, shares) in epochs.enumerated() {
                for rank in 0..<replicas {
                    let sampler = try DistributedSampler(
                        count: count, rank: rank, replicas: replicas, shuffle: shuffle, seed: UInt32(seed),
                        dropLast: dropLast)
                    XCTAssertEqual(
                        sampler.indices(epoch: epoch), shares[rank],
                        "\(count) examples, rank \(rank) of \(replicas), shuffle \(shuffle), epoch \(epoch)")
                    XCTAssertEqual(sampler.samplesPerReplica, shares[rank].count)
                }
            }
        }
    }

    func testARankOutsideTheJobIsAnError() {
        XCTAssertThrowsError(try DistributedSampler(count: 10, rank: 2, replicas: 2)) { error in
            XCTAssertTrue("\(error)".contains("rank 2, 2 replicas"), "\(error)")
        }
    }
}
