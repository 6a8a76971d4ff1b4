import Foundation

/// A `###` block as the compiler first reads it: a question, or a scenario ending.
struct ParsedQuestion {
    var slug: String
    var title: String
    var question: Question?
    var narrative: [Element]
    var position: SourcePosition
}

/// An answer-list item with its marker, read once and used by classification and options.
struct MarkedItem {
    var item: Int
    var marker: ItemMarker
    /// The marker's length in characters.
    var length: Int
    /// The plain text of the item's first paragraph.
    var text: String
}

/// What an answer-list item's leading marker says.
enum ItemMarker: Equatable {
    case choice(weight: Int, correct: Bool, critical: Bool)
    case box(checked: Bool, critical: Bool)
    case accepted
    case pair
    case plain
    /// A marker that looks meant but is wrong (for example a weight over 100%).
    case invalid(String, hint: String)

    var family: String {
        switch self {
        case .choice: return "( )"
        case .box: return "[ ]"
        case .accepted: return "= answer"
        case .pair: return "left -> right"
        case .plain: return "plain"
        case .invalid: return "invalid"
        }
    }

    /// Reads the marker at the start of an item's text; returns it with its length in characters.
    static func read(_ text: String) -> (ItemMarker, Int) {
        var text = text
        let fast = text.withUTF8 { bytes -> (ItemMarker, Int)? in
            // The marker is read from the first 12 characters; when the first 13 bytes are
            // ASCII other than CR, each of those characters is one byte.
            let window = Bytes.slice(bytes, 0, min(bytes.count, 13))
            guard Bytes.isASCII(window), !window.contains(13) else { return nil }
            return read(ascii: bytes)
        }
        return fast ?? readUnicode(text)
    }

    private static let pairArrows: [[UInt8]] = [Array(" -> ".utf8), Array(" → ".utf8)]

    static func outOfRange(_ weight: Int) -> ItemMarker {
        .invalid("the weight \(weight)% is outside 0–100%", hint: "use a weight from (0%) to (100%), or (x) for the right answer")
    }

    static let weightedCritical = ItemMarker.invalid(
        "a weighted option can't be critical", hint: "use (x!) for an option that must be chosen, or ( !) for one that must never be")

    static func notWhole(_ body: String) -> ItemMarker {
        .invalid("the weight \(body) is not a whole percent", hint: "use a whole percent such as (50%)")
    }

    /// ``read(_:)`` for text whose first 13 bytes are ASCII (not CR), on its bytes.
    private static func read(ascii text: UnsafeBufferPointer<UInt8>) -> (ItemMarker, Int) {
        let n = text.count
        if n >= 1, text[0] == UInt8(ascii: "="), n == 1 || text[1] == 32 { return (.accepted, 1) }
        if n >= 1, text[0] == UInt8(ascii: "(") || text[0] == UInt8(ascii: "["), let marker = bracketed(ascii: text) {
            return marker
        }
        if ByteSearch.find(pairArrows[0], in: text, last: false) != nil || ByteSearch.find(pairArrows[1], in: text, last: false) != nil {
            return (.pair, 0)
        }
        return (.plain, 0)
    }

    /// `(x)`, `( !)`, `(50%)`, `[ ]`, `[x!]`… at the start of ASCII text.
    private static func bracketed(ascii text: UnsafeBufferPointer<UInt8>) -> (ItemMarker, Int)? {
        let isBox = text[0] == UInt8(ascii: "[")
        let closeByte = isBox ? UInt8(ascii: "]") : UInt8(ascii: ")")
        let limit = min(text.count, 12)
        guard let close = Bytes.slice(text, 0, limit).firstIndex(of: closeByte), close >= 2 || (close == 1 && isBox) else {
            return nil
        }
        let inner = Bytes.slice(text, 1, close)
        let followed = close + 1 >= limit || text[close + 1] == 32 || text[close + 1] == 9
        var body = Bytes.trimmed(inner)
        let critical = body.last == UInt8(ascii: "!")
        if critical { body = Bytes.trimmed(Bytes.slice(body, 0, body.count - 1)) }
        let length = close + 1
        let blank = body.isEmpty && (inner.contains(32) || critical) && followed
        let isX = body.count == 1 && body[0] | 0x20 == UInt8(ascii: "x") && followed
        if isBox {
            if blank { return (.box(checked: false, critical: critical), length) }
            if isX { return (.box(checked: true, critical: critical), length) }
            return nil
        }
        if blank { return (.choice(weight: 0, correct: false, critical: critical), length) }
        if isX { return (.choice(weight: 100, correct: true, critical: critical), length) }
        guard body.last == UInt8(ascii: "%"), followed else { return nil }
        let number = Bytes.string(Bytes.trimmed(Bytes.slice(body, 0, body.count - 1)))
        if let weight = Int(number) {
            if !(0...100).contains(weight) { return (outOfRange(weight), length) }
            if critical { return (weightedCritical, length) }
            return (.choice(weight: weight, correct: false, critical: false), length)
        }
        if Double(number) != nil { return (notWhole(Bytes.string(body)), length) }
        return nil
    }

