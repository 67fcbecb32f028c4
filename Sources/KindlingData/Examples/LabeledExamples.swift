import Foundation
import KindlingCore
import KindlingNN
import KindlingPlatform

/// What a model learns from the labels, and so its output and loss.
public enum Task: String, Sendable, Codable, CaseIterable {
    /// Two classes: one logit per example, binary cross-entropy on logits.
    case binary
    /// Three or more classes: one logit per class, cross-entropy.
    case multiclass
    /// A real-valued target: one output, mean squared error.
    case regression

    /// The task the labels imply: labels that are not all numbers, or whole numbers with at most
    /// `maximumWholeNumberClasses` distinct values, are classes (binary when there are two); other
    /// numbers are regression targets.
    public static func detect(labels: [String], maximumWholeNumberClasses: Int = 50) -> Task {
        let numbers = labels.map(\.decimalValue)
        if numbers.allSatisfy({ $0 != nil }) {
            let values = numbers.map { $0! }
            let distinct = Set(values)
            if values.contains(where: { $0 != $0.rounded() }) || distinct.count > maximumWholeNumberClasses {
                return .regression
            }
        }
        return Set(labels.map(ClassEncoding.canonical)).count <= 2 ? .binary : .multiclass
    }
}

/// The class names of a classification task, in class-index order: sorted numerically when every label
/// is a number, else as text (scikit-learn's `LabelEncoder` order).
public struct ClassEncoding: Sendable, Codable, Equatable {
    /// The name of class 0, 1, ...
    public let names: [String]

    /// The classes found in `labels`.
    public init(labels: [String]) {
        let distinct = Array(Set(labels.map(Self.canonical)))
        if distinct.allSatisfy({ $0.decimalValue != nil }) {
            names = distinct.sorted { $0.decimalValue! < $1.decimalValue! }
        } else {
            names = distinct.sorted()
        }
    }

    /// Classes with these names, in this order.
    public init(names: [String]) { self.names = names }

    /// The label's text with spaces trimmed and numbers written one way ("1.0" and "1" are the same class).
    static func canonical(_ label: String) -> String {
        let trimmed = label.trimmingSpaces
        guard let value = trimmed.decimalValue, value.isFinite else { return trimmed }
        return RawExamples.text(of: value)
    }

    /// The class index of a label, or nil when the label is not one of the names.
    public func index(of label: String) -> Int? { names.firstIndex(of: Self.canonical(label)) }
}

/// Features with the answers a model should give: class indices (as numbers) or regression targets.
///
/// ```swift
/// let raw = try RawExamples(contentsOf: URL(fileURLWithPath: "wine.csv"), label: .name("class"))
/// let classes = ClassEncoding(labels: raw.labels!)
/// let examples: LabeledExamples<Double> = try .init(raw, task: .multiclass, classes: classes)
/// ```
public struct LabeledExamples<Scalar: TensorScalar> {
    /// The examples, shape [count] + example shape. For examples still in their file
    /// (`init(rowsOf:exampleShape:task:classes:)`), reading it converts every row.
    public var features: Tensor<Scalar> {
        get {
            switch storage {
            case .tensor(let features): return features
            case .file(let unread): return unread.features(at: Array(unread.rows.indices))
            }
        }
        set { storage = .tensor(newValue) }
    }
    /// Per example: the class index (classification) or the target value (regression).
    public var targets: [Double]
    /// Where the features are.
    var storage: Storage

    /// Where the features of examples are.
    enum Storage {
        /// In memory.
        case tensor(Tensor<Scalar>)
        /// In an NPY or IDX file, read when a batch is taken.
        case file(UnreadRows)
    }

    /// Examples from their parts.
    public init(features: Tensor<Scalar>, targets: [Double]) {
        require(
            features.rank >= 2 && features.shape[0] == targets.count,
            "LabeledExamples: features of shape \(features.shape) for \(targets.count) targets")
        self.init(storage: .tensor(features), targets: targets)
    }

    /// Examples whose features are in `storage`.
    init(storage: Storage, targets: [Double]) {
        self.storage = storage
        self.targets = targets
    }

    /// The examples of `raw`, with labels turned into class indices by `classes` (classification) or read
    /// as numbers (regression). Throws `DataError.unseenLabel` for a label outside `classes`, and
    /// `.malformedNumber` for a regression target that is not a number.
    public init(_ raw: RawExamples, task: Task, classes: ClassEncoding?) throws {
        guard let labels = raw.labels else {
            throw DataError.mismatch(path: raw.path, reason: "the data has no labels to train or evaluate on")
        }
        let targets = try Self.targets(of: labels, task: task, classes: classes, location: raw.location(ofExample:))
        self.init(storage: .tensor(raw.features(as: Scalar.self)), targets: targets)
    }

    /// The targets of `labels` for `task`; `location` names an example in messages.
    static func targets(of labels: [String], task: Task, classes: ClassEncoding?, location: (Int) -> String) throws
        -> [Double]
    {
        try labels.enumerated().map { row, label in
            if task == .regression {
                guard let value = label.decimalValue, value.isFinite else {
                    throw DataError.mismatch(
                        path: location(row), reason: "target '\(label)' is not a finite number (the task is regression)"
                    )
                }
                return value
            }
            guard let index = classes?.index(of: label) else {
                throw DataError.unseenLabel(location: location(row), label: label, known: classes?.names ?? [])
            }
            return Double(index)
        }
    }

    /// The number of examples.
    public var count: Int { targets.count }

    /// The targets as class indices.
    public var classIndices: [Int] { targets.map { Int($0) } }

    /// The targets as a column of shape (count, 1), for binary cross-entropy and mean squared error.
    public var targetColumn: Tensor<Scalar> { Tensor(shape: [count, 1], scalars: targets.map { Scalar($0) }) }

