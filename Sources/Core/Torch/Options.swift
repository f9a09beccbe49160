import TorchBase

// Options of core ops as enums (not strings): a typo does not compile and nothing falls back
// silently. The raw values are PyTorch's spellings.

/// How `div(_:roundingMode:)` rounds the quotient (PyTorch's `rounding_mode`).
///
/// ```swift
/// Tensor([7, -7]).div(Tensor([2, 2]), roundingMode: .floor)   // [3, -4]
/// ```
public enum RoundingMode: String, Sendable, CaseIterable {
    /// Toward zero (C's integer division).
    case trunc
    /// Toward negative infinity (Python's `//`).
    case floor
}

/// GELU's form (PyTorch's `approximate`).
///
/// ```swift
/// x.gelu(approximate: .tanh)
/// ```
public enum GELUApproximation: String, Sendable, CaseIterable {
    /// The exact form, `x·Φ(x)`.
    case none
    /// The tanh approximation.
    case tanh
}
