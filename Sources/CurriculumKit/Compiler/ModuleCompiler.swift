import Foundation
import Yams

/// A module compiled from one file, with what the course-wide checks need.
struct CompiledModule: Sendable {
    var module: Module
    var file: SourceFile
    var document: MarkdownDocument
    var frontMatter: FrontMatter?
    /// Position of the `id:` value, for duplicate-id diagnostics.
    var idPosition: SourcePosition
}

/// Compiles one module file into a ``Module``, reporting every problem it finds.
struct ModuleCompiler {
    static let knownKeys = ["id", "title", "minutes", "objectives", "pass", "attempts", "shuffle", "pool", "sources"]

    let file: SourceFile
    let defaults: CourseSettings
    var sink: DiagnosticSink
    var document = MarkdownDocument(nodes: [])
    /// The document as written, before the program's values are filled in: ids come from
    /// its headings, so a program changing its settings never moves a record's id.
    var unfilled: MarkdownDocument?

    init(file: SourceFile, defaults: CourseSettings) {
        self.file = file
        self.defaults = defaults
        self.sink = DiagnosticSink(path: file.path)
    }

    // MARK: - Module

    mutating func compile() -> CompiledModule? {
        let origin = SourcePosition(line: 1, column: 1)
        guard let frontMatter = FrontMatter.split(file, sink: &sink) else {
            if !sink.hasErrors {
                sink.error("front-matter.missing", at: origin, "this module has no front matter",
                           hint: "start the file with a --- line, then `id: my-module` and `title: My Module`, then another --- line")
            }
            return nil
        }
        var reader = SettingsReader(file: file, frontMatter: frontMatter, sink: sink)
        let root = reader.compose(frontMatter.yaml)
        var settings: [String: (key: Node, value: Node)] = [:]
        if let root {
            settings = reader.mapping(root, known: Self.knownKeys, what: "a module's front matter") ?? [:]
        } else if !reader.sink.hasErrors {
            reader.sink.error("front-matter.empty", at: SourcePosition(line: frontMatter.firstLine, column: 1),
                              "the front matter is empty", hint: "add `id: my-module` and `title: My Module`")
        }
        let id = reader.string(settings["id"], "id")
        let idPosition = settings["id"].map { reader.position($0.value) } ?? origin
        if let id, !Slug.isValidID(id) {
            reader.sink.error("module.id", at: idPosition, "the module id '\(id)' has characters other than lower-case letters, digits, - and _",
                              hint: "use an id like `stages-of-change`; records point at it, so keep it stable")
        }
        let title = reader.string(settings["title"], "title")
        if settings["id"] == nil, root != nil {
            reader.sink.error("module.no-id", at: SourcePosition(line: frontMatter.firstLine, column: 1), "this module has no id",
                              hint: "add `id: \(Slug.make(file.path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? "") } ?? "module"))` to the front matter")
        }
        if settings["title"] == nil, root != nil {
            reader.sink.error("module.no-title", at: SourcePosition(line: frontMatter.firstLine, column: 1), "this module has no title",
                              hint: "add `title: …` to the front matter")
        }
        let minutes = reader.int(settings["minutes"], "minutes", range: 1...10_000)
        let objectives = reader.stringList(settings["objectives"], "objectives")?.map(\.0) ?? []
        let pass = reader.percent(settings["pass"], "pass")
        let attempts = reader.int(settings["attempts"], "attempts", range: 1...1_000)
        let shuffle = reader.bool(settings["shuffle"], "shuffle") ?? false
        let pool = reader.int(settings["pool"], "pool", range: 1...10_000)
        let sources = readSources(settings["sources"], reader: &reader)
        sink = reader.sink

        document = CommonMark.parse(frontMatter.body, lineOffset: frontMatter.bodyLineOffset)
        let programValues = ProgramText.check(file, program: defaults.program, sink: &sink)
        if !programValues.isEmpty { unfilled = document }
        ProgramText.fill(&document, program: defaults.program)
        let moduleID = id ?? "module"
        let (introduction, sections) = buildSections(moduleID: moduleID)

        if let pool, let settingsPool = settings["pool"] {
            let count = sections.reduce(0) { $0 + $1.questions.count }
            if pool > count {
                sink.error("module.pool", at: reader.position(settingsPool.value),
                           "pool is \(pool) but the module has only \(count) question\(count == 1 ? "" : "s")",
                           hint: "lower `pool` to \(count) or fewer, or add questions")
            }
        }

        // A retake that shows the same questions teaches the answer letters, not the ideas.
        let questionCount = sections.reduce(0) { $0 + $1.questions.count }
        let largestPool = questionCount * 4 / 5
        if attempts != 1, questionCount >= 2, (pool ?? questionCount) > largestPool {
            let at = settings["pool"].map { reader.position($0.value) } ?? settings["attempts"].map { reader.position($0.value) } ?? idPosition
            let allowed = attempts.map { "allows \($0) attempts" } ?? "allows unlimited attempts"
            sink.warning("module.retake-pool", at: at,
                         "the module \(allowed), but each attempt draws \(pool.map { $0 >= questionCount ? "all" : "\($0)" } ?? "all") of its \(questionCount) questions, so a retake shows \(pool.map { $0 >= questionCount } ?? true ? "the same ones" : "nearly the same ones")",
                         hint: largestPool >= 1
                            ? "set `pool: \(largestPool)` or lower (at most 80% of the questions), or add questions, so a retake draws a different set"
                            : "add questions so a retake can draw a different set, or set `attempts: 1`")
        }

        guard let id, let title else { return nil }
        let module = Module(
            id: id, title: ProgramText.fill(title, program: defaults.program), minutes: minutes,
            objectives: objectives.map { ProgramText.fill($0, program: defaults.program) },
            pass: pass ?? defaults.completion.pass, attempts: attempts, shuffle: shuffle, pool: pool,
            sources: sources, introduction: introduction, sections: sections,
            path: file.path,
            hash: programValues.isEmpty ? ContentHash.sha256(file.text) : ContentHash.sha256(parts: [file.text] + programValues)
        )
        return CompiledModule(module: module, file: file, document: document, frontMatter: frontMatter, idPosition: idPosition)
    }