    /// The general (Unicode) form of ``read(_:)``.
    private static func readUnicode(_ text: String) -> (ItemMarker, Int) {
        if text.hasPrefix("= ") || text == "=" { return (.accepted, 1) }
        if let first = text.first, first == "(" || first == "[" {
            let closeChar: Character = first == "(" ? ")" : "]"
            let chars = Array(text.prefix(12))
            if let close = chars.firstIndex(of: closeChar), close >= 2 || (close == 1 && first == "[") {
                let inner = String(chars[1..<close])
                let followed = close + 1 >= chars.count || chars[close + 1] == " " || chars[close + 1] == "\t"
                var body = inner.trimmed
                let critical = body.hasSuffix("!")
                if critical { body = String(body.dropLast()).trimmed }
                let length = close + 1
                if first == "[" {
                    if body.isEmpty && (inner.contains(" ") || critical) && followed { return (.box(checked: false, critical: critical), length) }
                    if body.lowercased() == "x" && followed { return (.box(checked: true, critical: critical), length) }
                } else {
                    if body.isEmpty && (inner.contains(" ") || critical) && followed { return (.choice(weight: 0, correct: false, critical: critical), length) }
                    if body.lowercased() == "x" && followed { return (.choice(weight: 100, correct: true, critical: critical), length) }
                    if body.hasSuffix("%"), followed {
                        let number = body.dropLast().trimmed
                        if let weight = Int(number) {
                            if !(0...100).contains(weight) { return (outOfRange(weight), length) }
                            if critical { return (weightedCritical, length) }
                            return (.choice(weight: weight, correct: false, critical: false), length)
                        }
                        if Double(number) != nil { return (notWhole(body), length) }
                    }
                }
            }
        }
        if text.containsText(" -> ") || text.containsText(" → ") { return (.pair, 0) }
        return (.plain, 0)
    }
}

extension ModuleCompiler {
    // MARK: - Questions

