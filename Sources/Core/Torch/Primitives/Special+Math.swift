import RealModule

#if canImport(Glibc)
    import Glibc
#endif

// Note [Special-function math]: the scalar math behind the special-function primitives
// (Unary+Special.swift, Binary+Special.swift), written once in Double. Float inputs are widened,
// computed here and rounded once, as PyTorch's CPU kernels do for the ones that accumulate in
// double (zeta, the Bessel functions) and within a few ulps of its float kernels for the rest.
// Edge values (0, ±0, ±inf, NaN, poles, out-of-domain inputs) follow PyTorch's kernels; each
// function says which it follows.

/// Scalar special functions in Double (Note [Special-function math]).
enum SpecialMath {
    static let sqrtPi = 1.7724538509055160273
    static let sqrt2Pi = 2.5066282746310005024
    static let sqrt1_2 = 0.70710678118654752440

    /// The inverse error function: ±inf at ±1, NaN outside [-1, 1]; an initial rational
    /// approximation refined by Newton steps on `erfc` (accurate near ±1).
    static func erfinv(_ y: Double) -> Double {
        if y.isNaN || y < -1 || y > 1 { return .nan }
        if y == 1 { return .infinity }
        if y == -1 { return -.infinity }
        let a = Swift.abs(y)
        var w = -Double.log((1 - a) * (1 + a))
        var p: Double
        if w < 5 {
            w -= 2.5
            p = 2.81022636e-08
            for c in [
                3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
                0.246640727, 1.50140941,
            ] {
                p = c + p * w
            }
        } else {
            w = w.squareRoot() - 3
            p = -0.000200214257
            for c in [
                0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                1.00167406, 2.83297682,
            ] {
                p = c + p * w
            }
        }
        var x = p * a
        for _ in 0..<4 {
            // f(x) = erf(x) - a, written as (1 - a) - erfc(x) away from 0 (1 - a is exact there).
            let f = a < 0.5 ? Double.erf(x) - a : (1 - a) - Double.erfc(x)
            let slope = 2 / sqrtPi * Double.exp(-x * x)
            if slope == 0 || !slope.isFinite { break }
            let step = f / slope
            x -= step
            if Swift.abs(step) <= Swift.abs(x) * 1e-17 { break }
        }
        return y.sign == .minus ? -x : x
    }

    /// ψ(x), the logarithmic derivative of Γ: ∓inf at ±0 (PyTorch's sign), NaN at the negative
    /// integers and -inf; reflection below 0, recurrence up to 10 and the asymptotic series.
    static func digamma(_ x0: Double) -> Double {
        if x0 == 0 { return x0.sign == .minus ? .infinity : -.infinity }
        if x0 < 0 {
            let whole = x0.rounded(.towardZero)
            if x0 == whole { return .nan }
            // tan(π r) of the fractional part r is more accurate than tan(π x).
            return digamma(1 - x0) - .pi / Double.tan(.pi * (x0 - whole))
        }
        var x = x0, result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        if x == 10 { return result + 2.25175258906672110764 }
        var y = 0.0
        if x < 1e17 {
            let z = 1 / (x * x)
            var s = 691.0 / 32760 - z / 12
            s = 1.0 / 132 - z * s
            s = 1.0 / 240 - z * s
            s = 1.0 / 252 - z * s
            s = 1.0 / 120 - z * s
            s = 1.0 / 12 - z * s
            y = z * s
        }
        return result + Double.log(x) - 0.5 / x - y
    }

    /// ψ'(x), PyTorch's series: reflection below 1/2, six recurrence steps, then the asymptotic
    /// series to 1/x⁷ (about 1e-8 relative at worst, as PyTorch's), in the element's own type as PyTorch.
    static func trigamma<T: FloatScalar>(_ x0: T) -> T {
        var x = x0, sign: T = 1, result: T = 0
        if x < T(0.5) {
            sign = -1
            // π rounded to nearest in T, as C++'s constant (Swift's `.pi` rounds toward zero).
            let pi = T(Double.pi)
            let s = T.sin(pi * x)
            result -= pi * pi / (s * s)
            x = 1 - x
        }
        for _ in 0..<6 {
            result += 1 / (x * x)
            x += 1
        }
        let w = 1 / (x * x)
        let tail: T = T(1.0 / 6) - w * (T(1.0 / 30) - w * T(1.0 / 42))
        result += (1 + 1 / (2 * x) + w * tail) / x
        return sign * result
    }