    private func readSources(_ entry: (key: Node, value: Node)?, reader: inout SettingsReader) -> [SourceLink] {
        guard let entry else { return [] }
        guard case let .sequence(items) = entry.value else {
            reader.sink.error("front-matter.type", at: reader.position(entry.value), "'sources' must be a list",
                              hint: "write one `- title: …` with `url: …` under it for each source")
            return []
        }
        var result: [SourceLink] = []
        for item in items {
            if case let .scalar(scalar) = item, !scalar.string.isEmpty {
                result.append(SourceLink(title: scalar.string, url: nil))
                continue
            }
            guard let fields = reader.mapping(item, known: ["title", "url"], what: "a source") else { continue }
            guard let title = reader.string(fields["title"], "title") else {
                if fields["title"] == nil {
                    reader.sink.error("source.no-title", at: reader.position(item), "this source has no title",
                                      hint: "add `title: …` to the source")
                }
                continue
            }
            result.append(SourceLink(title: title, url: reader.string(fields["url"], "url")))
        }
        return result
    }

    // MARK: - Sections

    /// A heading's text as written (placeholders unfilled), for its id.
    func idText(of heading: Int) -> String {
        (unfilled ?? document).plainText(of: heading).trimmed
    }

    func headingLevel(_ index: Int) -> Int? {
        document.withNode(index) { node in
            if case let .heading(level) = node.kind { return level }
            return nil
        }
    }

    func position(_ index: Int) -> SourcePosition {
        // Walk up to the nearest node with a position (inline nodes usually have none).
        var i = index
        while i >= 0 {
            if let range = document.range(of: i) { return range.start }
            i = document.parent(of: i)
        }
        return SourcePosition(line: 1, column: 1)
    }

    func endLine(_ index: Int) -> Int {
        document.range(of: index)?.end.line ?? position(index).line
    }

