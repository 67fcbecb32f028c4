import Foundation
import KindlingCore
import KindlingPlatform

/// How well predicted classes match the true ones: the confusion matrix, accuracy and per-class
/// precision, recall and F1 (scikit-learn's `confusion_matrix` and `precision_recall_fscore_support`:
/// a ratio whose denominator is 0 is reported as 0).
///
/// ```swift
/// let metrics = ClassificationMetrics(predicted: [0, 1, 1], actual: [0, 1, 0], classCount: 2)
/// metrics.confusion   // [[1, 1], [0, 1]]: row = true class, column = predicted class
/// metrics.recall      // [0.5, 1.0]
/// ```
public struct ClassificationMetrics: Sendable, Equatable {
    /// confusion[i][j]: examples of true class i predicted as class j.
    public let confusion: [[Int]]

    /// The metrics of `predicted` against `actual` classes in 0..<classCount.
    public init(predicted: [Int], actual: [Int], classCount: Int) {
        require(
            predicted.count == actual.count,
            "ClassificationMetrics: \(predicted.count) predictions for \(actual.count) labels")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (prediction, truth) in zip(predicted, actual) { confusion[truth][prediction] += 1 }
        self.confusion = confusion
    }

    private var classes: Range<Int> { confusion.indices }
    private func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// The fraction of examples whose predicted class is the true one.
    public var accuracy: Double {
        ratio(classes.reduce(0) { $0 + confusion[$1][$1] }, confusion.joined().reduce(0, +))
    }
    /// Per class: correct predictions of it / all predictions of it.
    public var precision: [Double] {
        classes.map { k in ratio(confusion[k][k], classes.reduce(0) { $0 + confusion[$1][k] }) }
    }
    /// Per class: correct predictions of it / all examples of it.
    public var recall: [Double] { classes.map { k in ratio(confusion[k][k], confusion[k].reduce(0, +)) } }
    /// Per class: the harmonic mean of precision and recall.
    public var f1: [Double] {
        zip(precision, recall).map { p, r in p + r == 0 ? 0 : 2 * p * r / (p + r) }
    }
    /// Per class: the number of examples of it.
    public var support: [Int] { confusion.map { $0.reduce(0, +) } }
}

/// Mean squared error, mean absolute error and the coefficient of determination R² = 1 − SS_res / SS_tot
/// (scikit-learn's `r2_score`, which for constant targets gives 1 for a perfect fit and 0 otherwise).
public struct RegressionMetrics: Sendable, Equatable {
    /// mean((prediction − target)²).
    public let meanSquaredError: Double
    /// mean(|prediction − target|).
    public let meanAbsoluteError: Double
    /// 1 − Σ(prediction − target)² / Σ(target − mean(target))².
    public let rSquared: Double

    /// The metrics of `predicted` against `actual`.
    public init(predicted: [Double], actual: [Double]) {
        require(
            predicted.count == actual.count && !actual.isEmpty,
            "RegressionMetrics: \(predicted.count) predictions for \(actual.count) targets")
        let count = Double(actual.count)
        let residual = zip(predicted, actual).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        meanSquaredError = residual / count
        meanAbsoluteError = zip(predicted, actual).reduce(0.0) { $0 + abs($1.0 - $1.1) } / count
        let mean = actual.reduce(0, +) / count
        let total = actual.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
        rSquared = total == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / total
    }
}

/// Class probabilities from a model's logits: sigmoid of the single logit for two classes (columns
/// p(class 0) = 1 − p, p(class 1) = p), softmax over the classes otherwise; one row per example.
public func classProbabilities<Scalar>(fromLogits logits: Tensor<Scalar>) -> [[Double]] {
    require(logits.rank == 2, "classProbabilities: logits must have shape (n, classes) or (n, 1), got \(logits.shape)")
    if logits.shape[1] == 1 {
        return sigmoid(logits).scalars.map { [1 - Double($0), Double($0)] }
    }
    let probabilities = softmax(logits, alongAxis: 1).scalars.map { Double($0) }
    let width = logits.shape[1]
    return (0..<logits.shape[0]).map { Array(probabilities[($0 * width)..<(($0 + 1) * width)]) }
}
