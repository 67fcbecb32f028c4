import KindlingCore

extension Initializer {
    /// LeCun et al. 1998, "Efficient BackProp": U(-sqrt(3 / fan_in), sqrt(3 / fan_in)), variance 1/fan_in
    /// (Keras `LecunUniform`).
    public static let lecunUniform = Initializer("lecunUniform") { shape, generator in
        let bound = (3 / Double(Fans(shape: shape).fanIn)).squareRoot()
        return uniformValues(shape.reduce(1, *), low: -bound, high: bound, generator: generator)
    }

    /// LeCun et al. 1998; the initialization of self-normalizing networks (Klambauer et al. 2017):
    /// N(0, 1/fan_in), std = sqrt(1 / fan_in) (untruncated; Keras's `LecunNormal` is the truncated
    /// `varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal)`).
    public static let lecunNormal = Initializer("lecunNormal") { shape, generator in
        let standardDeviation = (1 / Double(Fans(shape: shape).fanIn)).squareRoot()
        return centredNormalValues(shape.reduce(1, *), standardDeviation: standardDeviation, generator: generator)
    }
}
