import Foundation
import KindlingCore
import Synchronization

/// A function called after a module's forward computation with the module, its input and its output
/// (PyTorch's `register_forward_hook`; it observes, it does not replace the output).
public typealias ForwardHook<Scalar: TensorScalar> = (
    _ module: any Module<Scalar>, _ input: Tensor<Scalar>,
    _ output: Tensor<Scalar>
) -> Void

/// A function called during `backward()` with the module, the gradient of the loss with respect to the
/// module's input (nil when the input does not require gradients, as PyTorch passes None) and with respect
/// to its output (PyTorch's `register_full_backward_hook`).
public typealias BackwardHook<Scalar: TensorScalar> = (
    _ module: any Module<Scalar>, _ inputGradient: Tensor<Scalar>?,
    _ outputGradient: Tensor<Scalar>
) -> Void

/// What `registerForwardHook` and `registerBackwardHook` return: `remove()` unregisters the hook (PyTorch's
/// `RemovableHandle`). Dropping the handle leaves the hook in place.
public final class HookHandle: Sendable {
    let identifier: UInt64

    package init(identifier: UInt64) { self.identifier = identifier }

    /// Unregisters the hook; removing it twice does nothing.
    public func remove() { moduleHooks.remove(identifier) }
}

extension Module {
    /// Registers `hook` to run after each call of this module through `callWithHooks` (which `Sequential`
    /// uses for its layers), in registration order, and returns the handle that removes it.
    ///
    /// ```swift
    /// let handle = model.layers[0].registerForwardHook { _, _, output in print(output.shape) }
    /// _ = model(x)          // prints the first layer's output shape
    /// handle.remove()
    /// ```
    @discardableResult
    public func registerForwardHook(_ hook: @escaping ForwardHook<Scalar>) -> HookHandle {
        moduleHooks.add(.forward(hook), to: self)
    }

    /// Registers `hook` to run during `backward()` once the gradients with respect to this module's output
    /// and input of a call through `callWithHooks` are known, and returns the handle that removes it.
    @discardableResult
    public func registerBackwardHook(_ hook: @escaping BackwardHook<Scalar>) -> HookHandle {
        moduleHooks.add(.backward(hook), to: self)
    }

    /// This module applied to `input` with its hooks, as PyTorch's `module(x)` (while `callAsFunction`
    /// is PyTorch's bare `forward`). Containers call their children through it so that hooks fire; a
    /// module of your own should do the same for children whose hooks you want to see.
    ///
    /// A backward hook observes gradients through identity operations recorded on the input and the
    /// output; with no hook registered anywhere this is one atomic load, then `self(input)`.
    public func callWithHooks(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        guard moduleHooks.isActive, let hooks = moduleHooks.hooks(of: self, as: Scalar.self) else {
            return self(input)
        }
        let gradients = BackwardHookState<Scalar>(module: self, hooks: hooks.backward)
        var x = input
        if !hooks.backward.isEmpty && Tensor.recording(input) {
            gradients.expectsInputGradient = true
            x = input.observingGradient("input hook") { gradients.fire(inputGradient: $0) }
        }
        var output = self(x)
        for hook in hooks.forward { hook(self, input, output) }
        if !hooks.backward.isEmpty && Tensor.recording(output) {
            output = output.observingGradient("output hook") { gradients.receive(outputGradient: $0) }
        }
        return output
    }
}

extension Tensor {
    /// The same values through an identity operation whose backward shows the gradient to `observe`.
    func observingGradient(_ operation: String, _ observe: @escaping (Tensor) -> Void) -> Tensor {
        Tensor.record(operation, detached(), inputs: [self]) { gradient in
            observe(gradient)
            return [gradient]
        }
    }
}

/// Holds the output gradient of one hooked call until the input gradient arrives.
private final class BackwardHookState<Scalar: TensorScalar> {
    package let module: any Module<Scalar>
    let hooks: [BackwardHook<Scalar>]
    var expectsInputGradient = false
    var outputGradient: Tensor<Scalar>?

    init(module: any Module<Scalar>, hooks: [BackwardHook<Scalar>]) {
        self.module = module
        self.hooks = hooks
    }

    func receive(outputGradient gradient: Tensor<Scalar>) {
        outputGradient = gradient
        if !expectsInputGradient { fire(inputGradient: nil) }
    }

    func fire(inputGradient: Tensor<Scalar>?) {
        guard let outputGradient else { return }
        for hook in hooks { hook(module, inputGradient, outputGradient) }
        self.outputGradient = nil
    }
}

/// Every registered hook, by module: a registry beside the modules, so that modules need no storage of
/// their own for hooks. Entries hold their module weakly and are dropped when it is gone.
let moduleHooks = HookRegistry()

final class HookRegistry: @unchecked Sendable {
    enum Hook {
        case forward(Any)
        case backward(Any)
    }

    struct Entry {
        let identifier: UInt64
        weak var module: AnyObject?
        let hook: Hook
    }

    struct State {
        var entries: [ObjectIdentifier: [Entry]] = [:]
        var lastIdentifier: UInt64 = 0
    }

    private let lock = NSLock()
    private var state = State()
    private let count = Atomic<Int>(0)

    /// True when some hook is registered (the fast path of `callWithHooks` checks only this).
    var isActive: Bool { count.load(ordering: .acquiring) > 0 }

    func add(_ hook: Hook, to module: AnyObject) -> HookHandle {
        let identifier = lock.withLock { () -> UInt64 in
            state.lastIdentifier += 1
            let key = ObjectIdentifier(module)
            let live = (state.entries[key] ?? []).filter { $0.module === module }
            state.entries[key] = live + [Entry(identifier: state.lastIdentifier, module: module, hook: hook)]
            count.store(state.entries.values.reduce(0) { $0 + $1.count }, ordering: .releasing)
            return state.lastIdentifier
        }
        return HookHandle(identifier: identifier)
    }

    package func remove(_ identifier: UInt64) {
        lock.withLock {
            for (key, entries) in state.entries where entries.contains(where: { $0.identifier == identifier }) {
                let rest = entries.filter { $0.identifier != identifier && $0.module != nil }
                state.entries[key] = rest.isEmpty ? nil : rest
            }
            count.store(state.entries.values.reduce(0) { $0 + $1.count }, ordering: .releasing)
        }
    }

    /// The forward and backward hooks of `module`, in registration order; nil when it has none.
    func hooks<Scalar: TensorScalar>(of module: any Module<Scalar>, as _: Scalar.Type)
        -> (forward: [ForwardHook<Scalar>], backward: [BackwardHook<Scalar>])?
    {
        let entries = lock.withLock {
            (state.entries[ObjectIdentifier(module)] ?? []).filter { $0.module === module }
        }
        guard !entries.isEmpty else { return nil }
        var forward: [ForwardHook<Scalar>] = []
        var backward: [BackwardHook<Scalar>] = []
        for entry in entries {
            switch entry.hook {
            case .forward(let hook): forward.append(hook as! ForwardHook<Scalar>)
            case .backward(let hook): backward.append(hook as! BackwardHook<Scalar>)
            }
        }
        return (forward, backward)
    }
}
