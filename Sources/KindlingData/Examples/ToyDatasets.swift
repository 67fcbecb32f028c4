import Foundation
import KindlingCore
import KindlingNN
import KindlingPlatform

/// The two-dimensional toy problems of scikit-learn (`make_circles`, `make_moons`, `make_blobs`) and the
/// CS231n spiral. Each draws from the generator exactly as scikit-learn draws from numpy's global
/// `RandomState`, so `numpy.random.seed(1); make_circles(n_samples=300, noise=.05)` equals
/// `Dataset<Double>.circles(count: 300, noise: 0.05, generator: RandomGenerator(seed: 1))` bit for bit.
/// The points are computed in Double and then converted to `Scalar`.
extension Dataset {
    /// Two concentric circles (`sklearn.datasets.make_circles`): `count / 2` (rounded down) points of the
    /// outer unit circle (label 0) at angles `linspace(0, 2π, count / 2, endpoint: false)`, the rest on the
    /// inner circle of radius `factor` (label 1) at `linspace(0, 2π, count - count / 2, endpoint: false)`.
    ///
    /// Draws: if `shuffle`, the rows are reordered by `generator.permutation(count)` (sklearn shuffles
    /// `arange(count)` in place); then, if `noise` is given, one (count, 2) array of N(0, noise²) values in
    /// row-major order is added.
    public static func circles(
        count: Int, noise: Double? = nil, factor: Double = 0.8, shuffle: Bool = true,
        generator: RandomGenerator = .global
    ) -> Dataset {
        require(count >= 1, "circles: count must be at least 1, got \(count)")
        require(factor >= 0 && factor < 1, "circles: factor must be in [0, 1), got \(factor)")
        let outer = count / 2
        let inner = count - outer
        let outerAngles = Tensor<Double>.linspace(0, 2 * .pi, count: outer, endpoint: false).scalars
        let innerAngles = Tensor<Double>.linspace(0, 2 * .pi, count: inner, endpoint: false).scalars
        let points = outerAngles.map { [cos($0), sin($0)] } + innerAngles.map { [cos($0) * factor, sin($0) * factor] }
        let labels = [Int](repeating: 0, count: outer) + [Int](repeating: 1, count: inner)
        return finish(points, labels, classCount: 2, shuffle: shuffle, noise: noise, generator: generator)
    }

    /// Two interleaving half circles (`sklearn.datasets.make_moons`): `count / 2` (rounded down) points
    /// (cos t, sin t) for t in `linspace(0, π, count / 2)` (label 0), and (1 - cos t, 1 - sin t - 0.5) for
    /// t in `linspace(0, π, count - count / 2)` (label 1).
    ///
    /// Draws: the same as `circles` (the permutation if `shuffle`, then the (count, 2) noise if given).
    public static func moons(
        count: Int, noise: Double? = nil, shuffle: Bool = true,
        generator: RandomGenerator = .global
    ) -> Dataset {
        require(count >= 1, "moons: count must be at least 1, got \(count)")
        let outer = count / 2
        let inner = count - outer
        let outerAngles = Tensor<Double>.linspace(0, .pi, count: outer).scalars
        let innerAngles = Tensor<Double>.linspace(0, .pi, count: inner).scalars
        let points = outerAngles.map { [cos($0), sin($0)] } + innerAngles.map { [1 - cos($0), 1 - sin($0) - 0.5] }
        let labels = [Int](repeating: 0, count: outer) + [Int](repeating: 1, count: inner)
        return finish(points, labels, classCount: 2, shuffle: shuffle, noise: noise, generator: generator)
    }

