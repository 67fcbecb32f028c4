"""Reference values of mean-field signal propagation (Poole et al. 2016; Schoenholz et al. 2017, "Deep
Information Propagation") for Tests/KindlingUnitTests/MeanFieldTests.swift, written to
Tests/KindlingTestSupport/Fixtures/scipy_mean_field.json.

Computed independently of Kindling's Gauss-Hermite sums: one-dimensional Gaussian expectations by adaptive
quadrature (scipy.integrate.quad over the real line), two-dimensional ones by the trapezoidal rule on
[-12, 12]^2 with step 0.03 (exponentially convergent for integrands analytic in a strip, which tanh and
the logistic sigmoid are; checked here against scipy.integrate.dblquad at one point), fixed points by
scipy.optimize.brentq. ReLU and the identity use their closed forms (E[relu(sqrt(q) z)^2] = q/2; the
correlation map of both has c* = 1 below the divergence of q). The slope of the length map uses Schoenholz's
eq. 5 with the second derivative, chi_1 + sigma_w^2 E[phi''(sqrt(q*) z) phi(sqrt(q*) z)], where Kindling uses
Stein's form E[phi phi' z] / sqrt(q).

Definitions: weights N(0, sigma_w^2 / fan_in), biases N(0, sigma_b^2);
q' = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2, fixed point q*;
c' = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q*, u1 = sqrt(q*) z1, u2 = sqrt(q*) (c z1 + sqrt(1 - c^2) z2);
chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]; chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] at c*;
xi_q = -1 / ln(slope of the length map at q*); xi_c = -1 / ln(chi_c).
With sigma_b = 0 and phi(0) = 0 below the boundary, q* = 0 and the chis are their limits q -> 0+.
"""
import json
import math
from pathlib import Path

import numpy as np
from scipy import integrate, optimize

FIXTURE = Path(__file__).resolve().parents[2] / "Tests/KindlingTestSupport/Fixtures/scipy_mean_field.json"
SQRT_2PI = math.sqrt(2 * math.pi)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "sigmoid": (
        sigmoid,
        lambda x: sigmoid(x) * (1 - sigmoid(x)),
        lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x)),
    ),
}


def gauss1(f):
    """E[f(z)], z ~ N(0, 1), by adaptive quadrature."""
    value, _ = integrate.quad(
        lambda z: f(z) * math.exp(-z * z / 2) / SQRT_2PI, -math.inf, math.inf, epsabs=1e-15, epsrel=1e-14, limit=400
    )
    return value


STEP = 0.03
GRID = np.arange(-12, 12 + STEP / 2, STEP)
TRAPEZOID = np.full(GRID.shape, STEP)
TRAPEZOID[0] = TRAPEZOID[-1] = STEP / 2
DENSITY = TRAPEZOID * np.exp(-GRID * GRID / 2) / SQRT_2PI


def gauss2(f):
    """E[f(z1, z2)] for independent standard normals, by the trapezoidal rule."""
    z1 = GRID[:, None]
    z2 = GRID[None, :]
    return float(np.einsum("i,ij,j->", DENSITY, f(z1, z2), DENSITY))


def fixed_length(name, sw, sb):
    """q*, by brentq on the length map (0 when sigma_b = 0 and phi(0) = 0 below the boundary)."""
    phi, dphi, _ = ACTIVATIONS[name]
    length = lambda q: sw * gauss1(lambda z: phi(math.sqrt(q) * z) ** 2) + sb
    if sb == 0 and phi(0.0) == 0 and sw * dphi(0.0) ** 2 <= 1:
        return 0.0
    high = 1.0
    while length(high) > high:
        high *= 2
    low = high / 2 if high > 1 else 1.0
    while length(low) <= low:
        low /= 2
    return optimize.brentq(lambda q: length(q) - q, low, high, xtol=1e-15, rtol=1e-15, maxiter=500)


def chi1_at(name, sw, q):
    _, dphi, _ = ACTIVATIONS[name]
    if q == 0:
        return sw * dphi(0.0) ** 2
    return sw * gauss1(lambda z: dphi(math.sqrt(q) * z) ** 2)


def smooth_point(name, sw, sb):
    phi, dphi, ddphi = ACTIVATIONS[name]
    q = fixed_length(name, sw, sb)
    if q == 0:
        chi1 = sw * dphi(0.0) ** 2
        slope = chi1
    else:
        s = math.sqrt(q)
        chi1 = sw * gauss1(lambda z: dphi(s * z) ** 2)
        slope = chi1 + sw * gauss1(lambda z: ddphi(s * z) * phi(s * z))
    if q == 0 or chi1 <= 1:
        c, chic = 1.0, chi1
    else:
        s = math.sqrt(q)

        def cmap(c):
            o = math.sqrt(1 - c * c)
            return (sw * gauss2(lambda z1, z2: phi(s * z1) * phi(s * (c * z1 + o * z2))) + sb) / q

        if cmap(0.0) <= 1e-300:
            c = 0.0
        else:
            high = 0.5
            while cmap(high) - high >= 0:
                high = 1 - (1 - high) / 2
            c = optimize.brentq(lambda c: cmap(c) - c, 0.0, high, xtol=1e-15, rtol=1e-15, maxiter=500)
        o = math.sqrt(1 - c * c)
        chic = sw * gauss2(lambda z1, z2: dphi(s * z1) * dphi(s * (c * z1 + o * z2)))
    return q, c, chi1, chic, slope


