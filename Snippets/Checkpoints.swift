// safetensors checkpoints under PyTorch's state-dict keys: strict loading, or loading what fits.
import Foundation
import Kindling

// snippet.hide
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kindling-snippet-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let url = folder.appendingPathComponent("model.safetensors")
let model = Sequential<Double>(Linear(4, 3), BatchNorm1d(3), ReLU(), Linear(3, 2))
let other = Sequential<Double>(Linear(4, 3), BatchNorm1d(3), ReLU(), Linear(3, 2))
// snippet.show
try model.save(to: url, metadata: ["epoch": "3"])
try model.load(from: url)  // strict: every key, every shape
let result = try model.load(from: url, strict: false)  // loads what fits, returns the rest:
print(result.missingKeys, result.unexpectedKeys, result.shapeMismatches, result.loadedKeys)
try other.loadStateDictionary(model.stateDictionary)  // the same, between models in memory
