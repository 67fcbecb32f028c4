/// Kindling's version, as printed by `kindling --version`.
public let kindlingVersion = "0.1.0"
