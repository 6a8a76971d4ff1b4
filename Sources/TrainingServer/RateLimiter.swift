import Foundation
import Logging
import Runtime

/// Counts failures (wrong resume codes, wrong passwords) per key in a sliding window, and
/// across the whole site, and refuses further tries past either limit. Successes cost
/// nothing: people who know their code are never held up by people who don't.
///
/// With a store, the failures are kept there, under `scope`, so every server on one
/// database counts the same tries; if the store can't be reached, this process's own count
/// stands in until it can.
actor FailureLimiter {
    private let perKey: Int
    private let siteWide: Int
    private let window: TimeInterval
    private let scope: String
    private let store: (any RateLimitStore)?
    private let logger = Logger(label: "groundwork.rate-limit")
    private var failures: [String: [Date]] = [:]
    private var siteFailures: [Date] = []

    /// `perKey` failures per key and `siteWide` in all, within `window` seconds, counted in
    /// `store` under `scope` when a store is given, else in this process.
    init(perKey: Int, siteWide: Int, window: TimeInterval, scope: String = "", store: (any RateLimitStore)? = nil) {
        self.perKey = perKey
        self.siteWide = siteWide
        self.window = window
        self.scope = scope
        self.store = store
    }

    /// Whether `key` (or the whole site) has used up its failures in the window.
    func isBlocked(_ key: String, now: Date = Date()) async -> Bool {
        if let store {
            do {
                let counts = try await store.failureCounts(scope: scope, key: key, since: now.addingTimeInterval(-window))
                return counts.scope >= siteWide || counts.key >= perKey
            } catch {
                logger.warning("rate limit falls back to this server's own count", metadata: ["error": "\(error)"])
            }
        }
        return isBlockedHere(key, now: now)
    }

    private func isBlockedHere(_ key: String, now: Date) -> Bool {
        let cutoff = now.addingTimeInterval(-window)
        siteFailures.removeAll { $0 <= cutoff }
        if siteFailures.count >= siteWide { return true }
        let recent = (failures[key] ?? []).filter { $0 > cutoff }
        failures[key] = recent.isEmpty ? nil : recent
        return recent.count >= perKey
    }

    /// Records a failure for `key`.
    func recordFailure(_ key: String, now: Date = Date()) async {
        if let store {
            do {
                try await store.recordFailure(scope: scope, key: key, at: now, forgetBefore: now.addingTimeInterval(-window))
                return
            } catch {
                logger.warning("rate limit falls back to this server's own count", metadata: ["error": "\(error)"])
            }
        }
        failures[key, default: []].append(now)
        siteFailures.append(now)
        if failures.count > 50_000 {
            let cutoff = now.addingTimeInterval(-window)
            failures = failures.filter { $0.value.contains { $0 > cutoff } }
        }
    }
}

/// Who a request comes from, for rate limits: the client's IP address, an IPv6 address
/// reduced to its /64 (one household or phone gets a whole /64, so each address in it is
/// the same client), and behind a reverse proxy the address the proxy saw, taken from
/// `X-Forwarded-For` only when the connection comes from a proxy named with `--trusted-proxy`.
enum ClientAddress {
    /// The rate-limit key for a connection from `peer` carrying `forwardedFor`.
    static func key(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        guard var address = peer.map(normalise) else { return "unknown" }
        if trustedProxies.contains(address), let forwardedFor {
            // Rightmost first: each proxy appends the address it saw. Skip our own proxies.
            let hops = forwardedFor.split(separator: ",").map { normalise($0.trimmingCharacters(in: .whitespaces)) }
            if let client = hops.reversed().first(where: { !trustedProxies.contains($0) && !$0.isEmpty }) {
                address = client
            }
        }
        return prefix(address)
    }

    /// Lower case, without brackets, a port or an IPv4-mapped prefix.
    static func normalise(_ text: String) -> String {
        var address = text.lowercased()
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            address = String(address[address.index(after: address.startIndex)..<end])
        } else if address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {
            address = String(address[..<colon])  // an IPv4 address with a port
        }
        if address.hasPrefix("::ffff:"), address.contains(".") { address = String(address.dropFirst(7)) }
        return address
    }

    /// An IPv6 address's first 64 bits (`2001:db8:1:2::/64`); an IPv4 address as it is.
    static func prefix(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var groups: [String]
        if let gap = address.range(of: "::") {
            let head = address[..<gap.lowerBound].split(separator: ":").map(String.init)
            let tail = address[gap.upperBound...].split(separator: ":").map(String.init)
            groups = head + Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) + tail
        } else {
            groups = address.split(separator: ":").map(String.init)
        }
        guard groups.count >= 4 else { return address }
        return groups.prefix(4).map { String(Int($0, radix: 16) ?? 0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