    private mutating func buildSections(moduleID: String) -> ([Element], [Section]) {
        guard !document.nodes.isEmpty else { return ([], []) }
        var blocks = document.children(of: 0)[...]
        // A leading `# Title` repeats the front matter's title: it is not part of the introduction.
        if let first = blocks.first, headingLevel(first) == 1 { blocks.removeFirst() }

        // Sections and questions are runs of top-level blocks: slices of `blocks`.
        let (introduction, sectionStarts) = group(blocks, at: 2)
        for block in introduction where headingLevel(block) == 3 {
            sink.warning("question.outside-section", at: position(block),
                         "this ### heading comes before the first ## section, so it is lesson text, not a question",
                         hint: "put questions under a `## …` section heading, or use #### for a sub-heading")
        }

        var sections: [Section] = []
        var sectionSlugs: [String: SourcePosition] = [:]
        var questionIDs: [String: SourcePosition] = [:]
        for (heading, body) in sectionStarts {
            let title = document.plainText(of: heading).trimmed
            let slug = Slug.make(idText(of: heading))
            if let earlier = sectionSlugs[slug] {
                sink.warning("section.duplicate", at: position(heading),
                             "another section (line \(earlier.line)) has the same heading",
                             hint: "give each section its own heading, so links and progress can tell them apart")
            } else {
                sectionSlugs[slug] = position(heading)
            }
            if title.isEmpty {
                sink.error("section.empty-heading", at: position(heading), "this section heading is empty",
                           hint: "write the section's title after ##")
            }
            let (lesson, questionGroups) = group(body, at: 3)
            let isScenario = title.lowercased().hasPrefix("scenario:")
            if title.lowercased().hasPrefix("practice:") {
                for (qHeading, _) in questionGroups {
                    sink.error("practical.question", at: position(qHeading),
                               "a practical holds no questions: this ### heading is inside “\(title)”",
                               hint: "put questions in a section of their own, or use #### for a sub-heading in the practical")
                }
                var lessonBlocks = Array(lesson)
                let practical = buildPractical(moduleID: moduleID, heading: heading, title: title, blocks: &lessonBlocks, ids: &questionIDs)
                // A `{#custom-id}` names the practical; it isn't part of the heading learners read.
                let shown = practical.map { "Practice: " + $0.title } ?? title
                sections.append(Section(id: Slug.make(Slug.splitCustomID(idText(of: heading)).0), title: shown, elements: elements(lessonBlocks), questions: [], scenario: nil,
                                        practical: practical, position: position(heading)))
                continue
            }
            var parsed: [ParsedQuestion] = []
            for (qHeading, qBlocks) in questionGroups {
                guard let question = parseQuestion(moduleID: moduleID, heading: qHeading, blocks: qBlocks, inScenario: isScenario) else { continue }
                let questionID = "\(moduleID)/\(question.slug)"
                if let earlier = questionIDs[questionID] {
                    sink.error("question.duplicate-id", at: position(qHeading),
                               "the question id '\(questionID)' is already used by the question at line \(earlier.line)",
                               hint: "change the heading, or give it its own id with {#another-id} at the end of the heading")
                } else {
                    questionIDs[questionID] = position(qHeading)
                }
                parsed.append(question)
            }
            var section = Section(id: slug, title: title, elements: elements(lesson), questions: [], scenario: nil, position: position(heading))
            if isScenario {
                let scenarioTitle = title.dropFirst("scenario:".count).trimmed
                section.scenario = buildScenario(id: slug, title: scenarioTitle, heading: heading, steps: parsed)
            } else {
                section.questions = parsed.compactMap(\.question)
            }
            sections.append(section)
        }
        return (elements(introduction), sections)
    }