    /// The examples at `indices`, in that order, with their features in memory (read and converted now from their
    /// file when they are still there).
    public func rows(_ indices: [Int]) -> LabeledExamples {
        switch storage {
        case .tensor(let features):
            return LabeledExamples(features: features.gatheringRows(indices), targets: indices.map { targets[$0] })
        case .file(let unread):
            return LabeledExamples(features: unread.features(at: indices), targets: indices.map { targets[$0] })
        }
    }

    /// The examples at `indices`, in that order; examples still in their file stay there.
    private func subset(_ indices: [Int]) -> LabeledExamples {
        guard case .file(var unread) = storage else { return rows(indices) }
        unread.rows = indices.map { unread.rows[$0] }
        return LabeledExamples(storage: .file(unread), targets: indices.map { targets[$0] })
    }

    /// A seeded split into training and validation examples, as scikit-learn's
    /// `train_test_split(test_size: fraction, random_state: seed)`: `generator.permutation(count)` (numpy's
    /// `RandomState(seed).permutation`), the first ceil(fraction × count) positions for validation, the rest
    /// for training, each in permutation order. Examples still in their file stay there (only their row numbers
    /// are split).
    public func split(validationFraction fraction: Double, generator: RandomGenerator)
        -> (training: LabeledExamples, validation: LabeledExamples)
    {
        let (training, validation) = Self.splitIndices(count: count, validationFraction: fraction, generator: generator)
        return (subset(training), subset(validation))
    }

    /// The indices of `split(validationFraction:generator:)`.
    public static func splitIndices(count: Int, validationFraction fraction: Double, generator: RandomGenerator)
        -> (training: [Int], validation: [Int])
    {
        require(fraction > 0 && fraction < 1, "split: the validation fraction must lie in (0, 1), got \(fraction)")
        let permutation = generator.permutation(count)
        let validationCount = Int((fraction * Double(count)).rounded(.up))
        return (Array(permutation[validationCount...]), Array(permutation[..<validationCount]))
    }
}

/// Per-feature standardization, (x - mean) / scale, with the statistics of the training examples
/// (scikit-learn's `StandardScaler`: the population standard deviation, and 1 where it is 0).
public struct Standardization: Sendable, Codable, Equatable {
    /// The mean of each feature.
    public let mean: [Double]
    /// The standard deviation of each feature (1 for a constant feature).
    public let scale: [Double]

    /// The statistics of `features`, shape (count, featureCount), computed in Double. (Specialized for Float
    /// and Double: unspecialized, each value's conversion went through the runtime's generic metadata, and
    /// fitting and applying took seconds on a 160 MB file.)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init<Scalar>(fittedTo features: Tensor<Scalar>) {
        require(
            features.rank == 2, "Standardization: features must have shape (count, featureCount), got \(features.shape)"
        )
        let (count, width) = (features.shape[0], features.shape[1])
        var mean = [Double](repeating: 0, count: width)
        var variance = [Double](repeating: 0, count: width)
        features.scalars.withUnsafeBufferPointer { values in
            mean.withUnsafeMutableBufferPointer { mean in
                for row in 0..<count {
                    for column in 0..<width { mean[column] += Double(values[row * width + column]) }
                }
                for column in 0..<width { mean[column] /= Double(count) }
                variance.withUnsafeMutableBufferPointer { variance in
                    for row in 0..<count {
                        for column in 0..<width {
                            let difference = Double(values[row * width + column]) - mean[column]
                            variance[column] += difference * difference
                        }
                    }
                }
            }
        }
        self.mean = mean
        scale = variance.map { $0 == 0 ? 1 : ($0 / Double(count)).squareRoot() }
    }

    /// Statistics from their parts.
    public init(mean: [Double], scale: [Double]) {
        self.mean = mean
        self.scale = scale
    }

    private enum CodingKeys: String, CodingKey { case mean, scale }

    /// Decodes the hexadecimal floats `encode(to:)` writes (exact, whatever the JSON parser's rounding).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func decode(_ key: CodingKeys) throws -> [Double] {
            try container.decode([String].self, forKey: key).map { text in
                // strtod takes seconds over millions of digits: a longer text is no number `encode` writes.
                guard text.utf8.count <= ReadingLimits.maximumNumberLength, let value = Double(text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: container, debugDescription: "'\(text.prefix(40))' is not a number")
                }
                return value
            }
        }
        mean = try decode(.mean)
        scale = try decode(.scale)
    }

    /// Encodes each statistic as a hexadecimal float string ("0x1.8p+1"), which round-trips exactly.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mean.map { String(format: "%a", $0) }, forKey: .mean)
        try container.encode(scale.map { String(format: "%a", $0) }, forKey: .scale)
    }

    /// The standardized features.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func apply<Scalar>(to features: Tensor<Scalar>) -> Tensor<Scalar> {
        require(
            features.rank == 2 && features.shape[1] == mean.count,
            "Standardization: features of shape \(features.shape) for \(mean.count) statistics")
        let (count, width) = (features.shape[0], mean.count)
        let scalars = [Scalar](unsafeUninitializedCapacity: features.count) { output, initialized in
            features.scalars.withUnsafeBufferPointer { values in
                mean.withUnsafeBufferPointer { mean in
                    scale.withUnsafeBufferPointer { scale in
                        for row in 0..<count {
                            for column in 0..<width {
                                let index = row * width + column
                                output.initializeElement(
                                    at: index, to: Scalar((Double(values[index]) - mean[column]) / scale[column]))
                            }
                        }
                    }
                }
            }
            initialized = count * width
        }
        return Tensor(shape: features.shape, scalars: scalars)
    }
}

extension LabeledExamples: TrainingExamples {}
