import Foundation

/// A `###` block as the compiler first reads it: a question, or a scenario ending.
struct ParsedQuestion {
    var slug: String
    var title: String
    var question: Question?
    var narrative: [Element]
    var position: SourcePosition
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
                            if !(0...100).contains(weight) {
                                return (.invalid("the weight \(weight)% is outside 0–100%", hint: "use a weight from (0%) to (100%), or (x) for the right answer"), length)
                            }
                            if critical {
                                return (.invalid("a weighted option can't be critical", hint: "use (x!) for an option that must be chosen, or ( !) for one that must never be"), length)
                            }
                            return (.choice(weight: weight, correct: false, critical: false), length)
                        }
                        if Double(number) != nil {
                            return (.invalid("the weight \(body) is not a whole percent", hint: "use a whole percent such as (50%)"), length)
                        }
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

    mutating func parseQuestion(moduleID: String, heading: Int, blocks: [Int], inScenario: Bool) -> ParsedQuestion? {
        let headingPosition = position(heading)
        let raw = document.plainText(of: heading).trimmed
        let (title, customID) = Slug.splitCustomID(raw)
        if let customID, !Slug.isValidID(customID) {
            sink.error("question.id", at: headingPosition, "the id {#\(customID)} may only use lower-case letters, digits, - and _",
                       hint: "write it like {#weighing-options}")
        }
        let slug = customID.flatMap { Slug.isValidID($0) ? $0 : nil } ?? Slug.make(title)
        if slug.isEmpty {
            sink.error("question.empty-heading", at: headingPosition, "this question heading has no text to make an id from",
                       hint: "write the question's title after ###, or add {#an-id}")
        }
        let id = "\(moduleID)/\(slug)"

        var checkBlocks: [Int] = []
        var contentBlocks: [Int] = []
        for block in blocks {
            if case let .codeBlock(info) = document.nodes[block].kind,
               info.split(separator: " ").first.map(String.init)?.lowercased() == "check" {
                checkBlocks.append(block)
            } else {
                contentBlocks.append(block)
            }
        }

        // The answer list: the last list with explicit markers; failing that, the last
        // ordered list of plain items (an ordering question).
        var chosen: (index: Int, kind: Question.Kind, markers: [(Int, ItemMarker, Int)])?
        var fallback: (index: Int, kind: Question.Kind, markers: [(Int, ItemMarker, Int)])?
        for (offset, block) in contentBlocks.enumerated() {
            guard case let .list(ordered, _, _, _) = document.nodes[block].kind else { continue }
            guard let classified = classify(list: block, ordered: ordered) else { continue }
            if classified.kind == .ordering {
                fallback = (offset, classified.kind, classified.markers)
            } else {
                chosen = (offset, classified.kind, classified.markers)
            }
        }
        let answer = chosen ?? fallback

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
        let prompt = Array(contentBlocks[..<answer.index])
        let explanation = Array(contentBlocks[(answer.index + 1)...])
        var question = Question(
            id: id, title: title, kind: answer.kind, prompt: elements(prompt), options: [], matchTargets: [],
            acceptedAnswers: [], explanation: elements(explanation), checks: [], position: headingPosition, hash: ""
        )
        buildOptions(&question, markers: answer.markers, inScenario: inScenario)
        validate(question, list: listBlock)
        for block in checkBlocks {
            question.checks += parseChecks(block, for: question)
        }
        let lastLine = blocks.last.map(endLine) ?? headingPosition.line
        question.hash = ContentHash.sha256(id + "\n" + file.lines(headingPosition.line, through: lastLine))
        return ParsedQuestion(slug: slug, title: title, question: question, narrative: [], position: headingPosition)
    }

    /// Text of an item's first paragraph (or "" when it starts with something else).
    private func firstParagraph(of item: Int) -> Int? {
        guard let first = document.children(of: item).first, case .paragraph = document.nodes[first].kind else { return nil }
        return first
    }

    /// Classifies a list's items; `nil` when it is an ordinary list, not an answer list.
    private mutating func classify(list: Int, ordered: Bool) -> (kind: Question.Kind, markers: [(Int, ItemMarker, Int)])? {
        let items = document.children(of: list)
        var markers: [(Int, ItemMarker, Int)] = []
        for item in items {
            let text = firstParagraph(of: item).map { document.plainText(of: $0) } ?? ""
            let (marker, length) = ItemMarker.read(text)
            markers.append((item, marker, length))
        }
        let explicit = markers.filter {
            switch $0.1 {
            case .choice, .box, .accepted, .invalid: return true
            default: return false
            }
        }
        if explicit.isEmpty {
            let pairs = markers.filter { $0.1 == .pair }.count
            if pairs > 0, pairs * 2 >= markers.count, !ordered {
                for (item, marker, _) in markers where marker != .pair {
                    sink.error("matching.no-arrow", at: position(item), "this matching item has no `->` between its two sides",
                               hint: "write it as `- left side -> right side`")
                }
                return (.matching, markers)
            }
            return ordered && items.count >= 1 ? (.ordering, markers) : nil
        }
        // Explicit markers: every item must use the same family.
        let family = explicit[0].1
        let kind: Question.Kind
        switch family {
        case .choice: kind = .singleChoice
        case .box: kind = .selectAll
        case .accepted: kind = .shortAnswer
        default: kind = .singleChoice
        }
        for (item, marker, _) in markers {
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

    private mutating func buildOptions(_ question: inout Question, markers: [(Int, ItemMarker, Int)], inScenario: Bool) {
        let letters = Self.letters
        for (offset, (item, marker, markerLength)) in markers.enumerated() {
            let itemPosition = position(item)
            let paragraph = firstParagraph(of: item)
            var text = paragraph.map { document.plainText(of: $0) } ?? ""
            var markdown = paragraph.map(sourceText(of:)) ?? ""
            text = String(text.dropFirst(markerLength)).trimmed
            markdown = String(markdown.dropFirst(markerLength)).trimmed

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
            case .pair:
                if let split = Self.splitPair(text) {
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
            if question.kind == .matching, Self.splitPair(text) == nil, marker == .pair {
                sink.error("option.empty", at: itemPosition, "one side of this matching item is empty",
                           hint: "write it as `- left side -> right side`")
            }
            var feedbackBlocks: [Int] = []
            for child in document.children(of: item).dropFirst(paragraph == nil ? 0 : 1) {
                if case .blockQuote = document.nodes[child].kind {
                    feedbackBlocks.append(contentsOf: document.children(of: child))
                } else {
                    sink.warning("option.extra-block", at: position(child),
                                 "only a block quote is read after an option's text (as its feedback); this block is ignored",
                                 hint: "indent feedback as `  > text` under the option")
                }
            }
            option.feedback = elements(feedbackBlocks)
            if question.kind != .shortAnswer {
                question.options.append(option)
            }
        }
    }

    /// Errors that need the whole answer list.
    private mutating func validate(_ question: Question, list: Int) {
        let listPosition = position(list)
        switch question.kind {
        case .singleChoice:
            let right = question.options.filter(\.isCorrect)
            if right.isEmpty {
                sink.error("single-choice.no-answer", at: listPosition, "this single-choice question has no right answer marked (x)",
                           hint: "mark the right option with (x); use (N%) for options that are partly right")
            } else if right.count > 1 {
                sink.error("single-choice.two-answers", at: right[1].position,
                           "this single-choice question has more than one option marked (x)",
                           hint: "keep one (x); use (N%) for partly right options, or [ ] and [x] for select-all")
            }
        case .selectAll:
            if !question.options.contains(where: \.isCorrect) {
                sink.error("select-all.no-answer", at: listPosition, "this select-all question has no option marked [x]",
                           hint: "mark every right option with [x]")
            }
        case .ordering:
            if question.options.count < 2 {
                sink.error("ordering.too-short", at: listPosition, "an ordering question needs at least two items",
                           hint: "list the items in the right order, one `1.` line each")
            }
            var seen: Set<String> = []
            for option in question.options where !option.text.isEmpty {
                if !seen.insert(option.text.lowercased()).inserted {
                    sink.error("ordering.repeated", at: option.position, "the item '\(option.text)' is repeated",
                               hint: "make every item different, so learners can tell them apart")
                }
            }
        case .matching:
            var seen: Set<String> = []
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
        let inlines = document.children(of: paragraph)
        guard inlines.count >= 2, let last = inlines.last,
              case let .link(destination, _) = document.nodes[last].kind, destination.hasPrefix("#") else { return nil }
        let before = document.nodes[inlines[inlines.count - 2]]
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
        return text
    }

    // MARK: - Check blocks

    private mutating func parseChecks(_ block: Int, for question: Question) -> [AnswerCheck] {
        let node = document.nodes[block]
        let blockPosition = position(block)
        var checks: [AnswerCheck] = []
        var wroteAnyLine = false
        for (offset, rawLine) in node.literal.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmed
            if line.isEmpty || line.hasPrefix("#") { continue }
            wroteAnyLine = true
            let indent = rawLine.prefix { $0 == " " }.count
            let at = SourcePosition(line: blockPosition.line + 1 + offset, column: blockPosition.column + indent)
            switch CheckLine.parse(line, for: question) {
            case let .success(check):
                checks.append(AnswerCheck(written: check.written, response: check.response, expectedPercent: check.percent,
                                          expectsCritical: check.critical, position: at))
            case let .failure(problem):
                sink.error("check.malformed", at: at, problem.message, hint: problem.hint)
            }
        }
        if !wroteAnyLine {
            sink.warning("check.empty", at: blockPosition, "this check block has no checks",
                         hint: "write one `RESPONSE -> PERCENT` a line, such as `b -> 100%`")
        }
        return checks
    }
}
