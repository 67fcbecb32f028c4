// The benchmark runner behind Scripts/bench: prints Kindling's timings as JSON lines that the script
// puts side by side with the references.
import Foundation
import Kindling

print("{\"kindling\": \"\(kindlingVersion)\"}")
