import KindlingCore

/// The element loops of the optimizers' updates, over raw buffers so that a step allocates nothing.
/// Each is generic over the scalar and pre-specialized for Float and Double. The arithmetic follows
/// PyTorch's single-tensor kernels operation by operation (so that Double trajectories agree to rounding).
enum UpdateKernels {
    /// One SGD update of `parameter` from `gradient` (torch.optim.SGD) when there is momentum or weight
    /// decay (plain SGD is BLAS's axpy): g = −g when maximizing; d = g + weightDecay·p; with a momentum buffer b: b = d on the first
    /// step, else b = momentum·b + gradientWeight·d (gradientWeight = 1 − dampening), and
    /// d = nesterov ? d + momentum·b : b; then p = p − lr·d.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func sgd<S: TensorScalar>(
        parameter: UnsafeMutableBufferPointer<S>, gradient: UnsafeBufferPointer<S>,
        momentumBuffer: UnsafeMutableBufferPointer<S>?, isFirstStep: Bool,
        learningRate: S, momentum: S, gradientWeight: S, nesterov: Bool, weightDecay: S, maximize: Bool
    ) {
        let count = parameter.count
        let negativeLearningRate = -learningRate
        guard let buffer = momentumBuffer else {
            for i in 0..<count {
                let p = parameter[i]
                let g = maximize ? -gradient[i] : gradient[i]
                parameter[i] = p + negativeLearningRate * (g + weightDecay * p)
            }
            return
        }
        if !maximize && weightDecay == 0 && !nesterov && !isFirstStep {
            // The usual case (momentum, nothing else) in a loop of its own, the same arithmetic as the general
            // loop below: LLVM keeps the general loop's flag tests inside its vector loop, and this loop
            // takes about half of its instructions per element (callgrind, Scripts/bench mlp-sgd).
            for i in 0..<count {
                let b = buffer[i] * momentum + gradientWeight * gradient[i]
                buffer[i] = b
                parameter[i] = parameter[i] + negativeLearningRate * b
            }
            return
        }
        let decays = weightDecay != 0
        for i in 0..<count {
            // Every element is loaded unconditionally (the buffer holds zeros before the first step): a
            // conditional load would keep LLVM from vectorizing the loop.
            let p = parameter[i]
            let g = maximize ? -gradient[i] : gradient[i]
            let previous = buffer[i]
            let d = decays ? g + weightDecay * p : g
            let b = isFirstStep ? d : previous * momentum + gradientWeight * d
            buffer[i] = b
            parameter[i] = p + negativeLearningRate * (nesterov ? d + momentum * b : b)
        }
    }

    /// One Adam update (torch.optim.Adam's single-tensor path), with `gradientSign` −1 when maximizing
    /// (1 otherwise), `parameterScale` = 1 − lr·weightDecay
    /// for decoupled weight decay (AdamW; 1 otherwise), `gradientDecay` = weightDecay for coupled weight
    /// decay (0 otherwise), `firstMomentWeight` = 1 − β₁ and `secondMomentWeight` = 1 − β₂:
    /// g = gradientSign·g; p = parameterScale·p; g = g + gradientDecay·p; m = lerp(m, g, 1 − β₁);
    /// v = β₂·v + (1 − β₂)·g²; with AMSGrad (a `maxSecondMoment` buffer) v̂ = max(v̂, v), else v̂ = v;
    /// p = p − stepSize·m / (√v̂ / biasCorrection2Root + ε), with stepSize = lr / (1 − β₁ᵗ) and
    /// biasCorrection2Root = √(1 − β₂ᵗ).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func adam<S: TensorScalar>(
        parameter: UnsafeMutableBufferPointer<S>, gradient: UnsafeBufferPointer<S>,
        firstMoment: UnsafeMutableBufferPointer<S>, secondMoment: UnsafeMutableBufferPointer<S>,
        maxSecondMoment: UnsafeMutableBufferPointer<S>?, gradientSign: S, parameterScale: S, gradientDecay: S,
        firstMomentWeight weight: S, beta2: S, secondMomentWeight: S, epsilon: S,
        stepSize: S, biasCorrection2Root: S
    ) {
        let scales = parameterScale != 1
        let decays = gradientDecay != 0
        // torch.lerp(start, end, w): start + w·(end − start) for |w| < 0.5, else end − (end − start)·(1 − w).
        let weightIsSmall = Swift.abs(weight) < 0.5
        let complement = 1 - weight
        let negativeStepSize = -stepSize
        // Both loops load every element unconditionally, so that LLVM vectorizes them.
        guard let maxSecondMoment else {
            for i in 0..<parameter.count {
                let p = scales ? parameter[i] * parameterScale : parameter[i]
                let g = decays ? gradientSign * gradient[i] + gradientDecay * p : gradientSign * gradient[i]
                let previous = firstMoment[i]
                let m = weightIsSmall ? previous + weight * (g - previous) : g - (g - previous) * complement
                let v = secondMoment[i] * beta2 + secondMomentWeight * g * g
                firstMoment[i] = m
                secondMoment[i] = v
                // v ≥ 0, so √|v| = √v; the abs tells LLVM so, which drops libm's errno path and lets it vectorize.
                parameter[i] = p + negativeStepSize * m / (Swift.abs(v).squareRoot() / biasCorrection2Root + epsilon)
            }
            return
        }
        for i in 0..<parameter.count {
            let p = scales ? parameter[i] * parameterScale : parameter[i]
            let g = decays ? gradientSign * gradient[i] + gradientDecay * p : gradientSign * gradient[i]
            let previous = firstMoment[i]
            let m = weightIsSmall ? previous + weight * (g - previous) : g - (g - previous) * complement
            let v = secondMoment[i] * beta2 + secondMomentWeight * g * g
            // torch.maximum: NaN if either is NaN.
            let largest = v.isNaN || maxSecondMoment[i] < v ? v : maxSecondMoment[i]
            firstMoment[i] = m
            secondMoment[i] = v
            maxSecondMoment[i] = largest
            parameter[i] = p + negativeStepSize * m / (Swift.abs(largest).squareRoot() / biasCorrection2Root + epsilon)
        }
    }
}