    /// The Hurwitz zeta function ζ(x, q) = Σ (k + q)^-x (Cephes' algorithm, as PyTorch's):
    /// inf at x = 1, NaN for x < 1, inf at the non-positive integers q.
    static func zeta(_ x: Double, _ q: Double) -> Double {
        let machep = 1.11022302462515654042e-16
        let bernoulli: [Double] = [
            12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
            -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
            1.8152105401943546773e17, -7.1661652561756670113e18,
        ]
        if x == 1 { return .infinity }
        if x < 1 { return .nan }
        if q <= 0 {
            if q == q.rounded(.down) { return .infinity }
            if x != x.rounded(.down) { return .nan }
        }
        var s = Glibc.pow(q, -x)
        var a = q, b = 0.0, i = 0
        while i < 9 || a <= 9 {
            i += 1
            a += 1
            b = Glibc.pow(a, -x)
            s += b
            if Swift.abs(b / s) < machep { return s }
        }
        let w = a
        s += b * w / (x - 1)
        s -= 0.5 * b
        var c = 1.0, k = 0.0
        for j in 0..<12 {
            c *= x + k
            b /= w
            let t = c * b / bernoulli[j]
            s += t
            if Swift.abs(t / s) < machep { return s }
            k += 1
            c *= x + k
            b /= w
            k += 1
        }
        return s
    }

    /// The modified Bessel function of the first kind I_ν(x) for ν = 0 or 1, or
    /// e^-|x|·I_ν(x) when `scaled`: the power series up to |x| = 30, the asymptotic series above.
    static func besselI(_ nu: Int, _ x: Double, scaled: Bool) -> Double {
        if x.isNaN { return x }
        let ax = Swift.abs(x)
        var r: Double
        if ax <= 30 {
            let h = ax / 2, h2 = h * h
            var term = nu == 0 ? 1.0 : h
            var sum = term, k = 0.0
            while term > sum * 1e-17 {
                k += 1
                term *= h2 / (k * (k + Double(nu)))
                sum += term
            }
            r = scaled ? sum * Double.exp(-ax) : sum
        } else if ax.isInfinite {
            // PyTorch's Chebyshev form gives inf/inf there: NaN unscaled, 0 scaled.
            r = scaled ? 0 : .nan
        } else {
            let mu = Double(4 * nu * nu)
            var term = 1.0, sum = 1.0, k = 0.0
            while true {
                k += 1
                let odd = 2 * k - 1
                let next = term * -(mu - odd * odd) / (8 * k * ax)
                if Swift.abs(next) >= Swift.abs(term) { break }
                sum += next
                term = next
                if Swift.abs(next) < 1e-17 * Swift.abs(sum) { break }
            }
            let lead =
                scaled ? 1 / (sqrt2Pi * ax.squareRoot()) : Double.exp(ax - Double.log(sqrt2Pi) - 0.5 * Double.log(ax))
            r = lead * sum
        }
        return nu == 1 && x < 0 ? -r : r
    }

    /// The standard normal quantile Φ⁻¹(p): -inf at 0, inf at 1, NaN outside [0, 1]; a rational
    /// approximation refined by Halley steps on `erfc` (the upper half through 1 - p, exact there).
    static func ndtri(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -ndtri(1 - p) }
        var x: Double
        if p < 0.02425 {
            let q = (-2 * Double.log(p)).squareRoot()
            var n = -7.784894002430293e-03
            for c in [
                -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
                2.938163982698783e+00,
            ] {
                n = n * q + c
            }
            var d = 7.784695709041462e-03
            for c in [3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1.0] { d = d * q + c }
            x = n / d
        } else {
            let q = p - 0.5, r = q * q
            var n = -3.969683028665376e+01
            for c in [
                2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
                2.506628277459239e+00,
            ] {
                n = n * r + c
            }
            var d = -5.447609879822406e+01
            for c in [
                1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01, 1.0,
            ] {
                d = d * r + c
            }
            x = n * q / d
        }
        for _ in 0..<3 {
            let e = 0.5 * Double.erfc(-x * sqrt1_2) - p
            let u = e * sqrt2Pi * Double.exp(x * x / 2)
            if !u.isFinite { break }
            x -= u / (1 + x * u / 2)
        }
        return x
    }

    /// The scaled complementary error function e^(x²)·erfc(x): inf below about -26.6, the
    /// asymptotic series from 20 up (0 at inf).
    static func erfcx(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x < 20 { return Double.exp(x * x) * Double.erfc(x) }
        if x.isInfinite { return 0 }
        let t = 1 / (2 * x * x)
        var term = 1.0, sum = 1.0, k = 0.0
        while true {
            k += 1
            term *= -(2 * k - 1) * t
            sum += term
            if Swift.abs(term) < 1e-17 * sum { break }
        }
        return sum / (x * sqrtPi)
    }

    /// log Φ(x), the log of the standard normal CDF (PyTorch's formula: through `erfcx` below -1).
    static func logNdtr(_ x: Double) -> Double {
        let t = x * sqrt1_2
        if x < -1 { return Double.log(erfcx(-t) / 2) - t * t }
        return Double.log(onePlus: -Double.erfc(t) / 2)
    }
}