    /// A `## Practice:` section's steps: its last top-level list, one observable step an item.
    /// The list is taken out of `blocks`, which keep the practical's lesson text.
    private mutating func buildPractical(moduleID: String, heading: Int, title: String, blocks: inout [Int],
                                         ids: inout [String: SourcePosition]) -> Practical? {
        let headingPosition = position(heading)
        let (name, customID) = Slug.splitCustomID(title.dropFirst("practice:".count).trimmed)
        let (writtenName, _) = Slug.splitCustomID(idText(of: heading).dropFirst("practice:".count).trimmed)
        if let customID, !Slug.isValidID(customID) {
            sink.error("practical.id", at: headingPosition, "the id {#\(customID)} may only use lower-case letters, digits, - and _",
                       hint: "write it like {#giving-nasal-naloxone}")
        }
        let slug = customID.flatMap { Slug.isValidID($0) ? $0 : nil } ?? Slug.make(writtenName)
        guard !slug.isEmpty else {
            sink.error("practical.empty-heading", at: headingPosition, "this practical has no name after “Practice:”",
                       hint: "name the skill, for example `## Practice: Giving nasal naloxone`")
            return nil
        }
        let id = "\(moduleID)/\(slug)"
        if let earlier = ids[id] {
            sink.error("practical.duplicate-id", at: headingPosition,
                       "the id '\(id)' is already used at line \(earlier.line)",
                       hint: "give the practical another name, or its own id with {#another-id} at the end of the heading")
        } else {
            ids[id] = headingPosition
        }
        guard let listAt = blocks.lastIndex(where: { document.tag(of: $0) == .list }) else {
            sink.error("practical.no-steps", at: headingPosition, "the practical “\(name)” has no list of steps",
                       hint: "list the steps an observer can see, one a line: `1. Checks whether the person responds`")
            return nil
        }
        let list = blocks.remove(at: listAt)
        var ordered = false
        if case let .list(isOrdered, _, _, _) = document.nodes[list].kind { ordered = isOrdered }
        var steps: [Practical.Step] = []
        var seen: [String: SourcePosition] = [:]
        var stepErrors = 0
        for item in document.children(of: list) {
            let itemPosition = position(item)
            let children = document.children(of: item)
            let text = document.plainText(of: item).trimmed
            if text.isEmpty {
                sink.error("practical.empty-step", at: itemPosition, "this step is empty",
                           hint: "write what the learner does, or remove the empty item")
                stepErrors += 1
                continue
            }
            if children.count > 1 || children.contains(where: { document.tag(of: $0) != .paragraph }) {
                sink.error("practical.step-blocks", at: itemPosition, "a step is one line of text; this one holds more blocks",
                           hint: "keep each step to one short sentence; put explanations before the list")
                stepErrors += 1
                continue
            }
            if let earlier = seen[text.lowercased()] {
                sink.error("practical.duplicate-step", at: itemPosition, "this step repeats the step at line \(earlier.line)",
                           hint: "list each step once")
                stepErrors += 1
                continue
            }
            seen[text.lowercased()] = itemPosition
            let markdown = CommonMark.renderCommonMark(document.fragment(children)).trimmed
            steps.append(Practical.Step(text: text, markdown: markdown, position: itemPosition))
        }
        if steps.count < 2, stepErrors == 0 {
            sink.error("practical.few-steps", at: position(list), "a practical needs at least two steps; this one has \(steps.count)",
                       hint: "break the skill into the actions an observer can tick off one by one")
        }
        return Practical(id: id, title: name, moduleID: moduleID, ordered: ordered, steps: steps, position: headingPosition)
    }

    /// Splits blocks at headings of `level`: the blocks before the first such heading, then
    /// each heading with the blocks up to the next.
    private func group(_ blocks: ArraySlice<Int>, at level: Int) -> (before: ArraySlice<Int>, groups: [(heading: Int, blocks: ArraySlice<Int>)]) {
        var groups: [(heading: Int, blocks: ArraySlice<Int>)] = []
        var before = blocks[blocks.startIndex..<blocks.startIndex]
        var start = blocks.startIndex
        for position in blocks.indices where headingLevel(blocks[position]) == level {
            if let last = groups.indices.last {
                groups[last].blocks = blocks[start..<position]
            } else {
                before = blocks[blocks.startIndex..<position]
            }
            groups.append((blocks[position], blocks[position + 1..<position + 1]))
            start = position + 1
        }
        if let last = groups.indices.last {
            groups[last].blocks = blocks[start..<blocks.endIndex]
        } else {
            before = blocks
        }
        return (before, groups)
    }

    // MARK: - Elements and callouts

