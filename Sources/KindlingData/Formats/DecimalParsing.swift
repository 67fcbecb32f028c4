import Foundation
import KindlingCore

/// 10^exponent for 0 ... 22, the powers of ten a Double holds exactly (a switch the compiler turns into a
/// constant table, with no lazy global to check on every call).
@inline(__always)
private func exactPowerOfTen(_ exponent: Int) -> Double {
    switch exponent {
    case 0: return 1e0
    case 1: return 1e1
    case 2: return 1e2
    case 3: return 1e3
    case 4: return 1e4
    case 5: return 1e5
    case 6: return 1e6
    case 7: return 1e7
    case 8: return 1e8
    case 9: return 1e9
    case 10: return 1e10
    case 11: return 1e11
    case 12: return 1e12
    case 13: return 1e13
    case 14: return 1e14
    case 15: return 1e15
    case 16: return 1e16
    case 17: return 1e17
    case 18: return 1e18
    case 19: return 1e19
    case 20: return 1e20
    case 21: return 1e21
    default: return 1e22
    }
}

/// 10^count for 0 ... 8, as an integer.
@inline(__always)
private func integerPowerOfTen(_ count: Int) -> UInt64 {
    switch count {
    case 0: return 1
    case 1: return 10
    case 2: return 100
    case 3: return 1_000
    case 4: return 10_000
    case 5: return 100_000
    case 6: return 1_000_000
    case 7: return 10_000_000
    default: return 100_000_000
    }
}

/// The number written at `start`, read up to the first byte that cannot continue it, when it has the
/// common form that one exact operation converts: an optional sign, at most 19 digits with an optional
/// decimal point, an optional exponent, a mantissa of at most 2^53 and a power of ten within ±22 (Clinger
/// 1990, as in `parseDecimal`). Returns the value and where it stopped, or nil for anything else (more
/// digits, a larger exponent, no digits, `nan`, `inf`), which the caller reads with `parseDecimal`.
///
/// Up to eight digits are read at once from one 64-bit load (the SWAR method of Lemire's fast_float):
/// the number of leading digit bytes is found from a mask of the non-digit bytes, and the digits are
/// combined with three multiplications. Bytes are loaded only while at least eight remain before `end`.
@inline(__always)
func scanDecimal(_ start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> (
    value: Double, stop: UnsafePointer<UInt8>
)? {
    var position = start
    guard position < end else { return nil }
    let negative = position.pointee == UInt8(ascii: "-")
    if negative || position.pointee == UInt8(ascii: "+") { position += 1 }
    var mantissa: UInt64 = 0
    var digitCount = 0
    var fractionDigits = 0
    readDigits(&position, end: end, into: &mantissa, count: &digitCount)
    if position < end, position.pointee == UInt8(ascii: ".") {
        position += 1
        let before = digitCount
        readDigits(&position, end: end, into: &mantissa, count: &digitCount)
        fractionDigits = digitCount - before
    }
    guard digitCount > 0, digitCount <= 19 else { return nil }
    var exponent = -fractionDigits
    if position < end, position.pointee | 0x20 == UInt8(ascii: "e") {
        position += 1
        var exponentNegative = false
        if position < end, position.pointee == UInt8(ascii: "-") || position.pointee == UInt8(ascii: "+") {
            exponentNegative = position.pointee == UInt8(ascii: "-")
            position += 1
        }
        var written = 0
        var exponentDigits = 0
        while position < end, case let digit = position.pointee &- 48, digit < 10, exponentDigits < 4 {
            written = written * 10 + Int(digit)
            exponentDigits += 1
            position += 1
        }
        guard exponentDigits > 0, exponentDigits < 4 || !(position < end && position.pointee &- 48 < 10) else {
            return nil
        }
        exponent += exponentNegative ? -written : written
    }
    guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
    let value =
        exponent < 0 ? Double(mantissa) / exactPowerOfTen(-exponent) : Double(mantissa) * exactPowerOfTen(exponent)
    return (negative ? -value : value, position)
}

/// Reads the run of decimal digits at `position` (stopping after more than 19 of them, which the caller
/// rejects) onto `mantissa`, adding their number to `count`.
@inline(__always)
private func readDigits(
    _ position: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, into mantissa: inout UInt64, count: inout Int
) {
    while end - position >= 8 {
        let word = UInt64(littleEndian: UnsafeRawPointer(position).loadUnaligned(as: UInt64.self))
        let nonDigits = ((word &+ 0x4646_4646_4646_4646) | (word &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
        let digits = nonDigits.trailingZeroBitCount / 8
        guard digits > 0 else { return }
        count += digits
        guard count <= 19 else { return }
        mantissa =
            mantissa &* integerPowerOfTen(digits)
            &+ eightDigitsValue((word &- 0x3030_3030_3030_3030) << UInt64(64 - 8 * digits))
        position += digits
        if digits < 8 { return }
    }
    while position < end, case let digit = position.pointee &- 48, digit < 10 {
        count += 1
        guard count <= 19 else { return }
        mantissa = mantissa &* 10 &+ UInt64(digit)
        position += 1
    }
}

/// The number written by eight digit values (0 ... 9) in the bytes of `word`, the first (most
/// significant) in the lowest byte.
@inline(__always)
private func eightDigitsValue(_ word: UInt64) -> UInt64 {
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    let pairs = word &* 10 &+ (word >> 8)
    return ((pairs & mask) &* 0x000F_4240_0000_0064 &+ ((pairs >> 16) & mask) &* 0x0000_2710_0000_0001) >> 32
}

/// The number written in `count` bytes at `bytes` (no surrounding spaces): a decimal such as `-12`,
/// `0.5`, `1e-3` or `.25`, or `nan`, `inf`, `infinity` with an optional sign (returned as such, for the
/// caller to reject). Returns nil when the text is not a number.
///
/// Correctly rounded, as `strtod`: a mantissa of at most 19 digits that fits in 53 bits with a power of ten
/// of at most 22 is exact in one multiplication or division (Clinger 1990, "How to read floating point
/// numbers accurately"); anything else goes to the C library's `strtod`. Text longer than
/// `ReadingLimits.maximumNumberLength` is not a number (it is rejected before it is read: `strtod` takes
/// seconds over millions of digits).
func parseDecimal(_ bytes: UnsafePointer<UInt8>, count: Int) -> Double? {
    guard count > 0, count <= ReadingLimits.maximumNumberLength else { return nil }
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
        let value =
            exponent < 0 ? Double(mantissa) / exactPowerOfTen(-exponent) : Double(mantissa) * exactPowerOfTen(exponent)
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
    /// The text without its leading and trailing spaces (`CharacterSet.whitespaces`: the tab and Unicode's
    /// space separators); the text itself, without Foundation's copy through NSString, when it has none,
    /// which is what hundreds of thousands of labels usually are.
    package var trimmingSpaces: String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII ? scalar == " " || scalar == "\t" : scalar.properties.generalCategory == .spaceSeparator
        }
        guard let first = unicodeScalars.first, let last = unicodeScalars.last, isSpace(first) || isSpace(last) else {
            return self
        }
        return trimmingCharacters(in: .whitespaces)
    }

    /// The number this text holds (leading and trailing spaces allowed), by the CSV reader's rules.
    var decimalValue: Double? {
        let trimmed = trimmingSpaces
        var utf8 = Array(trimmed.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parseDecimal(base, count: buffer.count)
        }
    }
}
