import CurriculumKit
import Foundation
import Hummingbird
import Mustache
import Presentation
import Runtime

/// Renders the Mustache templates in `Templates/` into responses. Learner-supplied text is
/// always passed as `{{escaped}}` values; only cmark's safe HTML goes in `{{{raw}}}` ones.
struct Pages: Sendable {
    let library: MustacheLibrary
    let curriculum: Curriculum
    let signer: SessionSigner
    let stylesheet: String
    /// The small script the live group-session pages use (they work without it, less live).
    let script: String

    /// Loads the templates and stylesheet; fails with a message naming what is missing.
    static func load(directory: String, curriculum: Curriculum, signer: SessionSigner) async throws -> Pages {
        let required = ["layout", "welcome", "code", "course", "module", "section", "feedback", "result", "error",
                        "staff-layout", "staff-sign-in", "staff-code", "staff-password", "staff-home", "staff-people",
                        "staff-audit", "staff-two-step", "staff-error",
                        "group-sessions", "group-control", "group-ended", "group-present", "group-join", "group-live", "group-guide",
                        "staff-learners", "staff-learner", "staff-cohorts", "staff-certificates", "staff-certificate-row",
                        "certificate", "verify"]
        for name in required where !FileManager.default.fileExists(atPath: "\(directory)/\(name).mustache") {
            throw ServerError("the template \(directory)/\(name).mustache is missing",
                              hint: "run from the Groundwork folder, or pass --templates with the folder that holds the .mustache files")
        }
        guard let css = FileManager.default.contents(atPath: directory + "/style.css") else {
            throw ServerError("the stylesheet \(directory)/style.css is missing", hint: "pass --templates with the right folder")
        }
        guard let script = FileManager.default.contents(atPath: directory + "/live.js") else {
            throw ServerError("the script \(directory)/live.js is missing", hint: "pass --templates with the right folder")
        }
        let library: MustacheLibrary
        do {
            library = try await MustacheLibrary(directory: directory)
        } catch {
            throw ServerError("a template in \(directory) can't be read: \(error)", hint: "check the Mustache syntax of the template named")
        }
        return Pages(library: library, curriculum: curriculum, signer: signer, stylesheet: String(decoding: css, as: UTF8.self),
                     script: String(decoding: script, as: UTF8.self))
    }

    /// What every learner page has: course title, language, the learner (if any) and the CSRF token.
    func chrome(_ context: WebContext, learner: Learner?) -> Chrome {
        Chrome(courseTitle: curriculum.settings.title, language: curriculum.settings.language,
               csrf: signer.csrfToken(for: context.session), learner: learner.map { LearnerName(displayName: $0.displayName) })
    }

    /// Reads a posted form and checks its CSRF token against the session; a 403 otherwise.
    func checkedForm(_ request: Request, _ context: WebContext) async throws -> Form {
        let form = try await Form.read(request)
        guard signer.checkCSRF(form["csrf"], for: context.session) else {
            throw HTTPError(.forbidden, message: "missing or wrong form token")
        }
        return form
    }

    /// A page as a response, with the session cookie when the session is new.
    func page<View: Sendable>(_ template: String, _ values: View, context: WebContext, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(values, withTemplate: template) ?? "<!DOCTYPE html><title>Error</title><p>This page could not be shown.</p>"
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
        if context.session.isNew { setCookie(context.session, on: &response, origin: context.origin) }
        return response
    }

    /// A 303 redirect after a form, setting `session`'s cookie when given.
    func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// A 303 redirect after a form that sets `session`'s cookie.
    func redirect(to location: String, session: Session, context: WebContext) -> Response {
        var response = redirect(to: location)
        setCookie(session, on: &response, origin: context.origin)
        return response
    }

    /// Adds the learner session cookie, `Secure` when people reach the server over HTTPS.
    func setCookie(_ session: Session, on response: inout Response, origin: PublicOrigin) {
        response.headers[values: .setCookie].append(
            "\(Session.cookieName)=\(signer.encode(session)); Path=/; Max-Age=\(Session.lifetime); HttpOnly; SameSite=Lax"
                + origin.cookieSuffix)
    }

    /// A friendly error page.
    func error(_ status: HTTPResponse.Status, heading: String, message: String, context: WebContext, learner: Learner? = nil,
               staff: StaffName? = nil, link: (url: String, label: String) = ("/", "Go to the start page"),
               staffArea: Bool = false) -> Response {
        let chrome = self.chrome(context, learner: learner)
        let page = ErrorPage(courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
                             staff: staff, heading: heading, message: message, linkURL: link.url, linkLabel: link.label)
        return self.page(staffArea ? "staff-error" : "error", page, context: context, status: status)
    }
}

