import Credentials
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
    let coordination: Coordination
    let certificates: Certificates
    let html = HTMLCache()

    private var curriculum: Curriculum { coursework.curriculum }

    func register(on router: Router<WebContext>) {
        router.get("/") { request, context in try await home(request, context) }
        router.post("/start") { request, context in try await start(request, context) }
        router.get("/welcome") { request, context in try await welcome(request, context) }
        router.post("/resume") { request, context in try await resume(request, context) }
        router.post("/sign-out") { request, context in try await signOut(request, context) }
        router.get("/start/:key") { request, context in try await cohortLink(request, context) }
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

    private func home(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let learner = try await learner(context) else { return welcomePage(context) }
        let progress = try await coursework.progress(of: learner)
        let chrome = pages.chrome(context, learner: learner)
        let page = CoursePage(
            courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
            progressSummary: CourseSummary.modules(progress), completionNote: CourseSummary.remaining(progress),
            attendanceNote: CourseSummary.attendance(progress),
            practicalNote: CourseSummary.practicals(progress, titles: Dictionary(curriculum.practicals.map { ($0.id, $0.title) },
                                                                                 uniquingKeysWith: { first, _ in first })),
            modules: zip(curriculum.modules, progress.modules).map { module, progress in
                let status = ModuleStatus(progress)
                return ModuleRow(id: module.id, title: module.title, stateText: status.label, stateClass: status.tone.rawValue,
                                 attemptsNote: status.attemptsNote, minutes: module.minutes)
            },
            certificate: try await certificateOffer(for: learner, request: request),
            joinedCohort: request.uri.queryParameters.get("joined") == nil ? nil : "You joined your program's group for this course.")
        return pages.page("course", page, context: context)
    }

    /// What the course page says about certificates.
    private func certificateOffer(for learner: Learner, request: Request) async throws -> CertificateOfferView? {
        let problem = request.uri.queryParameters.get("certificate")
        let nameError = problem == "name" ? "Type the name to print on your certificate: letters, spaces and everyday punctuation, up to 60 characters." : nil
        var view = CertificateOfferView(canClaim: false, renewing: false, holding: nil, withdrawn: false, refreshers: [],
                                        nameError: nameError, notYetNote: nil)
        switch try await certificates.offer(for: learner) {
        case .none:
            return nil
        case .notYet:
            let practicals = !curriculum.requiredPracticals.isEmpty
            view.notYetNote = curriculum.settings.completion.attendance > 0
                ? (practicals ? "When you've passed the modules, taken part in a group session and had your practical skills signed off, you can get your certificate here."
                              : "When you've passed the modules and taken part in a group session, you can get your certificate here.")
                : (practicals ? "When you've passed the modules and had your practical skills signed off, you can get your certificate here."
                              : "When you've passed the modules, you can get your certificate here.")
        case .claim:
            view.canClaim = true
        case let .withdrawn(record):
            view.withdrawn = true
            view.holding = held(record)
        case let .holding(record, renewal):
            view.holding = held(record)
            if let renewal {
                view.renewing = true
                view.canClaim = renewal.ready
                view.refreshers = renewal.modules.map { RefresherView(id: $0.id, title: $0.title, done: $0.done) }
            }
        }
        return view
    }

    private func held(_ record: CertificateRecord) -> CertificateHeld {
        CertificateHeld(code: record.code, validUntil: record.validUntil.map(CertificateRoutes.longDay),
                        expired: record.standing(at: Date()) == .expired, url: "/certificates/\(record.code)")
    }

    /// A cohort's join link: a signed-in learner joins at once; anyone else sees the start
    /// page, and joins as they start or continue.
    private func cohortLink(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let cohort = try await coordination.cohort(joinKey: context.parameters.get("key") ?? "") else {
            return pages.error(.notFound, heading: "That link doesn't work", message: "This join link isn't one we know. Check it with whoever gave it to you, or start the course without it.",
                               context: context)
        }
        if let learner = try await learner(context) {
            try await coordination.join(cohort, learnerID: learner.id)
            return pages.redirect(to: "/?joined=1")
        }
        return welcomePage(context, cohortKey: cohort.joinKey, cohortName: cohort.name)
    }

    /// Joins the cohort a start or resume form came from, if it names one.
    private func joinCohort(_ form: Form, learnerID: String) async throws {
        guard let key = form["cohort"], !key.isEmpty, let cohort = try await coordination.cohort(joinKey: key) else { return }
        try await coordination.join(cohort, learnerID: learnerID)
    }

    private func welcomePage(_ context: WebContext, startError: String? = nil, resumeError: String? = nil, name: String? = nil,
                             code: String? = nil, cohortKey: String? = nil, cohortName: String? = nil,
                             status: HTTPResponse.Status = .ok) -> Response {
        let chrome = pages.chrome(context, learner: nil)
        // The page's own heading is the course title, with the forms right under it (on a
        // phone, within the first screen); the welcome follows, without its own first title.
        let welcome = html.html("welcome") { Self.withoutLeadingTitle(LessonHTML.render(curriculum.welcome)) }
        let page = WelcomePage(courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: nil,
                               welcomeHTML: welcome, startError: startError, resumeError: resumeError, name: name, code: code,
                               cohortKey: cohortKey.flatMap { $0.count == 16 && $0.allSatisfy(\.isHexDigit) ? $0 : nil },
                               cohortName: cohortName)
        return pages.page("welcome", page, context: context, status: status)
    }

    /// HTML without a first `<h1>…</h1>` (the page already has the course's title as its heading).
    static func withoutLeadingTitle(_ html: String) -> String {
        let trimmed = html.drop { $0.isWhitespace }
        guard trimmed.hasPrefix("<h1"), let end = trimmed.range(of: "</h1>") else { return html }
        return String(trimmed[end.upperBound...])
    }

    private func start(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        let name = form["name"] ?? ""
        do {
            let (learner, code) = try await coursework.register(displayName: name)
            context.logger.info("learner registered")
            try await joinCohort(form, learnerID: learner.id)
            // The code travels sealed in the server-side session, to be shown once.
            let token = try await sessions.begin(.learner, subjectID: learner.id, flash: code.description)
            return pages.redirect(to: "/welcome", session: .signedIn(learnerID: learner.id, token: token), context: context)
        } catch let error as RecordsError where error.kind == .badDisplayName {
            return welcomePage(context, startError: sentence(error), name: String(name.prefix(200)), cohortKey: form["cohort"],
                               status: .badRequest)
        }
    }

    private func welcome(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let learner = try await learner(context), let token = context.session.token,
              let code = try await sessions.takeFlash(token: token) else {
            return pages.redirect(to: "/")
        }
        let chrome = pages.chrome(context, learner: learner)
        let page = CodePage(courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
                            displayName: learner.displayName, code: code, spokenCode: code.replacingOccurrences(of: "-", with: " "))
        return pages.page("code", page, context: context)
    }

    private func resume(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        let typed = form["code"] ?? ""
        guard await !resumeLimiter.isBlocked(context.clientKey) else {
            return welcomePage(context, resumeError: "Too many codes that didn't match. Wait 15 minutes, then try again.",
                               code: String(typed.prefix(100)), status: .tooManyRequests)
        }
        do {
            let learner = try await coursework.learner(resumeCode: typed)
            try await joinCohort(form, learnerID: learner.id)
            let token = try await sessions.begin(.learner, subjectID: learner.id)
            return pages.redirect(to: "/", session: .signedIn(learnerID: learner.id, token: token), context: context)
        } catch let error as RecordsError where error.kind == .unknownCode || error.kind == .malformedCode {
            await resumeLimiter.recordFailure(context.clientKey)
            return welcomePage(context, resumeError: sentence(error), code: String(typed.prefix(100)), cohortKey: form["cohort"],
                               status: .badRequest)
        }
    }

    private func signOut(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try await pages.checkedForm(request, context)
        if let token = context.session.token { try await sessions.end(token: token) }
        return pages.redirect(to: "/", session: .fresh(), context: context)
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
        let chrome = pages.chrome(context, learner: learner)
        var facts: [String] = []
        if let minutes = module.minutes { facts.append("About \(minutes) minutes") }
        facts.append("pass mark \(module.pass)%")
        if let attempts = module.attempts { facts.append("\(attempts) attempt\(attempts == 1 ? "" : "s")") }
        var page = ModulePage(
            courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
            moduleID: module.id, moduleTitle: module.title, facts: facts.joined(separator: " · "),
            objectives: module.objectives, hasObjectives: !module.objectives.isEmpty,
            introductionHTML: html.html("intro:\(module.id)") { LessonHTML.render(module.introduction) },
            sections: module.sections.enumerated().map { SectionLink(moduleID: module.id, number: $0.offset + 1, title: $0.element.title) },
            sources: module.sources.map { source in
                SourceRow(title: source.title,
                          url: source.url.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil })
            },
            sourcesCount: !module.sources.isEmpty)
        if let progress {
            let status = ModuleStatus(progress)
            page.stateText = status.label
            page.stateClass = status.tone.rawValue
            page.attemptsNote = status.attemptsNote
            page.hasResult = progress.attemptsUsed > 0
        }
        if let open, let next = open.next {
            page.canContinue = true
            page.continueURL = "/modules/\(module.id)/sections/\(next.item.section + 1)"
            page.nextNumber = open.itemsDone + 1
            page.itemCount = open.items.count
        } else if progress?.attemptsLeft == 0 {
            page.noAttemptsLeft = true
        } else if progress?.state == .notStarted || progress?.state == .inProgress, !module.sections.isEmpty {
            // A module starts at its first lesson; the attempt starts at the first question reached.
            page.readURL = "/modules/\(module.id)/sections/1"
        } else {
            page.canStart = true
            page.startLabel = progress?.state == .passed ? "Take it again" : "Try again"
        }
        return pages.page("module", page, context: context)
    }

    private func startAttempt(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try await pages.checkedForm(request, context)
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
        let chrome = pages.chrome(context, learner: learner)
        var page = SectionPage(
            courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
            moduleID: module.id, moduleTitle: module.title, number: number, sectionCount: module.sections.count,
            sectionTitle: section.title,
            lessonHTML: html.html("section:\(module.id):\(index)") { LessonHTML.render(section.elements, key: "s\(index)") })
        if let practical = section.practical {
            let signOff = try await coursework.store.signOffs(learnerID: learner.id).first { $0.practicalID == practical.id }
            page.practical = PracticalView(practical, signOff: signOff,
                                           required: curriculum.requiredPracticals.contains { $0.id == practical.id })
        }
        let hasItems = !section.questions.isEmpty || !(section.scenario?.steps.isEmpty ?? true)
        let mayStart = view.progress.attemptsLeft != 0
        if let open, let next = open.next, next.item.section == index {
            page.question = QuestionForm.view(next, state: open, previous: form, error: error, html: html)
            // The lesson is read before the section's first question; after that it folds away.
            var begun = open.items.contains { $0.section == index && open.isDone($0) }
            if case let .scenarioStep(scenario, _, _, _) = next, !open.path(in: scenario.id).isEmpty { begun = true }
            page.lessonFolded = begun && !section.elements.isEmpty
        } else if let open, let next = open.next, next.item.section < index {
            page.nextURL = "/modules/\(module.id)/sections/\(next.item.section + 1)"
            page.nextLabel = "Back to question \(open.itemsDone + 1)"
        } else if open == nil, view.progress.state == .notStarted || view.progress.state == .inProgress, hasItems, mayStart {
            // Reading in order reaches the questions: the attempt starts here, at the first one.
            page.startQuestions = true
            page.startLabel = "Start the questions"
            page.startNote = "After each question you'll see why an answer is right or not. Your answers are saved as you go."
        } else if open == nil, view.progress.state == .notStarted, module.questions.isEmpty, module.scenarios.isEmpty,
                  number == module.sections.count {
            // The last page of a module of lessons only: finishing it passes the module.
            page.startQuestions = true
            page.startLabel = "Finish this module"
        } else if number < module.sections.count {
            page.nextURL = "/modules/\(module.id)/sections/\(number + 1)"
            page.nextLabel = "Next: \(module.sections[number].title)"
        } else if open == nil, view.progress.attemptsUsed > 0 {
            page.nextURL = "/modules/\(module.id)/result"
            page.nextLabel = "See your result"
        } else {
            page.nextURL = "/modules/\(module.id)"
            page.nextLabel = "Back to the module"
        }
        return pages.page("section", page, context: context, status: error == nil ? .ok : .badRequest)
    }

    private func answer(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
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
        let chrome = pages.chrome(context, learner: learner)
        var page = FeedbackPage(
            courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
            moduleID: module.id, moduleTitle: module.title, questionTitle: review.question.title,
            verdict: feedback.verdict.heading, verdictSymbol: feedback.verdict.symbol, verdictClass: feedback.verdict.kind.rawValue,
            critical: feedback.critical.map { FeedbackNote(summary: $0.summary, text: nil, feedbackHTML: LessonHTML.render($0.feedback)) },
            chosen: feedback.chosen.map { FeedbackNote(summary: nil, text: $0.text, feedbackHTML: LessonHTML.render($0.feedback)) },
            missed: feedback.missed.map { FeedbackNote(summary: nil, text: $0.text, feedbackHTML: LessonHTML.render($0.feedback)) },
            yourAnswer: feedback.yourAnswer, hasYourAnswer: !feedback.yourAnswer.isEmpty,
            yourAnswerLabel: review.question.kind == .matching ? "Your matches:" : "Your order:",
            rightAnswer: feedback.rightAnswer, rightAnswerCount: !feedback.rightAnswer.isEmpty,
            rightAnswerLabel: feedback.rightAnswerLabel, explanationHTML: LessonHTML.render(feedback.explanation))
        if let (story, path) = review.scenario, let slug = path.ending {
            let step = story.step(slug)
            page.ending = EndingView(percent: path.score.percent, title: step?.title ?? "The end of the scenario",
                                     narrativeHTML: step.map { LessonHTML.render($0.narrative) })
        }
        if review.attemptFinished {
            page.nextURL = "/modules/\(module.id)/result"
            page.nextLabel = "See your result"
        } else if let next = review.state.next {
            page.nextURL = "/modules/\(module.id)/sections/\(next.item.section + 1)"
            page.nextLabel = next.item.section == review.state.items.first(where: { $0.id == review.response.itemID })?.section
                ? "Next question" : "Next: \(module.sections[next.item.section].title)"
        }
        return pages.page("feedback", page, context: context)
    }

    private func result(_ request: Request, _ context: WebContext) async throws -> Response {
        let learner = try await requireLearner(context)
        let module = try moduleFor(context)
        guard let (_, outcome) = try await coursework.latestOutcome(module.id, for: learner) else {
            return pages.redirect(to: "/modules/\(module.id)")
        }
        let progress = try await coursework.progress(of: learner)
        let shown = ModuleResult(outcome, module: module, progress: progress, curriculum: curriculum)
        let chrome = pages.chrome(context, learner: learner)
        let page = ResultPage(
            courseTitle: chrome.courseTitle, language: chrome.language, csrf: chrome.csrf, learner: chrome.learner,
            moduleID: module.id, moduleTitle: module.title, passed: shown.passed, headline: shown.headline,
            scoreLine: shown.scoreLine, reasonLine: shown.reasonLine, progressSummary: CourseSummary.modules(progress),
            critical: shown.critical, criticalCount: !shown.critical.isEmpty, reviewLabel: shown.reviewLabel,
            review: shown.review.map { SectionLink(moduleID: module.id, number: $0.number, title: $0.title) },
            reviewCount: !shown.review.isEmpty, attemptsNote: shown.attemptsLine,
            canTryAgain: !shown.passed && progress.modules.first { $0.moduleID == module.id }?.attemptsLeft != 0,
            nextModule: shown.nextModule.map { NextModule(id: $0.id, title: $0.title) })
        return pages.page("result", page, context: context)
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
