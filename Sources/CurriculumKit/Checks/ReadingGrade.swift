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
        Self.classes.withUnsafeBufferPointer { classes in add(bytes: bytes, classes: classes) }
    }

    private static let letter: UInt8 = 1, vowel: UInt8 = 2, digit: UInt8 = 4, stop: UInt8 = 8

    /// What each byte is to the counter: a letter (a–z, A–Z, or a byte from 0xC0 up), a
    /// vowel (a, e, i, o, u, y), a digit, or a sentence stop (. ! ?).
    private static let classes: [UInt8] = (0...255).map { (b: Int) -> UInt8 in
        var c: UInt8 = 0
        if (97...122).contains(b) || (65...90).contains(b) || b >= 0xC0 { c |= letter }
        if "aeiouyAEIOUY".utf8.contains(UInt8(b)) { c |= vowel }
        if (48...57).contains(b) { c |= digit }
        if b == 46 || b == 33 || b == 63 { c |= stop }
        return c
    }

    private mutating func add(bytes: UnsafeBufferPointer<UInt8>, classes: UnsafeBufferPointer<UInt8>) {
        var wordsSinceStop = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            let kind = classes[Int(b)]
            if kind & Self.letter != 0 {
                var vowels = 0
                var previousVowel = false
                var last: UInt8 = 0, beforeLast: UInt8 = 0
                var length = 0
                while i < n {
                    let c = bytes[i]
                    let k = classes[Int(c)]
                    if k & Self.letter == 0 {
                        // An apostrophe, or a hyphen before a letter, keeps the word going.
                        if c == 39 {
                            previousVowel = false
                            i += 1
                            continue
                        }
                        guard c == 45, i + 1 < n, classes[Int(bytes[i + 1])] & Self.letter != 0 else { break }
                    }
                    let isVowel = k & Self.vowel != 0
                    if isVowel && !previousVowel { vowels += 1 }
                    previousVowel = isVowel
                    beforeLast = last
                    last = c | 0x20
                    length += 1
                    i += 1
                }
                if last == 101, beforeLast != 108, vowels > 1, length > 2 { vowels -= 1 }
                syllables += max(1, vowels)
                words += 1
                wordsSinceStop += 1
                continue
            }
            if kind & Self.digit != 0 {
                while i < n, classes[Int(bytes[i])] & Self.digit != 0 || bytes[i] == 44
                    || bytes[i] == 46 && i + 1 < n && classes[Int(bytes[i + 1])] & Self.digit != 0 { i += 1 }
                words += 1
                syllables += 1
                wordsSinceStop += 1
                continue
            }
            if kind & Self.stop != 0 && wordsSinceStop > 0 {
                sentences += 1
                wordsSinceStop = 0
            }
            i += 1
        }
        if wordsSinceStop > 0 { sentences += 1 }
    }
}

extension ReadingGrade {
    /// Counts a document's readable text: paragraphs and headings (code and raw HTML left out).
    /// Returns the whole count and the line of the hardest block of 10 words or more.
    static func measure(_ document: MarkdownDocument) -> (ReadingGrade, hardestLine: Int?) {
        var total = ReadingGrade()
        var hardest: (grade: Double, line: Int)?
        var text: [UInt8] = []
        for index in document.nodes.indices {
            let tag = document.tag(of: index)
            guard tag == .paragraph || tag == .heading else { continue }
            var block = ReadingGrade()
            let end = document.subtreeEnd(of: index)
            if end == index + 2, document.tag(of: index + 1) == .text || document.tag(of: index + 1) == .code {
                // One text node (most paragraphs): count its bytes where they are.
                var literal = document.nodes[index + 1].literal
                literal.withUTF8 { block.add(bytes: $0) }
            } else {
                text.removeAll(keepingCapacity: true)
                for i in index + 1..<max(index + 1, end) {
                    document.withNode(i) { node in
                        switch node.kind {
                        case .text, .code: text.append(contentsOf: node.literal.utf8)
                        case .softBreak, .lineBreak: text.append(32)
                        default: break
                        }
                    }
                }
                text.withUnsafeBufferPointer { block.add(bytes: $0) }
            }
            total.words += block.words
            total.sentences += block.sentences
            total.syllables += block.syllables
            if block.words >= 10, let grade = block.grade, let line = document.range(of: index)?.start.line,
               grade > (hardest?.grade ?? -Double.infinity) {
                hardest = (grade, line)
            }
        }
        return (total, hardest?.line)
    }
}
