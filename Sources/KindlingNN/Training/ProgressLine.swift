import Foundation
import KindlingCore

/// A one-line progress display on standard error ("step 1200/15000  8%  loss 0.612"), redrawn in place
/// about 200 times per run; silent unless enabled and standard error is a terminal, so logs and pipes
/// stay clean.
package struct ProgressLine {
    private let total: Int
    private let interval: Int
    private let active: Bool
    private var drawn = false

    package init(total: Int, enabled: Bool) {
        self.total = total
        interval = Swift.max(1, total / 200)
        active = enabled && total > 0 && isatty(2) != 0
    }

    package mutating func update(step: Int, loss: Double) {
        guard active, step % interval == 0 || step == total else { return }
        let percent = 100 * step / total
        write("\r\u{1B}[2Kstep \(step)/\(total)  \(percent)%  loss \(String(format: "%.6g", loss))")
        drawn = true
    }

    /// Clears the line if it is drawn.
    package mutating func finish() {
        if drawn { write("\r\u{1B}[2K") }
        drawn = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