/// A problem that stops the server from starting, with how to fix it.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var message: String
    /// What to do.
    public var hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

// MARK: - Questions as forms

/// The values the section template needs to show one question as a form, with what the
/// learner chose last time when a submission is shown again with an error.
enum QuestionForm {
    static func view(_ next: AttemptState.Next, state: AttemptState, previous: Form?, error: String?,
                     html cache: HTMLCache) -> QuestionFormView {
        let presented = next.presented
        let question = presented.shown
        var scenarioStep: Int?
        if case let .scenarioStep(scenario, _, _, _) = next { scenarioStep = state.path(in: scenario.id).count + 1 }
        // Whether the prompt already says it is a fact of the course: worked out once per question.
        let instructions = cache.html("instructions:\(next.item.id)#\(question.id)") { Instructions.page(for: question) ?? "" }
        var view = QuestionFormView(
            itemID: next.item.id, title: question.title,
            promptHTML: cache.html("prompt:\(next.item.id)#\(question.id)") { LessonHTML.render(question.prompt) },
            counter: Instructions.counter(questionNumber: state.itemsDone + 1, of: state.items.count, scenarioStep: scenarioStep),
            step: "", instructions: instructions.isEmpty ? nil : instructions, error: error)
        if case let .scenarioStep(scenario, step, _, _) = next {
            view.scenarioTitle = scenario.title
            view.narrativeHTML = cache.html("narrative:\(scenario.id)#\(step.slug)") { LessonHTML.render(step.narrative) }
            view.step = step.slug
            view.title = step.title
        }
        let chosen = Set(previous?.all("answer") ?? [])
        let count = question.options.count
        let options: [OptionField] = question.options.map { option in
            let label = cache.html("option:\(next.item.id)#\(question.id)#\(option.position)") { inlineHTML(option) }
            var field = OptionField(letter: option.letter, html: label, checked: chosen.contains(option.letter))
            if question.kind == .ordering {
                let picked = previous?["position-\(option.letter)"]
                field.positions = (1...max(1, count)).map { FormValue(value: $0, text: nil, selected: picked == String($0)) }
            }
            if question.kind == .matching {
                let picked = previous?["match-\(option.letter)"]
                field.targets = question.matchTargets.enumerated().map { index, text in
                    FormValue(value: index + 1, text: text, selected: picked == String(index + 1))
                }
            }
            return field
        }
        let choices = ChoicesView(options: options, typed: previous?["answer"] ?? "")
        switch question.kind {
        case .singleChoice: view.single = choices
        case .selectAll: view.select = choices
        case .ordering: view.ordering = choices
        case .matching: view.matching = choices
        case .shortAnswer: view.short = choices
        }
        return view
    }

    /// An option's text as inline HTML (its Markdown through cmark's safe renderer).
    static func inlineHTML(_ option: Option) -> String {
        let html = option.html
        // A single paragraph: drop the <p> wrapper so it sits in a label.
        if html.hasPrefix("<p>"), html.hasSuffix("</p>\n"), html.components(separatedBy: "<p>").count == 2 {
            return String(html.dropFirst(3).dropLast(5))
        }
        return html
    }

    /// The submitted fields as a response in the letters shown, or a message saying what is missing.
    static func response(_ form: Form, for question: Question) -> Result<CurriculumKit.Response, InputProblem> {
        switch question.kind {
        case .singleChoice:
            guard let answer = form["answer"], !answer.isEmpty else {
                return .failure(InputProblem("Choose one of the answers, then check it."))
            }
            return .success(.choice(answer))
        case .selectAll:
            // An empty submission is one accidental tap, not an answer: it is never scored.
            let letters = form.all("answer").filter { !$0.isEmpty }
            guard !letters.isEmpty else {
                return .failure(InputProblem("Tick every answer that applies, then check it."))
            }
            return .success(.selection(letters))
        case .ordering:
            var positions: [(Int, String)] = []
            for option in question.options {
                guard let text = form["position-\(option.letter)"], let position = Int(text) else {
                    return .failure(InputProblem("Give every step a position."))
                }
                positions.append((position, option.letter))
            }
            guard Set(positions.map(\.0)).count == positions.count else {
                return .failure(InputProblem("Give each step a different position."))
            }
            return .success(.order(positions.sorted { $0.0 < $1.0 }.map(\.1)))
        case .matching:
            var pairs: [String: Int] = [:]
            for option in question.options {
                guard let text = form["match-\(option.letter)"], let number = Int(text) else {
                    return .failure(InputProblem("Choose a match for every item."))
                }
                pairs[option.letter] = number
            }
            return .success(.matches(pairs))
        case .shortAnswer:
            let text = (form["answer"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return .failure(InputProblem("Type an answer, then check it.")) }
            return .success(.text(text))
        }
    }
}
