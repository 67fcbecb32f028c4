import KindlingCore
import KindlingPlatform

/// The class each row of `logits` predicts: for one column (binary logits, shape (n, 1) or (n)) 1 where
/// the logit is > 0 (the sigmoid probability > 0.5), else 0; for k >= 2 columns the argmax (first on ties).
public func predictedClasses<Scalar>(fromLogits logits: Tensor<Scalar>) -> [Int] {
    require(
        logits.rank == 1 || logits.rank == 2,
        "predictedClasses: logits must have shape (n) or (n, classes), got \(logits.shape)")
    if logits.rank == 1 || logits.shape[1] == 1 { return logits.scalars.map { $0 > 0 ? 1 : 0 } }
    return logits.argmax(alongAxis: 1)
}

/// The fraction of rows whose predicted class (see `predictedClasses(fromLogits:)`) equals the label.
public func accuracy<Scalar>(logits: Tensor<Scalar>, labels: [Int]) -> Double {
    let predicted = predictedClasses(fromLogits: logits)
    require(
        predicted.count == labels.count,
        "accuracy: logits of shape \(logits.shape) give \(predicted.count) predictions for \(labels.count) labels")
    guard !labels.isEmpty else { return 0 }
    return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
