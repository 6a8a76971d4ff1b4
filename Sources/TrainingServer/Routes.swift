import CurriculumKit
import Foundation
import Hummingbird
import Presentation
import Runtime

/// Every route of the learner web app. Each one reads the session, asks ``Coursework``
/// (which does all scoring, recording and progress), and renders a page or redirects.
struct Routes: Sendable {
    let coursework: Coursework
    let pages: Pages
    let sessions: Sessions
    let resumeLimiter: FailureLimiter
    let html = HTMLCache()

    private var curriculum: Curriculum { coursework.curriculum }

    func register(on router: Router<WebContext>) {
        router.get("/") { request, context in try await home(request, context) }
        router.post("/start") { request, context in try await start(request, context) }
        router.get("/welcome") { request, context in try await welcome(request, context) }
        router.post("/resume") { request, context in try await resume(request, context) }
        router.post("/sign-out") { request, context in try await signOut(request, context) }
        router.get("/modules/:module") { request, context in try await module(request, context) }
        router.post("/modules/:module/attempts") { request, context in try await startAttempt(request, context) }
        router.get("/modules/:module/sections/:number") { request, context in
            guard let text = context.parameters.get("number"), let number = Int(text) else { throw HTTPError(.notFound) }
            return try await section(context, number: number, form: nil, error: nil)
        }
        router.post("/modules/:module/answers") { request, context in try await answer(request, context) }
        router.get("/modules/:module/feedback") { request, context in try await feedback(request, context) }
        router.get("/modules/:module/result") { request, context in try await result(request, context) }
        router.get("/style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: pages.stylesheet)))
        }
        router.get("/health") { _, _ in
            let body = #"{"status":"ok","course":"\#(curriculum.settings.id)","modules":\#(curriculum.modules.count)}"#
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    // MARK: Signing in

    /// The signed-in learner, or nil (a session for a deleted learner counts as signed out).
    private func learner(_ context: WebContext) async throws -> Learner? {
        guard let id = context.session.learnerID else { return nil }
        return try await coursework.learner(id: id)
    }

    private func requireLearner(_ context: WebContext) async throws -> Learner {
        guard let learner = try await learner(context) else { throw Redirect(to: "/") }
        return learner
    }

    /// Checks the form's CSRF token against the session; refuses the request otherwise.
    private func checkedForm(_ request: Request, _ context: WebContext) async throws -> Form {
        let form = try await Form.read(request)
        guard pages.signer.checkCSRF(form["csrf"], for: context.session) else {
            throw HTTPError(.forbidden, message: "missing or wrong form token")
        }
        return form
    }

    private func home(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let learner = try await learner(context) else { return welcomePage(context, values: [:]) }
        let progress = try await coursework.progress(of: learner)
        var values = pages.base(context, learner: learner)
        values["progressSummary"] = CourseSummary.modules(progress)
        if let remaining = CourseSummary.remaining(progress) { values["completionNote"] = remaining }
        if let attendance = CourseSummary.attendance(progress) { values["attendanceNote"] = attendance }
        values["modules"] = zip(curriculum.modules, progress.modules).map { module, progress -> [String: Any] in
            let status = ModuleStatus(progress)
            var entry: [String: Any] = ["id": module.id, "title": module.title, "stateText": status.label,
                                        "stateClass": status.tone.rawValue]
            if let note = status.attemptsNote { entry["attemptsNote"] = note }
            if let minutes = module.minutes { entry["minutes"] = minutes }
            return entry
        }
        return pages.page("course", values, context: context)
    }

    private func welcomePage(_ context: WebContext, values extra: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var values = pages.base(context, learner: nil)
        // The page's own heading is the course title, with the forms right under it (on a
        // phone, within the first screen); the welcome follows, without its own first title.
        let welcome = html.html("welcome") { Self.withoutLeadingTitle(LessonHTML.render(curriculum.welcome)) }
        values["welcomeHTML"] = welcome
        values.merge(extra) { $1 }
        return pages.page("welcome", values, context: context, status: status)
    }

    /// HTML without a first `<h1>…</h1>` (the page already has the course's title as its heading).
    static func withoutLeadingTitle(_ html: String) -> String {
        let trimmed = html.drop { $0.isWhitespace }
        guard trimmed.hasPrefix("<h1"), let end = trimmed.range(of: "</h1>") else { return html }
        return String(trimmed[end.upperBound...])
    }

    private func start(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await checkedForm(request, context)
        let name = form["name"] ?? ""
        do {
            let (learner, code) = try await coursework.register(displayName: name)
            context.logger.info("learner registered")
            // The code travels sealed in the server-side session, to be shown once.
            let token = try await sessions.begin(.learner, subjectID: learner.id, flash: code.description)
            return pages.redirect(to: "/welcome", session: .signedIn(learnerID: learner.id, token: token))
        } catch let error as RecordsError where error.kind == .badDisplayName {
            return welcomePage(context, values: ["startError": sentence(error), "name": String(name.prefix(200))], status: .badRequest)
        }
    }

    private func welcome(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let learner = try await learner(context), let token = context.session.token,
              let code = try await sessions.takeFlash(token: token) else {
            return pages.redirect(to: "/")
        }
        var values = pages.base(context, learner: learner)
        values["displayName"] = learner.displayName
        values["code"] = code
        values["spokenCode"] = code.replacingOccurrences(of: "-", with: " ")
        return pages.page("code", values, context: context)
    }

    private func resume(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await checkedForm(request, context)
        let typed = form["code"] ?? ""
        guard await !resumeLimiter.isBlocked(context.clientKey) else {
            return welcomePage(context, values: ["resumeError": "Too many codes that didn't match. Wait 15 minutes, then try again.",
                                                 "code": String(typed.prefix(100))], status: .tooManyRequests)
        }
        do {
            let learner = try await coursework.learner(resumeCode: typed)
            let token = try await sessions.begin(.learner, subjectID: learner.id)
            return pages.redirect(to: "/", session: .signedIn(learnerID: learner.id, token: token))
        } catch let error as RecordsError where error.kind == .unknownCode || error.kind == .malformedCode {
            await resumeLimiter.recordFailure(context.clientKey)
            return welcomePage(context, values: ["resumeError": sentence(error), "code": String(typed.prefix(100))], status: .badRequest)
        }
    }

    private func signOut(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try await checkedForm(request, context)
        if let token = context.session.token { try await sessions.end(token: token) }
        return pages.redirect(to: "/", session: .fresh())
    }

    // MARK: Modules

    private func moduleFor(_ context: WebContext) throws -> Module {
        guard let id = context.parameters.get("module"), let module = curriculum.module(id: id) else {
            throw HTTPError(.notFound)
        }
        return module
    }

    /// The signed-in learner's view of the module in the URL, read in one go.
    private func moduleView(_ context: WebContext) async throws -> Coursework.ModuleView {
        let module = try moduleFor(context)
        guard let id = context.session.learnerID, let view = try await coursework.moduleView(module.id, learnerID: id) else {
            throw Redirect(to: "/")
        }
        return view
    }

    private func module(_ request: Request, _ context: WebContext) async throws -> Response {
        let view = try await moduleView(context)
        let (learner, module, open) = (view.learner, view.module, view.open)
        let progress: ModuleProgress? = view.progress
        var values = pages.base(context, learner: learner)
        values["moduleID"] = module.id
        values["moduleTitle"] = module.title
        var facts: [String] = []
        if let minutes = module.minutes { facts.append("About \(minutes) minutes") }
        facts.append("pass mark \(module.pass)%")
        if let attempts = module.attempts { facts.append("\(attempts) attempt\(attempts == 1 ? "" : "s")") }
        values["facts"] = facts.joined(separator: " · ")
        if let progress {
            let status = ModuleStatus(progress)
            values["stateText"] = status.label
            values["stateClass"] = status.tone.rawValue
            if let note = status.attemptsNote { values["attemptsNote"] = note }
            values["hasResult"] = progress.attemptsUsed > 0
        }
        values["objectives"] = module.objectives
        values["hasObjectives"] = !module.objectives.isEmpty
        values["introductionHTML"] = html.html("intro:\(module.id)") { LessonHTML.render(module.introduction) }
        values["sections"] = module.sections.enumerated().map { ["moduleID": module.id, "number": $0.offset + 1, "title": $0.element.title] }
        if let open, let next = open.next {
            values["canContinue"] = true
            values["continueURL"] = "/modules/\(module.id)/sections/\(next.item.section + 1)"
            values["nextNumber"] = open.itemsDone + 1
            values["itemCount"] = open.items.count
        } else if progress?.attemptsLeft == 0 {
            values["noAttemptsLeft"] = true
        } else if progress?.state == .notStarted || progress?.state == .inProgress, !module.sections.isEmpty {
            // A module starts at its first lesson; the attempt starts at the first question reached.
            values["readURL"] = "/modules/\(module.id)/sections/1"
        } else {
            values["canStart"] = true
            values["startLabel"] = progress?.state == .passed ? "Take it again" : "Try again"
        }
        values["sources"] = module.sources.map { source -> [String: Any] in
            var entry: [String: Any] = ["title": source.title]
            if let url = source.url, url.hasPrefix("https://") || url.hasPrefix("http://") { entry["url"] = url }
            return entry
        }
        values["sourcesCount"] = !module.sources.isEmpty
        return pages.page("module", values, context: context)
    }

    private func startAttempt(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try await checkedForm(request, context)
        let learner = try await requireLearner(context)
        let module = try moduleFor(context)
        do {
            let state = try await coursework.attempt(module.id, for: learner)
            // A module of lessons only has nothing to answer: it is passed once read to its end.
            if try await coursework.finishReading(state) != nil {
                return pages.redirect(to: "/modules/\(module.id)/result")
            }
            // The questions show where their author put them, after the lesson they belong to.
            let section = state.next.map { $0.item.section + 1 } ?? 1
            return pages.redirect(to: "/modules/\(module.id)/sections/\(section)")
        } catch let error as RecordsError where error.kind == .noAttemptsLeft {
            return pages.redirect(to: "/modules/\(module.id)")
        }
    }

    private func section(_ context: WebContext, number: Int, form: Form?, error: String?) async throws -> Response {
        let view = try await moduleView(context)
        let (learner, module, open) = (view.learner, view.module, view.open)
        guard (1...max(1, module.sections.count)).contains(number), !module.sections.isEmpty else {
            throw HTTPError(.notFound)
        }
        let index = number - 1
        let section = module.sections[index]
        var values = pages.base(context, learner: learner)
        values["moduleID"] = module.id
        values["moduleTitle"] = module.title
        values["number"] = number
        values["sectionCount"] = module.sections.count
        values["sectionTitle"] = section.title
        values["lessonHTML"] = html.html("section:\(module.id):\(index)") { LessonHTML.render(section.elements, key: "s\(index)") }
        let hasItems = !section.questions.isEmpty || !(section.scenario?.steps.isEmpty ?? true)
        let mayStart = view.progress.attemptsLeft != 0
        if let open, let next = open.next, next.item.section == index {
            values["question"] = QuestionForm.values(next, state: open, previous: form, error: error, html: html)
            // The lesson is read before the section's first question; after that it folds away.
            var begun = open.items.contains { $0.section == index && open.isDone($0) }
            if case let .scenarioStep(scenario, _, _, _) = next, !open.path(in: scenario.id).isEmpty { begun = true }
            values["lessonFolded"] = begun && !section.elements.isEmpty
        } else if let open, let next = open.next, next.item.section < index {
            values["nextURL"] = "/modules/\(module.id)/sections/\(next.item.section + 1)"
            values["nextLabel"] = "Back to question \(open.itemsDone + 1)"
        } else if open == nil, view.progress.state == .notStarted || view.progress.state == .inProgress, hasItems, mayStart {
            // Reading in order reaches the questions: the attempt starts here, at the first one.
            values["startQuestions"] = true
            values["startLabel"] = "Start the questions"
            values["startNote"] = "After each question you'll see why an answer is right or not. Your answers are saved as you go."
        } else if open == nil, view.progress.state == .notStarted, module.questions.isEmpty, module.scenarios.isEmpty,
                  number == module.sections.count {
            // The last page of a module of lessons only: finishing it passes the module.
            values["startQuestions"] = true
            values["startLabel"] = "Finish this module"
        } else if number < module.sections.count {
            values["nextURL"] = "/modules/\(module.id)/sections/\(number + 1)"
            values["nextLabel"] = "Next: \(module.sections[number].title)"
        } else if open == nil, view.progress.attemptsUsed > 0 {
            values["nextURL"] = "/modules/\(module.id)/result"
            values["nextLabel"] = "See your result"
        } else {
            values["nextURL"] = "/modules/\(module.id)"
            values["nextLabel"] = "Back to the module"
        }
        return pages.page("section", values, context: context, status: error == nil ? .ok : .badRequest)
    }

    private func answer(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await checkedForm(request, context)
        let view = try await moduleView(context)
        let module = view.module
        guard let state = view.open, let next = state.next else {
            return pages.redirect(to: "/modules/\(module.id)")  // finished or never started
        }
        let sectionURL = "/modules/\(module.id)/sections/\(next.item.section + 1)"
        var expectedStep = ""
        if case let .scenarioStep(_, step, _, _) = next { expectedStep = step.slug }
        guard form["item"] == next.item.id, (form["step"] ?? "") == expectedStep else {
            return pages.redirect(to: sectionURL)  // an old form (another tab, the back button): show where things are
        }
        let number = next.item.section + 1
        // The form becomes a typed response in the letters shown, then the module's own.
        switch QuestionForm.response(form, for: next.presented.shown) {
        case let .failure(problem):
            return try await section(context, number: number, form: form, error: problem.message)
        case let .success(shown):
            do {
                _ = try await coursework.answer(next.presented.toModule(shown), in: state)
            } catch let error as RecordsError where error.kind == .alreadyAnswered || error.kind == .attemptClosed {
                return pages.redirect(to: sectionURL)
            } catch let problem as InputProblem {
                return try await section(context, number: number, form: form, error: sentence(problem.message))
            }
            return pages.redirect(to: "/modules/\(module.id)/feedback")
        }
    }

    private func feedback(_ request: Request, _ context: WebContext) async throws -> Response {
        let learner = try await requireLearner(context)
        let module = try moduleFor(context)
        guard let review = try await coursework.lastAnswer(module.id, for: learner) else {
            return pages.redirect(to: "/modules/\(module.id)")
        }
        let feedback = AnswerFeedback(review.evaluation, question: review.question, response: review.response.response)
        var values = pages.base(context, learner: learner)
        values["moduleID"] = module.id
        values["moduleTitle"] = module.title
        values["questionTitle"] = review.question.title
        values["verdict"] = feedback.verdict.heading
        values["verdictSymbol"] = feedback.verdict.symbol
        values["verdictClass"] = feedback.verdict.kind.rawValue
        values["critical"] = feedback.critical.map { ["summary": $0.summary, "feedbackHTML": LessonHTML.render($0.feedback)] }
        values["chosen"] = feedback.chosen.map { ["text": $0.text, "feedbackHTML": LessonHTML.render($0.feedback)] }
        values["missed"] = feedback.missed.map { ["text": $0.text, "feedbackHTML": LessonHTML.render($0.feedback)] }
        values["yourAnswer"] = feedback.yourAnswer
        values["hasYourAnswer"] = !feedback.yourAnswer.isEmpty
        values["yourAnswerLabel"] = review.question.kind == .matching ? "Your matches:" : "Your order:"
        values["rightAnswer"] = feedback.rightAnswer
        values["rightAnswerCount"] = !feedback.rightAnswer.isEmpty
        values["rightAnswerLabel"] = feedback.rightAnswerLabel
        values["explanationHTML"] = LessonHTML.render(feedback.explanation)
        if let (story, path) = review.scenario, let slug = path.ending {
            var ending: [String: Any] = ["percent": path.score.percent, "title": "The end of the scenario"]
            if let step = story.step(slug) {
                ending["title"] = step.title
                ending["narrativeHTML"] = LessonHTML.render(step.narrative)
            }
            values["ending"] = ending
        }
        if review.attemptFinished {
            values["nextURL"] = "/modules/\(module.id)/result"
            values["nextLabel"] = "See your result"
        } else if let next = review.state.next {
            values["nextURL"] = "/modules/\(module.id)/sections/\(next.item.section + 1)"
            values["nextLabel"] = next.item.section == review.state.items.first(where: { $0.id == review.response.itemID })?.section
                ? "Next question" : "Next: \(module.sections[next.item.section].title)"
        }
        return pages.page("feedback", values, context: context)
    }

    private func result(_ request: Request, _ context: WebContext) async throws -> Response {
        let learner = try await requireLearner(context)
        let module = try moduleFor(context)
        guard let (_, outcome) = try await coursework.latestOutcome(module.id, for: learner) else {
            return pages.redirect(to: "/modules/\(module.id)")
        }
        let progress = try await coursework.progress(of: learner)
        let shown = ModuleResult(outcome, module: module, progress: progress, curriculum: curriculum)
        var values = pages.base(context, learner: learner)
        values["moduleID"] = module.id
        values["moduleTitle"] = module.title
        values["passed"] = shown.passed
        values["headline"] = shown.headline
        values["scoreLine"] = shown.scoreLine
        if let reason = shown.reasonLine { values["reasonLine"] = reason }
        values["progressSummary"] = CourseSummary.modules(progress)
        values["critical"] = shown.critical
        values["criticalCount"] = !shown.critical.isEmpty
        values["reviewLabel"] = shown.reviewLabel
        values["review"] = shown.review.map { ["moduleID": module.id, "number": $0.number, "title": $0.title] as [String: Any] }
        values["reviewCount"] = !shown.review.isEmpty
        if let line = shown.attemptsLine { values["attemptsNote"] = line }
        values["canTryAgain"] = !shown.passed && progress.modules.first { $0.moduleID == module.id }?.attemptsLeft != 0
        if let next = shown.nextModule { values["nextModule"] = ["id": next.id, "title": next.title] }
        return pages.page("result", values, context: context)
    }
}

/// An error's message and hint as sentences, for a page.
func sentence(_ error: RecordsError) -> String {
    sentence(error.message) + (error.hint.map { " " + sentence($0) } ?? "")
}

/// The text with a capital and a full stop.
func sentence(_ text: String) -> String {
    let capitalized = text.prefix(1).uppercased() + text.dropFirst()
    return capitalized.hasSuffix(".") ? capitalized : capitalized + "."
}

/// Thrown by a route to send the visitor elsewhere (to the start page when signed out).
struct Redirect: Error {
    var to: String
}

/// Turns ``Redirect`` into a 303.
struct RedirectMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as Redirect {
            return Response(status: .seeOther, headers: [.location: redirect.to, .cacheControl: "no-store"])
        }
    }
}
