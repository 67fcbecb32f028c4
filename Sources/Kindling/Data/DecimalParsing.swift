import Foundation

/// Exact powers of ten representable in a Double (10^0 ... 10^22).
private let exactPowersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

/// The number written in `count` bytes at `bytes` (no surrounding spaces): a decimal such as `-12`,
/// `0.5`, `1e-3` or `.25`, or `nan`, `inf`, `infinity` with an optional sign (returned as such, for the
/// caller to reject). Returns nil when the text is not a number.
///
/// Correctly rounded, as `strtod`: a mantissa of at most 19 digits that fits in 53 bits with a power of ten
/// of at most 22 is exact in one multiplication or division (Clinger 1990, "How to read floating point
/// numbers accurately"); anything else goes to the C library's `strtod`.
func parseDecimal(_ bytes: UnsafePointer<UInt8>, count: Int) -> Double? {
    guard count > 0 else { return nil }
    var index = 0
    var negative = false
    if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
        negative = bytes[0] == UInt8(ascii: "-")
        index = 1
    }
    var mantissa: UInt64 = 0
    var significantDigits = 0
    var digitsSeen = 0
    var exponent = 0
    while index < count, case let digit = bytes[index] &- 48, digit < 10 {
        if mantissa != 0 || digit != 0 { significantDigits += 1 }
        if significantDigits <= 19 { mantissa = mantissa &* 10 &+ UInt64(digit) } else { exponent += 1 }
        digitsSeen += 1
        index += 1
    }
    if index < count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        while index < count, case let digit = bytes[index] &- 48, digit < 10 {
            if mantissa != 0 || digit != 0 { significantDigits += 1 }
            if significantDigits <= 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                exponent -= 1
            }
            digitsSeen += 1
            index += 1
        }
    }
    guard digitsSeen > 0 else { return parseSpecialValue(bytes, count: count) }
    if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
        index += 1
        var exponentNegative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            exponentNegative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var written = 0
        var exponentDigits = 0
        while index < count, case let digit = bytes[index] &- 48, digit < 10 {
            if written < 100_000 { written = written * 10 + Int(digit) }
            exponentDigits += 1
            index += 1
        }
        guard exponentDigits > 0 else { return nil }
        exponent += exponentNegative ? -written : written
    }
    guard index == count else { return nil }
    if significantDigits <= 19, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
        let value = exponent < 0 ? Double(mantissa) / exactPowersOfTen[-exponent]
            : Double(mantissa) * exactPowersOfTen[exponent]
        return negative ? -value : value
    }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
        for i in 0..<count { buffer[i] = CChar(bitPattern: bytes[i]) }
        buffer[count] = 0
        return strtod(buffer.baseAddress!, nil)
    }
}

/// nan, inf or infinity (any case, optional sign), or nil.
private func parseSpecialValue(_ bytes: UnsafePointer<UInt8>, count: Int) -> Double? {
    var text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self).lowercased()
    var sign = 1.0
    if text.hasPrefix("-") || text.hasPrefix("+") {
        sign = text.hasPrefix("-") ? -1 : 1
        text.removeFirst()
    }
    switch text {
    case "nan": return .nan
    case "inf", "infinity": return sign * .infinity
    default: return nil
    }
}

extension String {
    /// The number this text holds (leading and trailing spaces allowed), by the CSV reader's rules.
    var decimalValue: Double? {
        let trimmed = trimmingCharacters(in: .whitespaces)
        var utf8 = Array(trimmed.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parseDecimal(base, count: buffer.count)
        }
    }
}
