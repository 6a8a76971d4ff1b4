import Foundation
import Yams

/// What compiling a course (or one module) produced.
public struct CompileResult: Sendable {
    /// The compiled course; `nil` when there are errors.
    public var curriculum: Curriculum?
    /// Every diagnostic, sorted by file, line and column.
    public var diagnostics: [Diagnostic]
    /// Files read.
    public var fileCount: Int

    /// Number of errors.
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    /// Number of warnings.
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Compiles a course folder or a single module file into a ``Curriculum``.
public enum CurriculumCompiler {
    static let courseKeys = ["id", "title", "version", "language", "modules", "completion", "certificate", "reading-grade", "program"]

    /// Compiles `path`: a folder with `course.md` and module files, or one module file
    /// (checked on its own with course defaults and the built-in language guide).
    ///
    /// - Parameter parallel: read and check module files on all cores (the default); the
    ///   result is the same either way, in the same order.
    public static func compile(path: String, parallel: Bool = true) -> CompileResult {
        var isDirectory: ObjCBool = false
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        guard FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDirectory) else {
            let diagnostic = Diagnostic(.error, "path.missing", path: trimmed, at: SourcePosition(line: 1, column: 1),
                                        "no such file or folder",
                                        hint: "give a course folder containing course.md, or one module's .md file")
            return CompileResult(curriculum: nil, diagnostics: [diagnostic], fileCount: 0)
        }
        if isDirectory.boolValue {
            return compileCourse(folder: trimmed, parallel: parallel)
        }
        return compileModule(path: trimmed)
    }

    /// Compiles module text in memory (for tests and previews).
    public static func compile(moduleText: String, path: String = "module.md",
                               settings: CourseSettings = .defaults, guide: LanguageGuide = .builtIn) -> CompileResult {
        var sink = DiagnosticSink(path: path)
        guard let file = SourceReader.decode(Data(moduleText.utf8), displayPath: path, sink: &sink) else {
            return CompileResult(curriculum: nil, diagnostics: sink.diagnostics, fileCount: 1)
        }
        return finish(settings: settings, welcome: nil, modules: [file], guide: guide, courseFile: nil,
                      diagnostics: sink.diagnostics, orderPositions: [:], parallel: false)
    }

    private static func compileModule(path: String) -> CompileResult {
        var sink = DiagnosticSink(path: path)
        guard let file = SourceReader.read(path: path, displayPath: path, sink: &sink) else {
            return CompileResult(curriculum: nil, diagnostics: sink.diagnostics, fileCount: 1)
        }
        return finish(settings: .defaults, welcome: nil, modules: [file], guide: .builtIn, courseFile: nil,
                      diagnostics: sink.diagnostics, orderPositions: [:], parallel: false)
    }