    /// Gaussian clusters around given centers (`sklearn.datasets.make_blobs(centers=[...])`): cluster i
    /// (label i) gets `count / centers.count` points, plus one for each of the first
    /// `count % centers.count` clusters, each N(center, standardDeviation²) per coordinate.
    ///
    /// Draws: cluster by cluster, each cluster's (points, featureCount) array in row-major order; then
    /// the permutation if `shuffle`.
    public static func blobs(
        count: Int, centers: [[Double]], standardDeviation: Double = 1, shuffle: Bool = true,
        generator: RandomGenerator = .global
    ) -> Dataset {
        require(count >= 1, "blobs: count must be at least 1, got \(count)")
        require(!centers.isEmpty, "blobs: at least one center is needed")
        let featureCount = centers[0].count
        require(
            featureCount > 0 && centers.allSatisfy { $0.count == featureCount },
            "blobs: every center needs the same positive number of coordinates, got \(centers.map(\.count))")
        require(standardDeviation >= 0, "blobs: standardDeviation must be non-negative, got \(standardDeviation)")
        var points: [[Double]] = []
        var labels: [Int] = []
        for (cluster, center) in centers.enumerated() {
            let size = count / centers.count + (cluster < count % centers.count ? 1 : 0)
            for _ in 0..<size {
                points.append(center.map { generator.normal(mean: $0, standardDeviation: standardDeviation) })
                labels.append(cluster)
            }
        }
        return finish(points, labels, classCount: centers.count, shuffle: shuffle, noise: nil, generator: generator)
    }

    /// Gaussian clusters around random centers (`sklearn.datasets.make_blobs(centers=centerCount)`): the
    /// centers are drawn first, uniform in `centerBox` as one (centerCount, featureCount) array in
    /// row-major order; then as `blobs(count:centers:...)`.
    public static func blobs(
        count: Int, centerCount: Int = 3, featureCount: Int = 2,
        centerBox: Range<Double> = -10..<10, standardDeviation: Double = 1,
        shuffle: Bool = true, generator: RandomGenerator = .global
    ) -> Dataset {
        require(
            centerCount >= 1 && featureCount >= 1,
            "blobs: centerCount (\(centerCount)) and featureCount (\(featureCount)) must be positive")
        let centers = (0..<centerCount).map { _ in
            (0..<featureCount).map { _ in generator.uniform(low: centerBox.lowerBound, high: centerBox.upperBound) }
        }
        return blobs(
            count: count, centers: centers, standardDeviation: standardDeviation, shuffle: shuffle,
            generator: generator)
    }

    /// The CS231n spiral (cs231n.github.io/neural-networks-case-study): for each class j (label j) in
    /// turn, `pointsPerClass` points (r sin t, r cos t) with r = linspace(0, 1, N) and
    /// t = linspace(4j, 4(j + 1), N) + noise * randn(N). Rows are grouped by class, not shuffled.
    ///
    /// Draws: class by class, the N standard normal values of that class's angles.
    public static func spirals(
        pointsPerClass: Int, classCount: Int = 3, noise: Double = 0.2,
        generator: RandomGenerator = .global
    ) -> Dataset {
        require(
            pointsPerClass >= 1 && classCount >= 1,
            "spirals: pointsPerClass (\(pointsPerClass)) and classCount (\(classCount)) must be positive")
        var points: [[Double]] = []
        var labels: [Int] = []
        let radii = Tensor<Double>.linspace(0, 1, count: pointsPerClass).scalars
        for j in 0..<classCount {
            let angles = Tensor<Double>.linspace(Double(4 * j), Double(4 * (j + 1)), count: pointsPerClass).scalars
            for (r, angle) in zip(radii, angles) {
                let t = angle + generator.standardNormal() * noise
                points.append([r * sin(t), r * cos(t)])
                labels.append(j)
            }
        }
        return finish(points, labels, classCount: classCount, shuffle: false, noise: nil, generator: generator)
    }

    /// Shuffles the rows by `generator.permutation` (sklearn's `utils.shuffle`), adds N(0, noise²) drawn
    /// as one row-major array, and converts to `Scalar`.
    private static func finish(
        _ points: [[Double]], _ labels: [Int], classCount: Int, shuffle: Bool,
        noise: Double?, generator: RandomGenerator
    ) -> Dataset {
        var points = points
        var labels = labels
        if shuffle {
            let order = generator.permutation(points.count)
            points = order.map { points[$0] }
            labels = order.map { labels[$0] }
        }
        if let noise {
            require(noise >= 0, "Dataset: noise must be non-negative, got \(noise)")
            points = points.map { row in row.map { $0 + generator.normal(mean: 0, standardDeviation: noise) } }
        }
        let featureCount = points.first?.count ?? 0
        let features = Tensor<Scalar>(
            shape: [points.count, featureCount],
            scalars: points.flatMap { $0.map { Scalar($0) } })
        return Dataset(features: features, labels: labels, classCount: classCount)
    }
}
