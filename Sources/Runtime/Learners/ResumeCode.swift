import Crypto
import Foundation

/// The four words a learner types to pick up where they left off, on any device:
/// for example `maple-river-candle-seven`.
///
/// Each word is one of 2,048, drawn with the system's secure random generator, so a code
/// carries 44 bits: guessing one by trying codes is hopeless when attempts are rate-limited.
/// Only a keyed digest of the code is stored.
public struct ResumeCode: Sendable, Hashable, CustomStringConvertible {
    /// How many words a code has.
    public static let wordCount = 4

    /// The words, lowercase.
    public let words: [String]

    /// The code as shown: words joined by hyphens.
    public var description: String { words.joined(separator: "-") }

    /// A new random code.
    public static func generate() -> ResumeCode {
        var rng = SystemRandomNumberGenerator()
        return generate(using: &rng)
    }

    /// A new code from `rng` (tests pass a seeded generator).
    public static func generate<G: RandomNumberGenerator>(using rng: inout G) -> ResumeCode {
        let all = ResumeWords.all
        return ResumeCode(checkedWords: (0..<wordCount).map { _ in all[Int.random(in: 0..<all.count, using: &rng)] })
    }

    private init(checkedWords: [String]) {
        words = checkedWords
    }

    /// Reads a code as a person types it: any case, words separated by hyphens, spaces,
    /// dots or commas. Fails with a message naming the word that isn't in the list.
    public static func parse(_ text: String) -> Result<ResumeCode, RecordsError> {
        let words = text.lowercased()
            .split(whereSeparator: { !$0.isLetter })
            .map(String.init)
        guard words.count == wordCount else {
            return .failure(RecordsError(.malformedCode,
                                         "a resume code is \(wordCount) words, and this has \(words.count)",
                                         hint: "type the four words you were given, for example maple-river-candle-seven"))
        }
        for word in words where !ResumeWords.contains(word) {
            return .failure(RecordsError(.malformedCode, "'\(word)' isn't one of the words resume codes are made of",
                                         hint: "check the spelling of each word; codes use short everyday words"))
        }
        return .success(ResumeCode(checkedWords: words))
    }
}

extension ResumeWords {
    private static let set = Set(all)

    /// Whether `word` is in the list.
    static func contains(_ word: String) -> Bool { set.contains(word) }
}

/// Turns resume codes into the digests stored in place of them: HMAC-SHA256 under a key
/// kept in the data folder, so a copied database alone can't be searched for codes.
public struct ResumeCodeHasher: Sendable {
    private let key: SymmetricKey

    /// A hasher with a key (32 random bytes from the data folder's `secret.key`).
    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    /// The digest stored for `code`, as hex.
    public func digest(_ code: ResumeCode) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(code.description.utf8), using: key)
        return Hex.encode(mac)
    }
}
