import CurriculumKit
import Synchronization

/// Lesson elements as HTML for learners: text through cmark's safe renderer, callouts as
/// labelled asides, facilitator notes left out.
enum LessonHTML {
    /// `key` makes the ids of reflection boxes unique on a page.
    static func render(_ elements: [Element], key: String = "x") -> String {
        var html = ""
        var prompts = 0
        for element in elements {
            switch element {
            case let .text(content):
                html += content.html
            case let .callout(kind, content):
                guard kind.isVisibleToLearners else { continue }
                let label = kind.label
                html += "<aside class=\"callout callout-\(kind.rawValue.lowercased())\" aria-label=\"\(label)\">"
                html += "<p class=\"callout-label\"><strong>\(label)</strong></p>\n" + content.html
                if kind == .discuss {
                    // A private reflection box: not in a form, so what is typed never leaves the device.
                    prompts += 1
                    let id = "reflect-\(key.filter { $0.isLetter || $0.isNumber || $0 == "-" })-\(prompts)"
                    html += "<label for=\"\(id)\" class=\"reflect-label\">Your thoughts (private: they stay on this page and are never sent or saved)</label>"
                    html += "<textarea id=\"\(id)\" class=\"reflect\" rows=\"3\"></textarea>\n"
                }
                html += "</aside>\n"
            }
        }
        return html
    }
}

/// A thread-safe memo of values by key, cleared when it grows past `limit`.
final class Memo<Value: Sendable>: Sendable {
    private let storage = Mutex<[String: Value]>([:])
    private let limit: Int

    init(limit: Int = .max) {
        self.limit = limit
    }

    /// The value stored under `key`, working it out with `make` the first time.
    func value(_ key: String, _ make: () -> Value) -> Value {
        if let hit = storage.withLock({ $0[key] }) { return hit }
        let value = make()
        storage.withLock {
            if $0.count >= limit { $0.removeAll(keepingCapacity: true) }
            $0[key] = value
        }
        return value
    }

    /// The value stored under `key`, if any.
    func stored(_ key: String) -> Value? { storage.withLock { $0[key] } }

    /// Stores a value.
    func store(_ key: String, _ value: Value) {
        storage.withLock {
            if $0.count >= limit { $0.removeAll(keepingCapacity: true) }
            $0[key] = value
        }
    }
}

/// Course HTML rendered once and kept: the course can't change while the server runs, so
/// each lesson, prompt and feedback block goes through cmark only the first time it's shown.
final class HTMLCache: Sendable {
    private let memo = Memo<String>()

    /// The HTML stored under `key`, rendering it with `render` the first time.
    func html(_ key: String, _ render: () -> String) -> String {
        memo.value(key, render)
    }
}
