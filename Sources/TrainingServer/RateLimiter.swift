import Foundation

/// Counts attempts per key (a client address) in a sliding window and refuses past a limit:
/// resume codes can't be guessed by trying many.
actor RateLimiter {
    private let limit: Int
    private let window: TimeInterval
    private var attempts: [String: [Date]] = [:]

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Records an attempt; returns false when the key has used up its attempts in the window.
    func allow(_ key: String, now: Date = Date()) -> Bool {
        let cutoff = now.addingTimeInterval(-window)
        var recent = (attempts[key] ?? []).filter { $0 > cutoff }
        guard recent.count < limit else {
            attempts[key] = recent
            return false
        }
        recent.append(now)
        attempts[key] = recent
        if attempts.count > 10_000 { attempts = attempts.filter { $0.value.contains { $0 > cutoff } } }
        return true
    }
}