    /// Groups blocks into lesson elements: runs of Markdown and callouts.
    mutating func elements<Blocks: Collection<Int>>(_ blocks: Blocks) -> [Element] {
        var result: [Element] = []
        var run: [Int] = []
        func flush() {
            if !run.isEmpty { result.append(.text(Content(document: document, roots: run))) }
            run = []
        }
        for block in blocks {
            if document.tag(of: block) == .blockQuote, let callout = callout(block) {
                flush()
                result.append(callout)
            } else if case let .codeBlock(info) = document.nodes[block].kind, Self.isCheckInfo(info) {
                // An answer key outside a question would be shown to learners: leave it out.
                sink.warning("check.outside-question", at: position(block),
                             "this check block is not under a question, so it is not run and is left out of the lesson",
                             hint: "move it under the answer list of the question it checks (after a ### heading)")
            } else {
                run.append(block)
            }
        }
        flush()
        return result
    }

    /// A block quote whose first line is `[!KIND]` becomes a callout.
    private mutating func callout(_ quote: Int) -> Element? {
        let start = position(quote)
        let firstLine = file.line(start.line)
        guard let name = Self.calloutName(firstLine) else { return nil }
        if let close = firstLine.firstIndex(of: "]"),
           let text = firstLine[firstLine.index(after: close)...].firstIndex(where: { $0 != " " && $0 != "\t" }) {
            let column = firstLine.utf8.distance(from: firstLine.startIndex, to: text) + 1
            sink.warning("callout.marker-text", at: SourcePosition(line: start.line, column: column),
                         "text on the same line as [!\(name)] is not shown",
                         hint: "put [!\(name)] alone on its line and the text on the next line, starting with >")
        }
        guard let kind = CalloutKind(rawValue: name.uppercased()) else {
            sink.error("callout.unknown", at: SourcePosition(line: start.line, column: start.column),
                       "unknown callout kind [!\(name)]",
                       hint: "use one of \(CalloutKind.allCases.map { "[!\($0.rawValue)]" }.joined(separator: ", "))")
            return nil
        }
        // Drop the marker: the first paragraph's inlines up to its first line break.
        var fragment = document.fragment(document.children(of: quote))
        if let paragraph = fragment.children(of: 0).first, case .paragraph = fragment.nodes[paragraph].kind {
            let inlines = fragment.children(of: paragraph)
            if let breakAt = inlines.firstIndex(where: {
                if case .softBreak = fragment.nodes[$0].kind { return true }
                if case .lineBreak = fragment.nodes[$0].kind { return true }
                return false
            }) {
                fragment.remove(from: inlines[0], to: fragment.nodes[inlines[breakAt]].subtreeEnd)
            } else {
                fragment.remove(from: paragraph, to: fragment.nodes[paragraph].subtreeEnd)
            }
        }
        let content = Content(document: fragment, roots: fragment.nodes.isEmpty ? [] : fragment.children(of: 0))
        if content.isEmpty {
            sink.warning("callout.empty", at: start, "this [!\(kind.rawValue)] callout is empty",
                         hint: "write the callout's text on the lines after [!\(kind.rawValue)], each starting with >")
        }
        return .callout(kind, content)
    }

    /// The `KIND` of a callout's first line, `> [!KIND]`.
    static func calloutName(_ line: Substring) -> Substring? {
        var line = line
        guard line.utf8.allSatisfy({ $0 < 0x80 }) else {
            line = line.drop { $0 == " " || $0 == "\t" || $0 == ">" }
            guard line.hasPrefix("[!"), let close = line.firstIndex(of: "]") else { return nil }
            return line[line.index(line.startIndex, offsetBy: 2)..<close]
        }
        // ASCII: every character is one byte.
        let utf8 = line.utf8
        guard let open = utf8.firstIndex(where: { $0 != 32 && $0 != 9 && $0 != 62 }),
              utf8[open] == UInt8(ascii: "["), utf8.index(after: open) < utf8.endIndex,
              utf8[utf8.index(after: open)] == UInt8(ascii: "!"),
              let close = utf8[open...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
        return line[utf8.index(open, offsetBy: 2)..<close]
    }
}

extension MarkdownDocument {
    /// Removes nodes `from..<to` (whole sibling subtrees).
    mutating func remove(from: Int, to: Int) {
        guard from < to, from > 0, to <= nodes.count else { return }
        let count = to - from
        nodes.removeSubrange(from..<to)
        for index in nodes.indices {
            if nodes[index].subtreeEnd >= to { nodes[index].subtreeEnd -= count }
            if nodes[index].parent >= to { nodes[index].parent -= count }
        }
    }
}