    mutating func parseQuestion(moduleID: String, heading: Int, blocks: ArraySlice<Int>, inScenario: Bool) -> ParsedQuestion? {
        let headingPosition = position(heading)
        let raw = document.plainText(of: heading).trimmed
        let (title, customID) = Slug.splitCustomID(raw)
        if let customID, !Slug.isValidID(customID) {
            sink.error("question.id", at: headingPosition, "the id {#\(customID)} may only use lower-case letters, digits, - and _",
                       hint: "write it like {#weighing-options}")
        }
        let slug = customID.flatMap { Slug.isValidID($0) ? $0 : nil } ?? Slug.make(Slug.splitCustomID(idText(of: heading)).0)
        if slug.isEmpty {
            sink.error("question.empty-heading", at: headingPosition, "this question heading has no text to make an id from",
                       hint: "write the question's title after ###, or add {#an-id}")
        }
        let id = "\(moduleID)/\(slug)"

        var checkBlocks: [Int] = []
        var contentBlocks: [Int] = []
        contentBlocks.reserveCapacity(blocks.count)
        for block in blocks {
            let isCheck = document.withNode(block) { node in
                if case let .codeBlock(info) = node.kind { return Self.isCheckInfo(info) }
                return false
            }
            if isCheck {
                checkBlocks.append(block)
            } else {
                contentBlocks.append(block)
            }
        }

        // The answer list: the last list with explicit markers; failing that, the last
        // ordered list of plain items (an ordering question).
        var chosen: (index: Int, kind: Question.Kind, markers: [MarkedItem])?
        var fallback: (index: Int, kind: Question.Kind, markers: [MarkedItem])?
        for (offset, block) in contentBlocks.enumerated() {
            let ordered = document.withNode(block) { node -> Bool? in
                if case let .list(ordered, _, _, _) = node.kind { return ordered }
                return nil
            }
            guard let ordered else { continue }
            guard let classified = classify(list: block, ordered: ordered) else { continue }
            if classified.kind == .ordering {
                fallback = (offset, classified.kind, classified.markers)
            } else {
                chosen = (offset, classified.kind, classified.markers)
            }
        }
        let answer = chosen ?? fallback

        // `- option`, then `> feedback` at the start of the line, then more options: the
        // unindented quote ended the list, so the options were split in two.
        if contentBlocks.count >= 3 {
            for offset in 1..<(contentBlocks.count - 1) where document.tag(of: contentBlocks[offset]) == .blockQuote {
                let before = contentBlocks[offset - 1], after = contentBlocks[offset + 1]
                guard document.tag(of: before) == .list, document.tag(of: after) == .list else { continue }
                sink.warning("option.feedback-not-indented", at: position(contentBlocks[offset]),
                             "this feedback is not indented under its option, so it splits the answer list in two",
                             hint: "indent it two spaces, `  > text`, so it belongs to the option above")
            }
        }

        guard let answer else {
            if inScenario {
                if !checkBlocks.isEmpty {
                    sink.error("check.no-answers", at: position(checkBlocks[0]),
                               "this check block belongs to a scenario ending, which has no answer list",
                               hint: "remove the check block, or add an answer list to make this step a question")
                }
                return ParsedQuestion(slug: slug, title: title, question: nil, narrative: elements(contentBlocks), position: headingPosition)
            }
            sink.error("question.no-answers", at: headingPosition,
                       "the question '\(title)' has no answer list",
                       hint: "add a list of options such as `- (x) right` and `- ( ) wrong`, or use #### for a lesson sub-heading")
            return nil
        }

        let listBlock = contentBlocks[answer.index]
        let prompt = contentBlocks[..<answer.index]
        let explanation = contentBlocks[(answer.index + 1)...]
        var question = Question(
            id: id, title: title, kind: answer.kind, prompt: elements(prompt), options: [], matchTargets: [],
            acceptedAnswers: [], explanation: elements(explanation), checks: [], position: headingPosition, hash: ""
        )
        buildOptions(&question, markers: answer.markers, inScenario: inScenario)
        validate(question, list: listBlock)
        for block in checkBlocks {
            question.checks += parseChecks(block, for: question)
        }
        var lastLine = headingPosition.line
        if let last = blocks.last { lastLine = endLine(last) }
        question.hash = ContentHash.sha256(prefix: id + "\n", file.lines(headingPosition.line, through: lastLine))
        return ParsedQuestion(slug: slug, title: title, question: question, narrative: [], position: headingPosition)
    }

    /// Whether a code block's info string names a `check` block (its first word, any case).
    static func isCheckInfo(_ info: String) -> Bool {
        var info = info
        let ascii = info.withUTF8 { bytes -> Bool? in
            guard Bytes.isASCII(bytes) else { return nil }
            var start = 0
            while start < bytes.count, bytes[start] == 32 { start += 1 }
            var end = start
            while end < bytes.count, bytes[end] != 32 { end += 1 }
            return Bytes.equalsIgnoringCase(Bytes.slice(bytes, start, end), "check")
        }
        return ascii ?? (info.split(separator: " ").first.map(String.init)?.lowercased() == "check")
    }

    /// Text of an item's first paragraph (or "" when it starts with something else).
    private func firstParagraph(of item: Int) -> Int? {
        let first = item + 1
        guard first < document.subtreeEnd(of: item), document.tag(of: first) == .paragraph else { return nil }
        return first
    }