    private static func compileCourse(folder: String, parallel: Bool) -> CompileResult {
        var diagnostics: [Diagnostic] = []
        let coursePath = folder + "/course.md"
        var settings = CourseSettings.defaults
        var welcomeFile: SourceFile?
        var orderPositions: [String: SourcePosition] = [:]

        var courseSink = DiagnosticSink(path: coursePath)
        if FileManager.default.fileExists(atPath: coursePath) {
            if let file = SourceReader.read(path: coursePath, displayPath: coursePath, sink: &courseSink) {
                welcomeFile = file
                (settings, orderPositions) = readCourseSettings(file, sink: &courseSink)
            }
        } else {
            courseSink.error("course.missing", at: SourcePosition(line: 1, column: 1), "this folder has no course.md",
                             hint: "add course.md with the course's id, title and module order in its front matter")
        }
        diagnostics += courseSink.diagnostics

        var guide = LanguageGuide.builtIn
        let languagePath = folder + "/language.yml"
        if FileManager.default.fileExists(atPath: languagePath) {
            var sink = DiagnosticSink(path: languagePath)
            if let file = SourceReader.read(path: languagePath, displayPath: languagePath, sink: &sink),
               let loaded = LanguageGuide.load(file, sink: &sink) {
                guide = loaded
            }
            diagnostics += sink.diagnostics
        }

        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".md") && $0 != "course.md" && $0.lowercased() != "readme.md" }
            .sorted()
        var files: [SourceFile] = []
        let reads = ParallelMap.map(names, parallel: parallel) { name -> (file: SourceFile?, diagnostics: [Diagnostic]) in
            let path = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return (nil, []) }
            var sink = DiagnosticSink(path: path)
            let file = SourceReader.read(path: path, displayPath: path, sink: &sink)
            return (file, sink.diagnostics)
        }
        for read in reads {
            if let file = read.file { files.append(file) }
            diagnostics += read.diagnostics
        }
        if names.isEmpty {
            var sink = DiagnosticSink(path: coursePath)
            sink.error("course.no-modules", at: SourcePosition(line: 1, column: 1), "the course folder has no module files",
                       hint: "add one .md file for each module next to course.md")
            diagnostics += sink.diagnostics
        }
        var result = finish(settings: settings, welcome: welcomeFile, modules: files, guide: guide, courseFile: welcomeFile,
                            diagnostics: diagnostics, orderPositions: orderPositions, parallel: parallel)
        result.fileCount = names.count + 1
        return result
    }

    // MARK: - Course settings

    private static func readCourseSettings(_ file: SourceFile, sink: inout DiagnosticSink) -> (CourseSettings, [String: SourcePosition]) {
        var settings = CourseSettings.defaults
        // A course names its own program; the built-in US values are only for a lone module.
        settings.program = [:]
        var positions: [String: SourcePosition] = [:]
        guard let frontMatter = FrontMatter.split(file, sink: &sink) else {
            if !sink.hasErrors {
                sink.error("front-matter.missing", at: SourcePosition(line: 1, column: 1), "course.md has no front matter",
                           hint: "start it with ---, then `id:`, `title:` and `modules:`, then ---")
            }
            return (settings, positions)
        }
        var reader = SettingsReader(file: file, frontMatter: frontMatter, sink: sink)
        defer { sink = reader.sink }
        guard let root = reader.compose(frontMatter.yaml),
              let fields = reader.mapping(root, known: courseKeys, what: "course.md's front matter") else {
            return (settings, positions)
        }
        if let id = reader.string(fields["id"], "id") { settings.id = id }
        else if fields["id"] == nil {
            reader.sink.error("course.no-id", at: SourcePosition(line: frontMatter.firstLine, column: 1), "the course has no id",
                              hint: "add `id: my-course`")
        }
        if let title = reader.string(fields["title"], "title") { settings.title = title }
        else if fields["title"] == nil {
            reader.sink.error("course.no-title", at: SourcePosition(line: frontMatter.firstLine, column: 1), "the course has no title",
                              hint: "add `title: …`")
        }
        settings.version = reader.string(fields["version"], "version")
        if let language = reader.string(fields["language"], "language") { settings.language = language }
        if let list = reader.stringList(fields["modules"], "modules") {
            settings.moduleOrder = []
            for (id, position) in list {
                if positions[id] != nil {
                    reader.sink.error("course.duplicate-module", at: position, "the module '\(id)' is listed twice",
                                      hint: "list each module once, in the order learners take them")
                    continue
                }
                positions[id] = position
                settings.moduleOrder?.append(id)
            }
        }
        if let entry = fields["completion"],
           let completion = reader.mapping(entry.value, known: ["modules", "pass", "attendance", "practicals"], what: "completion") {
            if let modules = completion["modules"] {
                if modules.value.string == "all" {
                    settings.completion.modules = nil
                } else if let list = reader.stringList(modules, "completion.modules") {
                    settings.completion.modules = list.map(\.0)
                    for (id, position) in list where positions["completion:" + id] == nil {
                        positions["completion:" + id] = position
                    }
                }
            }
            if let pass = reader.percent(completion["pass"], "pass") { settings.completion.pass = pass }
            if let attendance = reader.int(completion["attendance"], "attendance", range: 0...1_000) {
                settings.completion.attendance = attendance
            }
            if let practicals = completion["practicals"] {
                if practicals.value.string == "all" {
                    settings.completion.practicals = .all
                } else if practicals.value.string == "none" {
                    settings.completion.practicals = .none
                } else if let list = reader.stringList(practicals, "completion.practicals") {
                    settings.completion.practicals = .list(list.map(\.0))
                    for (id, position) in list where positions["practical:" + id] == nil {
                        positions["practical:" + id] = position
                    }
                }
            }
        }
        if let entry = fields["program"] {
            if let program = reader.openMapping(entry.value, what: "program") {
                for (key, keyNode, valueNode) in program {
                    let field = (key: keyNode, value: valueNode)
                    guard Slug.isValidID(key) else {
                        reader.sink.error("program.key", at: reader.position(field.key),
                                          "the program setting '\(key)' may only use lower-case letters, digits, - and _",
                                          hint: "write keys like `emergency-number`; modules name them as {{program.emergency-number}}")
                        continue
                    }
                    guard let value = reader.string(field, key) else { continue }
                    if value.contains("\n") || value.trimmed.isEmpty {
                        reader.sink.error("program.value", at: reader.position(field.value),
                                          "the program setting '\(key)' must be one line of text",
                                          hint: "write it on one line, for example `\(key): \"911\"`")
                        continue
                    }
                    settings.program[key] = value.trimmed
                }
            }
        }
        if let entry = fields["certificate"],
           let certificate = reader.mapping(entry.value, known: ["name", "valid-for", "renew-with"], what: "certificate") {
            settings.certificate = CourseSettings.Certificate(
                name: reader.string(certificate["name"], "name") ?? settings.title,
                validFor: reader.validity(certificate["valid-for"], "valid-for")
            )
            if let list = reader.stringList(certificate["renew-with"], "certificate.renew-with") {
                settings.certificate?.renewWith = list.map(\.0)
                for (id, position) in list where positions["renew:" + id] == nil {
                    positions["renew:" + id] = position
                }
            }
        }
        if let entry = fields["reading-grade"] {
            if entry.value.string == "off" {
                settings.readingGrade = nil
            } else if case .scalar = entry.value, let grade = entry.value.float, grade > 0, grade < 30 {
                settings.readingGrade = grade
            } else {
                reader.sink.error("front-matter.type", at: reader.position(entry.value), "'reading-grade' must be a grade level such as 8, or off",
                                  hint: "write `reading-grade: 8`")
            }
        }
        return (settings, positions)
    }

    // MARK: - Modules and course-wide checks

    private static func finish(settings: CourseSettings, welcome: SourceFile?, modules files: [SourceFile], guide: LanguageGuide,
                               courseFile: SourceFile?, diagnostics: [Diagnostic],
                               orderPositions: [String: SourcePosition], parallel: Bool) -> CompileResult {
        var diagnostics = diagnostics
        let language = LanguageCheck(guide: guide)
        var compiled: [CompiledModule] = []
        var firstFileForID: [String: String] = [:]
        // Each file is compiled and checked on its own (on all cores when `parallel`);
        // duplicate ids need every file, in order, so they are found afterwards.
        let checked = ParallelMap.map(files, parallel: parallel) { file in
            check(file, settings: settings, language: language)
        }
        for (file, module) in zip(files, checked) {
            var sink = DiagnosticSink(path: file.path)
            sink.diagnostics = module.compileDiagnostics
            if let result = module.result {
                if let earlier = firstFileForID[result.module.id] {
                    sink.error("module.duplicate-id", at: result.idPosition,
                               "the module id '\(result.module.id)' is already used by \(earlier)",
                               hint: "give every module its own id")
                } else {
                    firstFileForID[result.module.id] = file.path
                    compiled.append(result)
                }
            }
            diagnostics += sink.diagnostics
            diagnostics += module.checkDiagnostics
        }

        var welcomeElements: [Element] = []
        if let courseFile {
            var sink = DiagnosticSink(path: courseFile.path)
            var throwaway = DiagnosticSink(path: courseFile.path)
            if let frontMatter = FrontMatter.split(courseFile, sink: &throwaway) {
                var document = CommonMark.parse(frontMatter.body, lineOffset: frontMatter.bodyLineOffset)
                _ = ProgramText.check(courseFile, program: settings.program, sink: &sink)
                ProgramText.fill(&document, program: settings.program)
                if !document.nodes.isEmpty {
                    // The welcome is lesson text like a module's: callouts become callouts, so a
                    // [!FACILITATOR] note stays off the learners' start page.
                    var compiler = ModuleCompiler(file: courseFile, defaults: settings)
                    compiler.document = document
                    welcomeElements = compiler.elements(document.children(of: 0))
                    sink.diagnostics += compiler.sink.diagnostics
                    Self.checkFacilitatorHeadings(document, in: welcomeElements, sink: &sink)
                }
                checkText(file: courseFile, document: document, frontMatter: frontMatter, language: language, readingGrade: nil, sink: &sink)
            }
            diagnostics += sink.diagnostics
        }

        // Order: `modules:` in course.md, else file-name order.
        var ordered = compiled
        let byID = Dictionary(compiled.map { ($0.module.id, $0) }, uniquingKeysWith: { first, _ in first })
        if let courseFile {
            var sink = DiagnosticSink(path: courseFile.path)
            for id in settings.completion.modules ?? [] where byID[id] == nil {
                sink.error("course.missing-module", at: orderPositions["completion:" + id] ?? SourcePosition(line: 1, column: 1),
                           "completion lists the module '\(id)', but no module file has that id",
                           hint: "use the ids of module files, or `modules: all`")
            }
            if case let .list(ids) = settings.completion.practicals {
                let known = compiled.flatMap(\.module.practicals).map(\.id)
                for id in ids where !known.contains(id) {
                    let guess = closestMatch(to: id, in: known)
                    sink.error("course.missing-practical", at: orderPositions["practical:" + id] ?? SourcePosition(line: 1, column: 1),
                               "completion lists the practical '\(id)', but no module has a practical with that id",
                               hint: guess.map { "did you mean '\($0)'?" }
                                   ?? (known.isEmpty ? "add a `## Practice: …` section to a module, or remove `practicals:`"
                                                     : "practical ids are `module-id/slug`: \(known.joined(separator: ", "))"))
                }
            } else if settings.completion.practicals == .all, !compiled.contains(where: { !$0.module.practicals.isEmpty }) {
                sink.warning("course.no-practicals", at: SourcePosition(line: 1, column: 1),
                             "completion needs all practicals, but no module has one",
                             hint: "add a `## Practice: …` section to a module, or remove `practicals: all`")
            }
            for id in settings.certificate?.renewWith ?? [] where byID[id] == nil {
                sink.error("course.missing-module", at: orderPositions["renew:" + id] ?? SourcePosition(line: 1, column: 1),
                           "certificate.renew-with lists the module '\(id)', but no module file has that id",
                           hint: "name the refresher modules by the ids in their files")
            }
            diagnostics += sink.diagnostics
        }
        if let order = settings.moduleOrder, let courseFile {
            var sink = DiagnosticSink(path: courseFile.path)
            ordered = []
            for id in order {
                if let module = byID[id] {
                    ordered.append(module)
                } else {
                    let guess = closestMatch(to: id, in: Array(byID.keys))
                    sink.error("course.missing-module", at: orderPositions[id] ?? SourcePosition(line: 1, column: 1),
                               "course.md lists the module '\(id)', but no module file has that id",
                               hint: guess.map { "did you mean '\($0)'?" } ?? "add a module file with `id: \(id)`, or remove it from the list")
                }
            }
            for module in compiled where !order.contains(module.module.id) {
                var moduleSink = DiagnosticSink(path: module.file.path)
                moduleSink.warning("course.unlisted-module", at: module.idPosition,
                                   "the module '\(module.module.id)' is not in course.md's modules list, so it is left out of the course",
                                   hint: "add '\(module.module.id)' to `modules:` in course.md where learners should take it")
                diagnostics += moduleSink.diagnostics
            }
            diagnostics += sink.diagnostics
        }

        if let courseFile, ordered.count > 1 {
            var sink = DiagnosticSink(path: courseFile.path)
            let modules = ordered.map(\.module)
            let flagged = Set(modules.flatMap { AnswerShapeCheck.cueFindings(AnswerShapeCheck.options(in: $0)).map(\.word) })
            AnswerShapeCheck.runCourse(modules, flaggedWords: flagged, sink: &sink)
            diagnostics += sink.diagnostics
        }

        let sorted = Diagnostic.sorted(diagnostics)
        let hasErrors = sorted.contains { $0.severity == .error }
        var curriculum: Curriculum?
        if !hasErrors {
            let modules = ordered.map(\.module)
            curriculum = Curriculum(
                settings: settings, welcome: welcomeElements, modules: modules,
                hash: ContentHash.sha256(parts: [courseFile?.text ?? ""] + modules.map(\.hash))
            )
        }
        return CompileResult(curriculum: curriculum, diagnostics: sorted, fileCount: files.count)
    }

    /// One module file compiled and checked: the compiler's diagnostics, then those of the
    /// answer-key, language and reading-grade checks.
    private struct CheckedModule: Sendable {
        var result: CompiledModule?
        var compileDiagnostics: [Diagnostic]
        var checkDiagnostics: [Diagnostic]
    }

    private static func check(_ file: SourceFile, settings: CourseSettings, language: LanguageCheck) -> CheckedModule {
        var compiler = ModuleCompiler(file: file, defaults: settings)
        let result = compiler.compile()
        var sink = DiagnosticSink(path: file.path)
        if let result {
            AnswerKeyCheck.run(result.module, sink: &sink)
            AnswerShapeCheck.run(result.module, sink: &sink)
        }
        checkText(file: file, document: compiler.document, frontMatter: result?.frontMatter, language: language,
                  readingGrade: settings.readingGrade, sink: &sink)
        return CheckedModule(result: result, compileDiagnostics: compiler.sink.diagnostics, checkDiagnostics: sink.diagnostics)
    }

    /// The language check and reading grade for one file.
    /// A heading about facilitators in the welcome's public text is shown to every learner on
    /// the start page: almost always a note meant for facilitators only.
    private static func checkFacilitatorHeadings(_ document: MarkdownDocument, in elements: [Element], sink: inout DiagnosticSink) {
        for element in elements {
            guard case let .text(content) = element else { continue }
            for root in content.roots {
                guard case .heading = document.nodes[root].kind,
                      document.plainText(of: root).lowercased().contains("facilitator"),
                      let start = document.nodes[root].range?.start else { continue }
                sink.warning("course.facilitator-text", at: start,
                             "“\(document.plainText(of: root))” is shown to every learner on the start page",
                             hint: "put what only facilitators should read in a > [!FACILITATOR] callout; learners never see those")
            }
        }
    }

    private static func checkText(file: SourceFile, document: MarkdownDocument, frontMatter: FrontMatter?, language: LanguageCheck,
                                  readingGrade: Double?, sink: inout DiagnosticSink) {
        var (blocks, allowed) = LanguageCheck.scan(document)
        if let frontMatter, frontMatter.bodyLineOffset > 2 {
            // Only settings that learners read as text: ids, module lists and URLs are not prose.
            let proseSettings: Set<Substring> = ["title", "objectives", "certificate", "sources"]
            var setting: Substring = ""
            for line in frontMatter.firstLine..<frontMatter.bodyLineOffset {
                let raw = file.line(line)
                if let first = raw.first, first != " ", first != "-", first != "#", let colon = raw.firstIndex(of: ":") {
                    setting = raw[..<colon]
                }
                let text = raw.drop { $0 == " " || $0 == "-" }
                guard proseSettings.contains(setting), !text.hasPrefix("url:") else { continue }
                blocks.append(SourceRange(start: SourcePosition(line: line, column: 1), end: SourcePosition(line: line, column: Int.max / 2)))
            }
        }
        language.check(file: file, blocks: blocks, allowed: allowed, sink: &sink)
        if let limit = readingGrade {
            let (count, hardest) = ReadingGrade.measure(document)
            if let grade = count.grade, grade > limit {
                let rounded = (grade * 10).rounded() / 10
                sink.warning("reading.grade", at: SourcePosition(line: hardest ?? 1, column: 1),
                             "this module reads at grade \(rounded), above the course's reading-grade of \(limit.formatted())",
                             hint: "use shorter sentences and everyday words" + (hardest.map { "; the hardest paragraph starts at line \($0)" } ?? ""))
            }
        }
    }
}

extension Double {
    func formatted() -> String {
        rounded() == self ? String(Int(self)) : String(self)
    }
}
