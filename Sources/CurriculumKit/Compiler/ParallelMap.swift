import Dispatch
import Foundation
import Synchronization

/// Runs independent pieces of work (one per module file) on all cores, results in input
/// order, so output never depends on scheduling.
enum ParallelMap {
    /// `transform` applied to every item; concurrently when `parallel` and there is more
    /// than one item and more than one core.
    static func map<Item: Sendable, Result: Sendable>(_ items: [Item], parallel: Bool,
                                                      _ transform: @Sendable (Item) -> Result) -> [Result] {
        guard parallel, items.count > 1, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            return items.map(transform)
        }
        let slots = Mutex<[Result?]>(Array(repeating: nil, count: items.count))
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            let result = transform(items[index])
            slots.withLock { $0[index] = result }
        }
        let results = slots.withLock { $0.compactMap { $0 } }
        precondition(results.count == items.count, "every item is transformed exactly once")
        return results
    }
}