    /// Classifies a list's items; `nil` when it is an ordinary list, not an answer list.
    private mutating func classify(list: Int, ordered: Bool) -> (kind: Question.Kind, markers: [MarkedItem])? {
        var markers: [MarkedItem] = []
        markers.reserveCapacity(document.childCount(of: list))
        var item = list + 1
        let end = document.subtreeEnd(of: list)
        while item < end {
            let text: String
            if let paragraph = firstParagraph(of: item) { text = document.plainText(of: paragraph) } else { text = "" }
            let (marker, length) = ItemMarker.read(text)
            markers.append(MarkedItem(item: item, marker: marker, length: length, text: text))
            item = document.subtreeEnd(of: item)
        }
        let firstExplicit = markers.first {
            switch $0.marker {
            case .choice, .box, .accepted, .invalid: return true
            default: return false
            }
        }
        guard let firstExplicit else {
            let pairs = markers.reduce(0) { $0 + ($1.marker == .pair ? 1 : 0) }
            if pairs > 0, pairs * 2 >= markers.count, !ordered {
                for marked in markers where marked.marker != .pair {
                    sink.error("matching.no-arrow", at: position(marked.item), "this matching item has no `->` between its two sides",
                               hint: "write it as `- left side -> right side`")
                }
                return (.matching, markers)
            }
            return ordered && !markers.isEmpty ? (.ordering, markers) : nil
        }
        // Explicit markers: every item must use the same family.
        let family = firstExplicit.marker
        let kind: Question.Kind
        switch family {
        case .choice: kind = .singleChoice
        case .box: kind = .selectAll
        case .accepted: kind = .shortAnswer
        default: kind = .singleChoice
        }
        for marked in markers {
            let (item, marker) = (marked.item, marked.marker)
            if case let .invalid(message, hint) = marker {
                sink.error("option.marker", at: position(item), message, hint: hint)
                continue
            }
            if marker.family != family.family, family.family != "invalid" {
                sink.error("option.mixed-markers", at: position(item),
                           "this option is marked \(marker.family == "plain" || marker.family == "left -> right" ? "without a marker" : "with \(marker.family)") but the list's first option uses \(family.family)",
                           hint: "use one kind of marker in an answer list: ( ) and (x) for one answer, [ ] and [x] for select-all, = for short answers")
            }
        }
        return (kind, markers)
    }