def closed_form_point(name, sw, sb):
    """ReLU (E[relu(sqrt(q) z)^2] = q/2, E[relu'^2] = 1/2) and the identity."""
    gain = 0.5 if name == "relu" else 1.0
    chi1 = sw * gain
    if chi1 >= 1:
        return math.inf, math.nan, math.nan, math.nan, math.nan
    q = sb / (1 - chi1)
    return q, 1.0, chi1, chi1, chi1


def depth(rate):
    return math.inf if rate >= 1 else -1 / math.log(rate)


def encode(x):
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    return x


points = []
print("points", flush=True)
for name in ["tanh", "sigmoid", "relu", "linear"]:
    for sw in [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]:
        for sb in [0.0, 0.05, 0.2]:
            # Points exactly on the boundary (chi_1 = 1 in closed form) are left out: there q* and xi are
            # infinite or not by the last bit of rounding. MeanFieldTests checks the approach instead.
            if (name, sw) in [("relu", 2.0), ("linear", 1.0)] or (name == "tanh" and sw == 1.0 and sb == 0):
                continue
            if name in ACTIVATIONS:
                q, c, chi1, chic, slope = smooth_point(name, sw, sb)
            else:
                q, c, chi1, chic, slope = closed_form_point(name, sw, sb)
            points.append(
                {
                    "activation": name,
                    "weight_variance": sw,
                    "bias_variance": sb,
                    "q_star": encode(q),
                    "c_star": encode(c),
                    "chi1": encode(chi1),
                    "chi_c": encode(chic),
                    "xi_q": encode(depth(slope) if math.isfinite(q) else math.nan),
                    "xi_c": encode(depth(chic) if math.isfinite(q) else math.nan),
                }
            )

print("critical", flush=True)
# The order-to-chaos boundary of tanh: the sigma_w^2 where chi_1 = 1 at q*, for a few sigma_b^2.
critical = []
for sb in [0.0, 0.05, 0.2]:
    sw = 1.0 if sb == 0 else optimize.brentq(lambda sw: chi1_at("tanh", sw, fixed_length("tanh", sw, sb)) - 1, 1.0, 4.0, xtol=1e-13)
    critical.append({"activation": "tanh", "bias_variance": sb, "weight_variance": sw})

# Two inputs through five tanh layers (sigma_w^2 = 2, sigma_b^2 = 0.05), from input second moments 1 and 0.5
# and correlation 0.3: layer 0 is sigma_w^2 times the inputs' moments plus sigma_b^2, each later layer maps
# (q1, q2, q12) by sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2.
sw, sb = 2.0, 0.05
q1, q2 = sw * 1.0 + sb, sw * 0.5 + sb
q12 = sw * 0.3 * math.sqrt(0.5) + sb
layers = []
for layer in range(5):
    if layer > 0:
        c = q12 / math.sqrt(q1 * q2)
        o = math.sqrt(1 - c * c)
        a, b = math.sqrt(q1), math.sqrt(q2)
        q12 = sw * gauss2(lambda z1, z2: np.tanh(a * z1) * np.tanh(b * (c * z1 + o * z2))) + sb
        q1 = sw * gauss1(lambda z: math.tanh(a * z) ** 2) + sb
        q2 = sw * gauss1(lambda z: math.tanh(b * z) ** 2) + sb
    layers.append({"q1": q1, "q2": q2, "correlation": q12 / math.sqrt(q1 * q2)})

print("check", flush=True)
# The trapezoidal rule against scipy's adaptive dblquad at one point.
check_q, check_c = 2.0, 0.4
o = math.sqrt(1 - check_c**2)
s = math.sqrt(check_q)
trapezoid = gauss2(lambda z1, z2: np.tanh(s * z1) * np.tanh(s * (check_c * z1 + o * z2)))
adaptive, _ = integrate.dblquad(
    lambda z2, z1: math.tanh(s * z1) * math.tanh(s * (check_c * z1 + o * z2)) * math.exp(-(z1 * z1 + z2 * z2) / 2)
    / (2 * math.pi),
    -12, 12, -12, 12, epsabs=1e-12, epsrel=1e-11,
)
assert abs(trapezoid - adaptive) < 1e-10, (trapezoid, adaptive)

FIXTURE.write_text(
    json.dumps(
        {
            "source": "Scripts/reference/scipy_mean_field.py (scipy.integrate.quad, trapezoidal 2-D rule, brentq)",
            "points": points,
            "critical": critical,
            "layers": {
                "activation": "tanh", "weight_variance": sw, "bias_variance": sb,
                "inputs": {"q1": 1.0, "q2": 0.5, "correlation": 0.3}, "values": layers,
            },
        },
        indent=1,
    )
    + "\n"
)
print(f"wrote {FIXTURE}: {len(points)} points")
