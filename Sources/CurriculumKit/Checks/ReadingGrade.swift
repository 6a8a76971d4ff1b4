/// Flesch–Kincaid grade level: 0.39 × words per sentence + 11.8 × syllables per word − 15.59.
///
/// Syllables are estimated by counting vowel groups (a, e, i, o, u, y), less a silent
/// final e; a block of text that doesn't end in . ! or ? still counts as one sentence
/// (headings, list items, options).
public struct ReadingGrade: Sendable, Equatable {
    /// Words counted.
    public var words = 0
    /// Sentences counted.
    public var sentences = 0
    /// Syllables counted.
    public var syllables = 0

    /// Creates an empty count.
    public init() {}

    /// The grade, or `nil` with no words.
    public var grade: Double? {
        guard words > 0 else { return nil }
        return 0.39 * Double(words) / Double(max(sentences, 1)) + 11.8 * Double(syllables) / Double(words) - 15.59
    }

    /// Adds one block of text (a paragraph, heading or list item).
    public mutating func add(block text: String) {
        var text = text
        text.withUTF8 { add(bytes: $0) }
    }

    mutating func add(bytes: UnsafeBufferPointer<UInt8>) {
        var wordsSinceStop = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if isLetter(b) {
                var vowels = 0
                var previousVowel = false
                var last: UInt8 = 0, beforeLast: UInt8 = 0
                var length = 0
                while i < n, isLetter(bytes[i]) || bytes[i] == 39 || (bytes[i] == 45 && i + 1 < n && isLetter(bytes[i + 1])) {
                    let c = bytes[i] | 0x20
                    let vowel = c == 97 || c == 101 || c == 105 || c == 111 || c == 117 || c == 121
                    if vowel && !previousVowel { vowels += 1 }
                    previousVowel = vowel
                    if bytes[i] != 39 { beforeLast = last; last = c; length += 1 }
                    i += 1
                }
                if last == 101, beforeLast != 108, vowels > 1, length > 2 { vowels -= 1 }
                syllables += max(1, vowels)
                words += 1
                wordsSinceStop += 1
                continue
            }
            if b >= 48 && b <= 57 {
                while i < n, (bytes[i] >= 48 && bytes[i] <= 57) || bytes[i] == 44 || bytes[i] == 46 && i + 1 < n && bytes[i + 1] >= 48 && bytes[i + 1] <= 57 { i += 1 }
                words += 1
                syllables += 1
                wordsSinceStop += 1
                continue
            }
            if (b == 46 || b == 33 || b == 63) && wordsSinceStop > 0 {
                sentences += 1
                wordsSinceStop = 0
            }
            i += 1
        }
        if wordsSinceStop > 0 { sentences += 1 }
    }

    @inline(__always) private func isLetter(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b >= 0xC0
    }
}

extension ReadingGrade {
    /// Counts a document's readable text: paragraphs and headings (code and raw HTML left out).
    /// Returns the whole count and the line of the hardest block of 10 words or more.
    static func measure(_ document: MarkdownDocument) -> (ReadingGrade, hardestLine: Int?) {
        var total = ReadingGrade()
        var hardest: (grade: Double, line: Int)?
        for (index, node) in document.nodes.enumerated() {
            switch node.kind {
            case .paragraph, .heading:
                var block = ReadingGrade()
                var text = ""
                var i = index + 1
                while i < node.subtreeEnd {
                    let child = document.nodes[i]
                    switch child.kind {
                    case .text, .code: text += child.literal
                    case .softBreak, .lineBreak: text += " "
                    default: break
                    }
                    i += 1
                }
                block.add(block: text)
                total.words += block.words
                total.sentences += block.sentences
                total.syllables += block.syllables
                if block.words >= 10, let grade = block.grade, let line = node.range?.start.line,
                   grade > (hardest?.grade ?? -Double.infinity) {
                    hardest = (grade, line)
                }
            default:
                break
            }
        }
        return (total, hardest?.line)
    }
}