    private static let jumpArrows = ["->", "→"]
    static let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)

    private mutating func buildOptions(_ question: inout Question, markers: [MarkedItem], inScenario: Bool) {
        let letters = Self.letters
        question.options.reserveCapacity(markers.count)
        for (offset, marked) in markers.enumerated() {
            let (item, marker) = (marked.item, marked.marker)
            let itemPosition = position(item)
            let paragraph = firstParagraph(of: item)
            var text = Self.droppingMarker(marked.length, from: marked.text)
            var markdown = paragraph.map { optionMarkdown($0, droppingMarker: marked.length) } ?? ""

            // A scenario jump: `-> [label](#step)` ending the paragraph.
            var next: StepTarget?
            if let paragraph, let jump = jumpLink(in: paragraph) {
                next = jump
                for arrow in Self.jumpArrows {
                    if let range = text.findLast(arrow) { text = String(text[..<range.lowerBound]); break }
                }
                for arrow in Self.jumpArrows {
                    if let range = markdown.findLast(arrow) { markdown = String(markdown[..<range.lowerBound]); break }
                }
                text = text.trimmed
                markdown = markdown.trimmed
                if !inScenario {
                    sink.error("scenario.link-outside", at: itemPosition,
                               "this option links to a step, but links only work in a `## Scenario:` section",
                               hint: "remove the `-> [...](#...)` link, or move the question into a section whose heading starts with Scenario:")
                    next = nil
                } else if question.kind != .singleChoice {
                    sink.error("scenario.link-kind", at: itemPosition,
                               "only single-choice options can link to a step",
                               hint: "use ( ) and (x) markers for a step whose choices lead to different steps")
                    next = nil
                }
            }
            markdown = Self.strippingComments(markdown)

            let pair = marker == .pair ? Self.splitPair(text) : nil
            var option = Option(
                letter: offset < letters.count ? letters[offset] : "o\(offset + 1)",
                text: text, markdown: markdown, weight: 100, isCorrect: true, isCritical: false,
                feedback: [], match: nil, next: next, position: itemPosition
            )
            switch marker {
            case let .choice(weight, correct, critical):
                option.weight = weight
                option.isCorrect = correct
                option.isCritical = critical
            case let .box(checked, critical):
                option.weight = checked ? 100 : 0
                option.isCorrect = checked
                option.isCritical = critical
            case .invalid:
                option.weight = 0
                option.isCorrect = false
            case .plain where question.kind == .singleChoice || question.kind == .selectAll:
                // An unmarked item in a marked list is reported as mixed markers; it never counts as right.
                option.weight = 0
                option.isCorrect = false
            case .accepted:
                question.acceptedAnswers.append(text)
                if ShortAnswerPattern.isPattern(text), ShortAnswerPattern.acceptsAnything(text) {
                    sink.error("answer.accepts-anything", at: itemPosition,
                               "the accepted answer '\(text)' has no words besides ..., so it would accept any answer",
                               hint: "put the words that must appear around the dots, like `= ... naloxone ...`")
                }
            case .pair:
                if let split = pair {
                    option.text = split.left
                    option.markdown = split.left
                    if let existing = question.matchTargets.firstIndex(of: split.right) {
                        sink.error("matching.repeated-right", at: itemPosition,
                                   "the right side '\(split.right)' is repeated (first on option \(letters[min(existing, 25)]))",
                                   hint: "give each left item its own right side; every right side is used once")
                        option.match = existing
                    } else {
                        option.match = question.matchTargets.count
                        question.matchTargets.append(split.right)
                    }
                }
            default:
                break
            }
            if text.isEmpty {
                sink.error("option.empty", at: itemPosition, "this option is empty",
                           hint: "write the option's text after its marker, or remove the line")
            }
            if question.kind == .matching, marker == .pair, pair == nil {
                sink.error("option.empty", at: itemPosition, "one side of this matching item is empty",
                           hint: "write it as `- left side -> right side`")
            }
            option.feedback = elements(feedbackBlocks(of: item, after: paragraph))
            if !option.feedback.isEmpty, question.kind == .ordering || question.kind == .matching || question.kind == .shortAnswer {
                sink.warning("option.feedback-unused", at: itemPosition,
                             "feedback under \(question.kind == .ordering ? "an ordering item" : question.kind == .matching ? "a matching item" : "an accepted answer") is not shown to learners",
                             hint: "write what learners should know after the list: it is shown as the explanation")
            }
            if question.kind != .shortAnswer {
                question.options.append(option)
            }
        }
    }

    /// The blocks of an option's feedback: the contents of block quotes after its text.
    private mutating func feedbackBlocks(of item: Int, after paragraph: Int?) -> [Int] {
        var blocks: [Int] = []
        let end = document.subtreeEnd(of: item)
        var child = paragraph.map { document.subtreeEnd(of: $0) } ?? item + 1
        while child < end {
            if document.tag(of: child) == .blockQuote {
                var inner = child + 1
                let quoteEnd = document.subtreeEnd(of: child)
                while inner < quoteEnd {
                    blocks.append(inner)
                    inner = document.subtreeEnd(of: inner)
                }
            } else {
                sink.warning("option.extra-block", at: position(child),
                             "only a block quote is read after an option's text (as its feedback); this block is ignored",
                             hint: "indent feedback as `  > text` under the option")
            }
            child = document.subtreeEnd(of: child)
        }
        return blocks
    }

    /// `text` without its first `count` characters (an option's marker) and without
    /// surrounding spaces.
    static func droppingMarker(_ count: Int, from text: String) -> String {
        var text = text
        let fast = text.withUTF8 { bytes -> String? in
            guard let start = markerEnd(count, in: bytes) else { return nil }
            return Bytes.string(Bytes.trimmed(Bytes.slice(bytes, start, bytes.count)))
        }
        return fast ?? text.dropFirst(count).trimmed
    }

    /// The byte offset just after the first `count` characters when each of them is one
    /// byte: the bytes up to and including the next are ASCII other than CR.
    private static func markerEnd(_ count: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard count > 0 else { return 0 }
        guard bytes.count > count else { return nil }
        for i in 0...count where bytes[i] >= 0x80 || bytes[i] == 13 { return nil }
        return count
    }

    /// An option's Markdown: the source of its first paragraph without the marker, trimmed.
    func optionMarkdown(_ paragraph: Int, droppingMarker count: Int) -> String {
        if let range = document.range(of: paragraph), range.end.line <= range.start.line,
           range.start.line >= 1, range.start.line <= file.lineCount {
            var text = file.text
            let fast = text.withUTF8 { bytes -> String? in
                // The paragraph's line, from its start column, without the line ending.
                let line = range.start.line
                let lineStart = file.lineStarts[line - 1]
                var end = line < file.lineCount ? file.lineStarts[line] - 1 : bytes.count
                if end > lineStart, bytes[end - 1] == 13 { end -= 1 }
                let start = lineStart + min(range.start.column - 1, end - lineStart)
                guard start == end || bytes[start] & 0xC0 != 0x80 else { return nil }
                let source = Bytes.slice(bytes, start, end)
                guard let markerEnd = Self.markerEnd(count, in: source) else { return nil }
                return Bytes.string(Bytes.trimmed(Bytes.slice(source, markerEnd, source.count)))
            }
            // Raw source: the program's values go in here as in the parsed text.
            if let fast { return ProgramText.fill(fast, program: defaults.program) }
        }
        return Self.droppingMarker(count, from: sourceText(of: paragraph))
    }

    /// Errors that need the whole answer list.
    private mutating func validate(_ question: Question, list: Int) {
        let listPosition = position(list)
        switch question.kind {
        case .singleChoice:
            var firstRight: Int?, secondRight: Int?
            for index in question.options.indices where question.options[index].isCorrect {
                if firstRight == nil { firstRight = index } else { secondRight = index; break }
            }
            if firstRight == nil {
                sink.error("single-choice.no-answer", at: listPosition, "this single-choice question has no right answer marked (x)",
                           hint: "mark the right option with (x); use (N%) for options that are partly right")
            } else if question.options.count < 2 {
                sink.warning("question.one-option", at: listPosition, "this question has only one option, so there is no choice to make",
                             hint: "add the other options learners should weigh, each with its own ( ) marker")
            } else if let second = secondRight {
                sink.error("single-choice.two-answers", at: question.options[second].position,
                           "this single-choice question has more than one option marked (x)",
                           hint: "keep one (x); use (N%) for partly right options, or [ ] and [x] for select-all")
            }
        case .selectAll:
            if !question.options.contains(where: \.isCorrect) {
                sink.error("select-all.no-answer", at: listPosition, "this select-all question has no option marked [x]",
                           hint: "mark every right option with [x]")
            } else if question.options.count < 2 {
                sink.warning("question.one-option", at: listPosition, "this question has only one option, so there is no choice to make",
                             hint: "add the other options learners should weigh, each with its own [ ] marker")
            }
        case .ordering:
            if question.options.count < 2 {
                sink.error("ordering.too-short", at: listPosition, "an ordering question needs at least two items",
                           hint: "list the items in the right order, one `1.` line each")
            }
            var seen = Set<String>(minimumCapacity: question.options.count)
            for option in question.options where !option.text.isEmpty {
                if !seen.insert(option.text.lowercased()).inserted {
                    sink.error("ordering.repeated", at: option.position, "the item '\(option.text)' is repeated",
                               hint: "make every item different, so learners can tell them apart")
                }
            }
        case .matching:
            var seen = Set<String>(minimumCapacity: question.options.count)
            for option in question.options where !option.text.isEmpty {
                if !seen.insert(option.text.lowercased()).inserted {
                    sink.error("matching.repeated-left", at: option.position, "the left side '\(option.text)' is repeated",
                               hint: "give every left item its own text")
                }
            }
            if question.options.count < 2 {
                sink.error("matching.too-short", at: listPosition, "a matching question needs at least two pairs",
                           hint: "add more `- left -> right` lines")
            }
        case .shortAnswer:
            if question.acceptedAnswers.allSatisfy(\.isEmpty) {
                sink.error("short-answer.no-answer", at: listPosition, "this short-answer question has no accepted answer",
                           hint: "add a line `- = the answer` for each accepted answer")
            }
        }
    }

    /// `-> [label](#slug)` at the end of a paragraph.
    private func jumpLink(in paragraph: Int) -> StepTarget? {
        var last = -1, beforeLast = -1
        var child = paragraph + 1
        let end = document.subtreeEnd(of: paragraph)
        while child < end {
            (beforeLast, last) = (last, child)
            child = document.subtreeEnd(of: child)
        }
        guard beforeLast >= 0, document.tag(of: last) == .link,
              case let .link(destination, _) = document.nodes[last].kind, destination.hasPrefix("#") else { return nil }
        let before = document.nodes[beforeLast]
        guard case .text = before.kind else { return nil }
        let trimmed = before.literal.trimmed
        guard Self.jumpArrows.contains(where: { trimmed.hasSuffix($0) }) else { return nil }
        let target = String(destination.dropFirst())
        return target == "end" ? .end : .step(target)
    }

    static func splitPair(_ text: String) -> (left: String, right: String)? {
        for arrow in [" -> ", " → "] {
            if let range = text.findFirst(arrow) {
                let left = text[..<range.lowerBound].trimmed
                let right = text[range.upperBound...].trimmed
                return left.isEmpty || right.isEmpty ? nil : (left, right)
            }
        }
        return nil
    }

    static func strippingComments(_ text: String) -> String {
        guard text.containsText("<!--") else { return text }
        var out = text
        while let open = out.range(of: "<!--"), let close = out.range(of: "-->", range: open.upperBound..<out.endIndex) {
            out.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return out.trimmed
    }

    /// The Markdown source of a block, from its start column, continuation lines trimmed.
    func sourceText(of index: Int) -> String {
        guard let range = document.nodes[index].range else { return document.plainText(of: index) }
        let first = file.line(range.start.line)
        let utf8 = first.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: min(range.start.column - 1, utf8.count))
        var text = String(first[start...])
        if range.end.line > range.start.line {
            for number in (range.start.line + 1)...range.end.line {
                text += "\n" + file.line(number).trimmed
            }
        }
        return ProgramText.fill(text, program: defaults.program)
    }

    // MARK: - Check blocks

    private mutating func parseChecks(_ block: Int, for question: Question) -> [AnswerCheck] {
        var literal = document.nodes[block].literal
        let blockPosition = position(block)
        var checks: [AnswerCheck] = []
        var wroteAnyLine = false
        func record(_ result: Result<CheckLine.Parsed, InputProblem>, line offset: Int, indent: Int) {
            wroteAnyLine = true
            let at = SourcePosition(line: blockPosition.line + 1 + offset, column: blockPosition.column + indent)
            switch result {
            case let .success(check):
                checks.append(AnswerCheck(written: check.written, response: check.response, expectedPercent: check.percent,
                                          expectsCritical: check.critical, position: at))
            case let .failure(problem):
                sink.error("check.malformed", at: at, problem.message, hint: problem.hint)
            }
        }
        func unicodeLine(_ rawLine: Substring, offset: Int) {
            let line = rawLine.trimmed
            if line.isEmpty || line.hasPrefix("#") { return }
            record(CheckLine.parse(line, for: question), line: offset, indent: rawLine.prefix { $0 == " " }.count)
        }
        if literal.withUTF8({ Bytes.contains($0, 13) }) {
            // "\r\n" is one Character, so lines split as Characters do, not at every "\n".
            for (offset, rawLine) in literal.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                unicodeLine(rawLine, offset: offset)
            }
        } else {
            literal.withUTF8 { bytes in
                var start = 0, offset = 0
                while start <= bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != 10 { end += 1 }
                    let rawLine = Bytes.slice(bytes, start, end)
                    if Bytes.isASCII(rawLine) {
                        let line = Bytes.trimmed(rawLine)
                        if !line.isEmpty, line[0] != UInt8(ascii: "#") {
                            let indent = rawLine.prefix { $0 == 32 }.count
                            record(CheckLine.parse(ascii: line, for: question), line: offset, indent: indent)
                        }
                    } else {
                        unicodeLine(Substring(Bytes.string(rawLine)), offset: offset)
                    }
                    start = end + 1
                    offset += 1
                }
            }
        }
        if !wroteAnyLine {
            sink.warning("check.empty", at: blockPosition, "this check block has no checks",
                         hint: "write one `RESPONSE -> PERCENT` a line, such as `b -> 100%`")
        }
        return checks
    }
}
