import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Presentation
import Runtime
import ServiceLifecycle

/// Facilitated group sessions on the web: the facilitator's list, control view, projector
/// and printable guide under `/staff/sessions` and `/staff/guide` (facilitator role, and only
/// the session's own facilitator may see or drive it); participants join at `/join` and
/// answer at `/live`, anonymously, with a random token in a cookie. Everything goes
/// through ``GroupSessions``; live updates are server-sent events from its ``LiveUpdates``.
struct GroupRoutes: Sendable {
    let groups: GroupSessions
    let staff: StaffRoutes
    let pages: Pages
    let joinLimiter: FailureLimiter
    let resumeLimiter: FailureLimiter
    let html = HTMLCache()

    static let participantCookie = "gw_live"
    /// Notices a redirect to `/live?n=KEY` shows (a fixed list: nothing typed is echoed).
    static let notices = [
        "linked": "This session will count toward your course when the facilitator ends it.",
        "closed": "That question has closed. Here is what's on the screen now.",
    ]
    /// How often a live stream sends a comment to keep the connection (and idle timers) alive.
    static let heartbeat: Duration = .seconds(5)
    /// The shortest gap between two count updates on a staff stream.
    static let coalescing: Duration = .milliseconds(20)

    private var curriculum: Curriculum { groups.coursework.curriculum }

    func register(on router: Router<WebContext>) {
        router.get("/staff/sessions") { request, context in try await list(request, context, error: nil) }
        router.post("/staff/sessions") { request, context in try await open(request, context) }
        router.get("/staff/sessions/:id") { request, context in try await control(request, context, notice: nil, error: nil) }
        router.get("/staff/sessions/:id/present") { request, context in try await present(request, context) }
        router.post("/staff/sessions/:id/control") { request, context in try await drive(request, context) }
        router.post("/staff/sessions/:id/end") { request, context in try await end(request, context) }
        router.post("/staff/sessions/:id/attendance") { request, context in try await attendance(request, context) }
        router.get("/staff/sessions/:id/practicals") { request, context in try await practicals(request, context, notice: .fromQuery, error: nil) }
        router.post("/staff/sessions/:id/practicals") { request, context in try await signOff(request, context) }
        router.get("/staff/sessions/:id/events") { request, context in try await staffEvents(request, context) }
        router.get("/staff/guide/:module") { request, context in try await guide(request, context) }
        router.get("/join") { request, context in joinPage(context, code: request.uri.queryParameters["code"].map(String.init) ?? "", nickname: "", error: nil) }
        router.post("/join") { request, context in try await join(request, context) }
        router.get("/live") { request, context in
            try await live(request, context, error: nil, notice: request.uri.queryParameters["n"].flatMap { Self.notices[String($0)] })
        }
        router.post("/live/answer") { request, context in try await answer(request, context) }
        router.post("/live/link") { request, context in try await link(request, context) }
        router.get("/live/events") { request, context in try await participantEvents(request, context) }
        router.get("/live.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: pages.script)))
        }
    }

    // MARK: The facilitator's sessions

    private func name(_ signIn: StaffSignIn) -> StaffName { StaffName(name: signIn.member.name) }

    private func list(_ request: Request, _ context: WebContext, error: String?, checked: Set<String> = [],
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let signIn = try await staff.require(request, .facilitator)
        try await groups.closeIdleSessions()
        let sessions = try await groups.sessions(of: signIn.member)
        func row(_ session: GroupSession) -> SessionRow {
            SessionRow(id: session.id, code: spaced(session.code), modulesText: modulesText(session.moduleIDs),
                       openedText: when(session.openedAt), endedText: session.endedAt.map(when))
        }
        let page = GroupListPage(
            courseTitle: curriculum.settings.title, language: curriculum.settings.language,
            csrf: pages.signer.csrfToken(for: context.session), staff: name(signIn),
            modules: curriculum.modules.map { ModuleChoice(id: $0.id, title: $0.title, minutesText: $0.minutes.map { "about \($0) minutes" },
                                                           checked: checked.contains($0.id)) },
            open: sessions.filter { $0.status == .open }.map(row),
            ended: sessions.filter { $0.status == .ended }.prefix(20).map(row), error: error)
        return pages.page("group-sessions", page, context: context, status: status)
    }

    private func open(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .facilitator)
        let form = try await pages.checkedForm(request, context)
        let chosen = form.all("module")
        // Course order, whatever order the boxes came in.
        let ordered = curriculum.modules.map(\.id).filter(chosen.contains)
        guard !ordered.isEmpty, ordered.count == Set(chosen).count else {
            return try await list(request, context, error: chosen.isEmpty ? "Tick at least one module for the session." : "Choose modules from the list.",
                                  checked: Set(chosen), status: .badRequest)
        }
        let session = try await groups.open(moduleIDs: ordered, by: signIn.member)
        return pages.redirect(to: "/staff/sessions/\(session.id)")
    }

    /// The session named in the path, if the signed-in facilitator runs it. Another
    /// facilitator (or a coordinator) gets a 403 page; an unknown id a 404.
    private func ownSession(_ request: Request, _ context: WebContext) async throws -> (StaffSignIn, GroupSession) {
        let signIn = try await staff.require(request, .facilitator)
        guard let id = context.parameters.get("id") else { throw HTTPError(.notFound) }
        do {
            return (signIn, try await groups.session(id: id, runBy: signIn.member))
        } catch let error as RecordsError where error.kind == .notAllowed {
            throw NotYourSession()
        } catch let error as RecordsError where error.kind == .unknownSession {
            throw HTTPError(.notFound)
        }
    }

    private func control(_ request: Request, _ context: WebContext, notice: String?, error: String?,
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let (signIn, session) = try await ownSession(request, context)
        guard session.status == .open else { return try await endedPage(signIn, session, context, notice: notice, error: error, status: status) }
        let deck = groups.deck(for: session)
        guard let slide = deck.slide(at: session.position) else { throw HTTPError(.internalServerError) }
        let step = deck.step(at: session.position)
        var current = SlideView(slide, step: step, html: html)
        var answered: String?
        var choices: [FollowChoice] = []
        var roomChoice: String?
        if let question = deck.poll(at: session.position) {
            current.poll = try await pollView(question, session)
            answered = current.poll?.answeredText
            if step != nil {
                let presented = groups.presented(question, in: session)
                let tally = try await groups.tally(session, poll: question.id)
                let votes = presented.shown.options.map { option -> (letter: String, text: String, votes: Int) in
                    var votes = 0
                    if case let .choice(letter) = presented.toModule(.choice(option.letter)) { votes = tally.count(choosing: letter) }
                    return (option.letter, option.text, votes)
                }
                choices = votes.map { FollowChoice(letter: $0.letter, text: $0.text, votesText: $0.votes == 1 ? "1 vote" : "\($0.votes) votes") }
                // The first of the most chosen, as the runtime follows it.
                var best: (letter: String, text: String, votes: Int)?
                for option in votes where option.votes > (best?.votes ?? 0) { best = option }
                if let best {
                    roomChoice = "Next follows the room's choice: \(best.letter), “\(best.text)”."
                } else {
                    roomChoice = "Nobody has voted: Next takes the step's usual path."
                }
            }
        }
        let next = deck.next(after: session.position)
        let upNext = next.flatMap { deck.slide(at: $0) }.map { slide -> String in
            let view = SlideView(slide, step: deck.step(at: next ?? session.position), html: html)
            return "\(view.kindLabel): \(view.heading)"
        }
        let notes = slide.notes.map(\.html).joined()
        var onPractical = false
        if case .practical = slide.body { onPractical = true }
        let page = GroupControlPage(
            courseTitle: curriculum.settings.title, language: curriculum.settings.language,
            csrf: pages.signer.csrfToken(for: context.session), staff: name(signIn),
            hasPracticals: !groups.practicals(of: session).isEmpty, onPractical: onPractical,
            id: session.id, code: spaced(session.code), version: session.version,
            eventsURL: "/staff/sessions/\(session.id)/events", joinAddress: joinAddress(context),
            slideCounter: "Slide \(session.position.slide + 1) of \(deck.slides.count)", current: current, upNext: upNext,
            notesHTML: notes.isEmpty ? nil : notes,
            minutesText: slide.minutes.map { "About \($0) minute\($0 == 1 ? "" : "s") for this part" },
            timerMinutes: slide.minutes, timerKey: "\(session.id)-\(slide.moduleID ?? "")-\(slide.sectionID ?? "")",
            answeredText: answered, joinedText: PollResults.joined(try await groups.participantCount(session)),
            canReveal: deck.poll(at: session.position) != nil && !session.revealed, revealed: session.revealed,
            blanked: session.blanked, showNicknames: session.showNicknames,
            atStart: deck.previous(before: session.position) == nil, atEnd: next == nil,
            choices: choices, roomChoiceText: roomChoice,
            outline: outline(deck, at: session.position),
            closesText: "If nothing happens, this session closes by itself at \(time(groups.closesAt(session))) and counts attendance then.",
            notice: notice, error: error)
        return pages.page("group-control", page, context: context, status: status)
    }

    /// Where the facilitator can jump: the join slide, each module's start, the end slide.
    private func outline(_ deck: SlideDeck, at position: SlidePosition) -> [OutlineEntry] {
        let end = deck.slides.count - 1
        let starts = deck.moduleStarts.map { (index: $0.slide, title: curriculum.module(id: $0.moduleID)?.title ?? $0.moduleID) }
        return ([(index: 0, title: "Join slide")] + starts + [(index: end, title: "End slide")]).map {
            OutlineEntry(index: $0.index, title: $0.title, isCurrent: $0.index == position.slide)
        }
    }

    private func endedPage(_ signIn: StaffSignIn, _ session: GroupSession, _ context: WebContext, notice: String?, error: String?,
                           status: HTTPResponse.Status) async throws -> Response {
        let page = GroupEndedPage(
            courseTitle: curriculum.settings.title, language: curriculum.settings.language,
            csrf: pages.signer.csrfToken(for: context.session), staff: name(signIn),
            hasPracticals: !groups.practicals(of: session).isEmpty, id: session.id,
            modulesText: modulesText(session.moduleIDs), endedText: session.endedAt.map(when) ?? "",
            attendanceText: "Linked participants' attendance was recorded when it ended. Its join code no longer works.",
            notice: notice, error: error)
        return pages.page("group-ended", page, context: context, status: status)
    }

    private func pollView(_ question: Question, _ session: GroupSession) async throws -> PollView {
        let presented = groups.presented(question, in: session)
        let shown = presented.shown
        let count = try await groups.answerCount(session, poll: question.id)
        var results: ResultsView?
        if session.revealed {
            let tally = try await groups.tally(session, poll: question.id)
            results = ResultsView(PollResults(presented, tally: tally), explanationHTML: explanation(question))
        }
        var options = shown.options.map { option in
            OptionView(letter: option.letter, html: html.html("option-md:" + option.markdown) { QuestionForm.inlineHTML(option) })
        }
        if question.kind == .matching {
            options += shown.matchTargets.enumerated().map { OptionView(letter: String($0.offset + 1), html: escape($0.element)) }
        }
        if question.kind == .shortAnswer { options = [] }
        return PollView(pollKey: question.id, title: question.title,
                        promptHTML: html.html("prompt:\(question.id)") { LessonHTML.render(question.prompt) },
                        options: options, answeredText: PollResults.answered(count), revealed: session.revealed, results: results)
    }

    private func explanation(_ question: Question) -> String? {
        let text = html.html("explanation:\(question.id)") { LessonHTML.render(question.explanation) }
        return text.isEmpty ? nil : text
    }

    private func drive(_ request: Request, _ context: WebContext) async throws -> Response {
        let (signIn, session) = try await ownSession(request, context)
        let form = try await pages.checkedForm(request, context)
        let action = form["action"] ?? ""
        var change: GroupSessions.Control
        switch action {
        case "next": change = .next
        case "back": change = .back
        case "reveal": change = .reveal
        case "blank": change = .blank(!session.blanked)
        case "nicknames": change = .nicknames(!session.showNicknames)
        default:
            if action.hasPrefix("follow-") { change = .follow(String(action.dropFirst("follow-".count))) }
            else if action.hasPrefix("go-"), let index = Int(action.dropFirst("go-".count)) { change = .go(index) }
            else { return try await control(request, context, notice: nil, error: "That button isn't known. Try again.", status: .badRequest) }
        }
        // Blanking and nicknames are toggles that can't go wrong from a stale page.
        var seen = form["version"].flatMap { Int($0) }
        if action == "blank" || action == "nicknames" { seen = nil }
        if case let .follow(letter) = change, let question = groups.deck(for: session).poll(at: session.position),
           case let .choice(moduleLetter) = groups.presented(question, in: session).toModule(.choice(letter)) {
            // The button carries the letter shown; the runtime follows module letters.
            change = .follow(moduleLetter)
        }
        do {
            try await groups.control(session.id, by: signIn.member, seen: seen, change)
        } catch let error as RecordsError where error.kind == .sessionMoved {
            return try await control(request, context, notice: "The session moved on from another screen; this is where it is now.", error: nil)
        } catch let error as RecordsError where error.kind == .unknownItem || error.kind == .sessionEnded {
            return try await control(request, context, notice: nil, error: sentence(error), status: .badRequest)
        }
        return pages.redirect(to: "/staff/sessions/\(session.id)")
    }

    private func end(_ request: Request, _ context: WebContext) async throws -> Response {
        let (signIn, session) = try await ownSession(request, context)
        _ = try await pages.checkedForm(request, context)
        let attendance = try await groups.end(session.id, by: signIn.member)
        let people = attendance.count
        return try await endedPage(signIn, try await groups.session(id: session.id) ?? session, context,
                                   notice: "The session has ended. Attendance recorded for \(people) linked \(people == 1 ? "person" : "people").",
                                   error: nil, status: .ok)
    }

    private func attendance(_ request: Request, _ context: WebContext) async throws -> Response {
        let (signIn, session) = try await ownSession(request, context)
        let form = try await pages.checkedForm(request, context)
        if await resumeLimiter.isBlocked(context.clientKey) {
            return try await control(request, context, notice: nil, error: "Too many wrong codes from this device. Wait 15 minutes, then try again.",
                                     status: .tooManyRequests)
        }
        do {
            let learner = try await groups.recordAttendance(resumeCode: form["code"] ?? "", in: session.id, by: signIn.member)
            return try await control(request, context, notice: "Attendance recorded for \(learner.displayName).", error: nil)
        } catch let error as RecordsError where error.kind == .unknownCode || error.kind == .malformedCode {
            await resumeLimiter.recordFailure(context.clientKey)
            return try await control(request, context, notice: nil, error: "No learner has that resume code. Check the four words with them.",
                                     status: .badRequest)
        } catch let error as RecordsError where error.kind == .duplicate {
            return try await control(request, context, notice: "Their attendance at this session was already recorded.", error: nil)
        }
    }

    // MARK: Practical sign-offs

    /// A practical's steps as a list (numbered when their order matters).
    static func stepsHTML(_ practical: Practical) -> String {
        let items = practical.steps.map { "<li>\($0.html)</li>" }.joined()
        return practical.ordered ? "<ol class=\"checklist\">\(items)</ol>" : "<ul class=\"checklist\">\(items)</ul>"
    }

    /// The sign-off page: each practical of the session's modules, with everyone in the
    /// session who linked their resume code. Kept off the live control view, so ticks in
    /// progress survive the room's answers.
    /// What the sign-off page says at the top: nothing, or the outcome named in its query
    /// after a sign-off's redirect.
    enum SignOffNotice { case none, fromQuery }

    private func practicals(_ request: Request, _ context: WebContext, notice kind: SignOffNotice = .none, error: String?,
                            ticked: (learnerID: String, practicalID: String, steps: Set<Int>)? = nil,
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let (signIn, session) = try await ownSession(request, context)
        let roster = try await groups.signOffRoster(session.id, by: signIn.member)
        let query = Form.query(request)
        var notice: String?
        if case .fromQuery = kind, let done = query["done"], let who = query["learner"] {
            let name = roster.first { $0.learner.id == who }?.learner.displayName ?? "them"
            notice = done == "signed" ? "Signed off \(name)." : done == "kept" ? "\(name) was already signed off on this; the first sign-off stands." : nil
        }
        let practicals = groups.practicals(of: session).map { practical in
            SignOffPractical(
                practicalID: practical.id, anchor: "p-" + Hex.sha256(practical.id).prefix(10), title: practical.title, ordered: practical.ordered,
                people: roster.map { entry in
                    let done = entry.signOffs.first { $0.practicalID == practical.id }
                    let again = ticked.flatMap { $0.learnerID == entry.learner.id && $0.practicalID == practical.id ? $0.steps : nil }
                    let key = Hex.sha256(practical.id + "/" + entry.learner.id).prefix(10)
                    return SignOffPerson(
                        learnerID: entry.learner.id, name: entry.learner.displayName,
                        open: again != nil || (kind == .fromQuery && query["learner"] == entry.learner.id),
                        signedNote: done.map { "Signed off on \(CertificateRoutes.longDay($0.signedAt)) by \($0.signerName)." },
                        steps: practical.steps.enumerated().map { index, step in
                            SignOffStep(index: index, html: step.html, fieldID: "s\(key)-\(index)", checked: again?.contains(index) ?? false)
                        })
                })
        }
        let page = SignOffPage(
            courseTitle: curriculum.settings.title, language: curriculum.settings.language,
            csrf: pages.signer.csrfToken(for: context.session), staff: name(signIn), sessionID: session.id, code: spaced(session.code),
            ended: session.status == .ended, practicals: practicals, nobody: roster.isEmpty, notice: notice, error: error)
        return pages.page("group-practicals", page, context: context, status: status)
    }

    private func signOff(_ request: Request, _ context: WebContext) async throws -> Response {
        let (signIn, session) = try await ownSession(request, context)
        let form = try await pages.checkedForm(request, context)
        let learnerID = form["learner"] ?? ""
        let practicalID = form["practical"] ?? ""
        let steps = Set(form.all("step").compactMap { Int($0) })
        do {
            let added = try await groups.signOff(learnerID: learnerID, practicalID: practicalID, observed: steps, in: session.id, by: signIn.member)
            // After a redirect, so reloading the page doesn't send the sign-off again.
            var components = URLComponents()
            components.queryItems = [.init(name: "done", value: added ? "signed" : "kept"), .init(name: "learner", value: learnerID)]
            return pages.redirect(to: "/staff/sessions/\(session.id)/practicals?" + (components.percentEncodedQuery ?? ""))
        } catch let error as RecordsError where error.kind == .notEligible {
            // Only a learner in the session gets this far, so their name may be shown.
            let name = try await groups.coursework.learner(id: learnerID)?.displayName
            return try await practicals(request, context,
                                        error: "Not signed off yet: \(error.message). Tick every step you saw \(name ?? "them") do.",
                                        ticked: (learnerID, practicalID, steps), status: .badRequest)
        } catch let error as RecordsError where error.kind == .unknownItem || error.kind == .notAllowed {
            return try await practicals(request, context, error: error.message.prefix(1).uppercased() + error.message.dropFirst() + ".",
                                        status: .badRequest)
        }
    }

    // MARK: The projector

    private func present(_ request: Request, _ context: WebContext) async throws -> Response {
        let (_, session) = try await ownSession(request, context)
        let deck = groups.deck(for: session)
        let position = session.status == .open ? session.position : SlidePosition(slide: max(0, deck.slides.count - 1))
        guard let slide = deck.slide(at: position) else { throw HTTPError(.internalServerError) }
        var view = SlideView(slide, step: deck.step(at: position), html: html)
        if session.status == .open, let question = deck.poll(at: position) { view.poll = try await pollView(question, session) }
        let address = joinAddress(context)
        let page = GroupPresentPage(
            courseTitle: curriculum.settings.title, language: curriculum.settings.language,
            eventsURL: "/staff/sessions/\(session.id)/events", version: session.version,
            blanked: session.blanked, slide: view, codeSpaced: spaced(session.code), joinAddress: address,
            qrSVG: view.isJoin ? qrSVG(address + "?code=" + session.code, label: "QR code to join: \(address)") : nil,
            joinedText: PollResults.joined(try await groups.participantCount(session)),
            nicknames: view.isJoin && session.status == .open ? try await groups.nicknamesShown(session) : [])
        return pages.page("group-present", page, context: context)
    }

    // MARK: The printable guide

    private func guide(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await staff.require(request, .facilitator)
        guard let id = context.parameters.get("module"), let module = curriculum.module(id: id) else { throw HTTPError(.notFound) }
        let deck = SlideDeck(modules: [module])
        let sections = module.sections.map { section -> GuideSection in
            let notes = section.elements.compactMap { element -> String? in
                if case let .callout(.facilitator, content) = element { return content.html }
                return nil
            }.joined()
            let discuss = section.elements.compactMap { element -> String? in
                if case let .callout(.discuss, content) = element { return content.html }
                return nil
            }
            var questions = section.questions
            questions += section.scenario?.steps.compactMap(\.question) ?? []
            return GuideSection(
                title: section.title,
                minutesText: deck.slides.first { $0.sectionID == section.id }?.minutes.map { "About \($0) minutes" },
                notesHTML: notes.isEmpty ? nil : notes, lessonHTML: LessonHTML.render(section.elements.filter {
                    if case .callout(.discuss, _) = $0 { return false }
                    return true
                }) + (section.practical.map(Self.stepsHTML) ?? ""),
                discussHTML: discuss,
                questions: questions.map { question in
                    let key = PollResults(PresentedQuestion(question, plan: nil), tally: PollTally())
                    return GuideQuestion(
                        title: question.title, promptHTML: LessonHTML.render(question.prompt),
                        options: question.options.map { option in
                            var mark: String?
                            if option.isCorrect { mark = option.isCritical ? "right, must be chosen" : "right" }
                            else if option.isCritical { mark = "must never be chosen" }
                            else if option.weight > 0 { mark = "partly right (\(option.weight)%)" }
                            let target = option.match.flatMap { question.matchTargets.indices.contains($0) ? " → " + question.matchTargets[$0] : nil } ?? ""
                            return GuideOption(letter: option.letter, text: option.text + target, mark: mark)
                        },
                        rightAnswerLabel: key.rightAnswerLabel, rightAnswer: key.rightAnswer,
                        explanationHTML: explanation(question))
                })
        }
        let notes = module.introduction.compactMap { element -> String? in
            if case let .callout(.facilitator, content) = element { return content.html }
            return nil
        }
        var page = GuidePage(courseTitle: curriculum.settings.title, language: curriculum.settings.language,
                             csrf: pages.signer.csrfToken(for: context.session), staff: name(signIn), title: module.title,
                             minutesText: module.minutes.map { "About \($0) minutes in all" }, objectives: module.objectives,
                             sections: sections)
        if !notes.isEmpty {
            page.sections.insert(GuideSection(title: "Before you start", minutesText: nil, notesHTML: notes.joined(), lessonHTML: "",
                                              discussHTML: [], questions: []), at: 0)
        }
        return pages.page("group-guide", page, context: context)
    }

    // MARK: Participants

    private func joinPage(_ context: WebContext, code: String, nickname: String, error: String?,
                          status: HTTPResponse.Status = .ok) -> Response {
        let page = JoinPage(courseTitle: curriculum.settings.title, language: curriculum.settings.language,
                            csrf: pages.signer.csrfToken(for: context.session), code: String(code.filter(\.isNumber).prefix(6)),
                            nickname: String(nickname.prefix(40)), error: error)
        return pages.page("group-join", page, context: context, status: status)
    }

    private func join(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        let code = form["code"] ?? ""
        let nickname = form["nickname"] ?? ""
        if await joinLimiter.isBlocked(context.clientKey) {
            return joinPage(context, code: code, nickname: nickname, error: "Too many wrong codes from this device. Wait 15 minutes, then try again.",
                            status: .tooManyRequests)
        }
        do {
            let joined = try await groups.join(code: code, nickname: nickname)
            var response = pages.redirect(to: "/live")
            response.headers[values: .setCookie].append(
                "\(Self.participantCookie)=\(joined.token); Path=/; Max-Age=\(12 * 3600); HttpOnly; SameSite=Lax" + context.origin.cookieSuffix)
            return response
        } catch let error as RecordsError where error.kind == .unknownSession {
            await joinLimiter.recordFailure(context.clientKey)
            return joinPage(context, code: code, nickname: nickname,
                            error: "No session is running with that code. Check the six digits on the screen.", status: .badRequest)
        } catch let error as RecordsError where error.kind == .badDisplayName {
            return joinPage(context, code: code, nickname: nickname, error: sentence(error), status: .badRequest)
        }
    }

    /// The participant in the request's cookie, with their session; nil when they haven't
    /// joined or the session has ended.
    private func participant(_ request: Request) async throws -> (participant: Participant, session: GroupSession)? {
        guard let token = request.cookies[Self.participantCookie]?.value else { return nil }
        return try await groups.participant(token: token)
    }

    private func live(_ request: Request, _ context: WebContext, error: String?, notice: String?, previous: Form? = nil,
                      linkError: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let (participant, session) = try await participant(request) else {
            if request.cookies[Self.participantCookie] != nil {
                return pages.error(.ok, heading: "This session has ended",
                                   message: "Thank you for taking part. Your answers were counted and nothing about you was kept.",
                                   context: context, link: ("/", "Go to the start page"))
            }
            return pages.redirect(to: "/join")
        }
        let deck = groups.deck(for: session)
        guard let slide = deck.slide(at: session.position) else { throw HTTPError(.internalServerError) }
        let learner = try await context.session.learnerID.asyncMap { try await groups.coursework.learner(id: $0) } ?? nil
        var page = LivePage(courseTitle: curriculum.settings.title, language: curriculum.settings.language,
                            csrf: pages.signer.csrfToken(for: context.session), eventsURL: "/live/events", version: session.version,
                            heading: slide.heading, waiting: nil, ended: false, question: nil, results: nil, yourAnswer: [],
                            linked: participant.learnerID != nil, signedInName: learner?.displayName, linkError: linkError, notice: notice)
        if let question = deck.poll(at: session.position) {
            let presented = groups.presented(question, in: session)
            let mine = try await groups.answer(of: participant, poll: question.id)
            if session.revealed {
                let tally = try await groups.tally(session, poll: question.id)
                page.results = ResultsView(PollResults(presented, tally: tally), explanationHTML: explanation(question))
                page.heading = question.title
                page.yourAnswer = mine.map { Self.describe($0, presented) } ?? ["You didn't answer this one, and that's fine."]
            } else {
                page.question = liveQuestion(presented, step: deck.step(at: session.position), mine: mine, previous: previous, error: error)
            }
        } else if case .join = slide.body {
            page.heading = "You're in"
            page.waiting = "The facilitator will start soon. Questions will appear here when there are some; you can skip any of them."
        } else if case .end = slide.body {
            page.waiting = "That's the end of the session. Thank you for taking part."
        } else {
            page.waiting = "Look up at the screen: the facilitator is talking. A question will appear here when there is one."
        }
        return pages.page("group-live", page, context: context, status: status)
    }

    private func liveQuestion(_ presented: PresentedQuestion, step: Scenario.Step?, mine: CurriculumKit.Response?, previous: Form?,
                              error: String?) -> LiveQuestion {
        let question = presented.shown
        // What to show as chosen: the form sent back with an error, else their stored answer.
        var chosen = Set(previous?.all("answer") ?? [])
        var positions: [String: Int] = [:]
        var matches: [String: Int] = [:]
        var typed = previous?["answer"] ?? ""
        if previous == nil, let mine {
            switch presented.toShown(mine) {
            case let .choice(letter): chosen = [letter]
            case let .selection(letters): chosen = Set(letters)
            case let .order(letters): for (index, letter) in letters.enumerated() { positions[letter] = index + 1 }
            case let .matches(pairs): matches = pairs
            case .text: typed = ""
            }
        }
        let count = question.options.count
        let fields = question.options.map { option in
            ChoiceField(letter: option.letter,
                        html: html.html("option-md:" + option.markdown) { QuestionForm.inlineHTML(option) },
                        checked: chosen.contains(option.letter),
                        positions: question.kind == .ordering ? (1...max(1, count)).map { value in
                            PickValue(value: value, text: String(value),
                                      selected: (previous?["position-\(option.letter)"].flatMap { Int($0) } ?? positions[option.letter]) == value)
                        } : [],
                        targets: question.kind == .matching ? question.matchTargets.enumerated().map { index, text in
                            PickValue(value: index + 1, text: text,
                                      selected: (previous?["match-\(option.letter)"].flatMap { Int($0) } ?? matches[option.letter]) == index + 1)
                        } : [])
        }
        var live = LiveQuestion(pollKey: presented.question.id, title: step?.title ?? question.title,
                                promptHTML: LessonHTML.render(question.prompt),
                                narrativeHTML: step.map { LessonHTML.render($0.narrative) },
                                instructions: Instructions.page(for: question), answered: mine != nil, error: error)
        switch question.kind {
        case .singleChoice: live.single = ChoiceList(options: fields)
        case .selectAll: live.select = ChoiceList(options: fields)
        case .ordering: live.ordering = ChoiceList(options: fields)
        case .matching: live.matching = ChoiceList(options: fields)
        case .shortAnswer: live.short = ShortField(typed: typed)
        }
        return live
    }

    /// A participant's own answer, shown back only to them.
    static func describe(_ response: CurriculumKit.Response, _ presented: PresentedQuestion) -> [String] {
        func text(_ letter: String) -> String {
            "“" + (presented.shown.option(letter)?.text ?? letter) + "”"
        }
        switch presented.toShown(response) {
        case let .choice(letter): return ["You chose " + text(letter) + "."]
        case let .selection(letters): return ["You chose " + letters.sorted().map(text).joined(separator: ", ") + "."]
        case .order, .matches: return ["Your answer is counted above."]
        case let .text(verdict): return [verdict == GroupSessions.acceptedText ? "Your answer was one that counts." : "Your answer wasn't one of those that count this time."]
        }
    }

    private func answer(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        guard let (participant, session) = try await participant(request) else { return pages.redirect(to: "/live") }
        let deck = groups.deck(for: session)
        guard let question = deck.poll(at: session.position), question.id == form["poll"], !session.revealed else {
            return pages.redirect(to: "/live?n=closed")
        }
        let presented = groups.presented(question, in: session)
        switch QuestionForm.response(form, for: presented.shown) {
        case let .failure(problem):
            return try await live(request, context, error: problem.message, notice: nil, previous: form, status: .badRequest)
        case let .success(response):
            do {
                try await groups.answer(presented.toModule(response), by: participant, in: session, poll: question.id)
            } catch let error as RecordsError where error.kind == .pollClosed {
                return pages.redirect(to: "/live?n=closed")
            } catch let error as RecordsError where error.kind == .unknownItem {
                return try await live(request, context, error: sentence(error), notice: nil, previous: form, status: .badRequest)
            }
            return pages.redirect(to: "/live")
        }
    }

    private func link(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        guard let (participant, _) = try await participant(request) else { return pages.redirect(to: "/live") }
        let learner: Learner
        if form["use"] == "signed-in", let id = context.session.learnerID, let signedIn = try await groups.coursework.learner(id: id) {
            learner = signedIn
        } else {
            if await resumeLimiter.isBlocked(context.clientKey) {
                return try await live(request, context, error: nil, notice: nil,
                                      linkError: "Too many wrong codes from this device. Wait 15 minutes, then try again.", status: .tooManyRequests)
            }
            do {
                learner = try await groups.coursework.learner(resumeCode: form["code"] ?? "")
            } catch let error as RecordsError where error.kind == .unknownCode || error.kind == .malformedCode {
                await resumeLimiter.recordFailure(context.clientKey)
                return try await live(request, context, error: nil, notice: nil,
                                      linkError: "No learner has that resume code. Check the four words and try again.", status: .badRequest)
            }
        }
        try await groups.link(participant, to: learner)
        return pages.redirect(to: "/live?n=linked")
    }

    // MARK: Live updates

    private func participantEvents(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let (_, session) = try await participant(request) else { throw HTTPError(.notFound) }
        let groups = groups
        let id = session.id
        return eventStream(session, answers: false) { event in
            switch event {
            case let .moved(now):
                return "event: moved\ndata: \(now)\n\n"
            case .answered:
                // Only the first event, sent once subscribed: where the session stands now, so
                // a move between the page loading and the stream opening isn't missed.
                guard let current = try? await groups.session(id: id) else { return nil }
                return "event: moved\ndata: \(current.version)\n\n"
            }
        }
    }

    private func staffEvents(_ request: Request, _ context: WebContext) async throws -> Response {
        let (_, session) = try await ownSession(request, context)
        let groups = groups
        let id = session.id
        return eventStream(session, answers: true) { _ in
            // One read (on the store's live connections when it has them), skipped when the
            // records can't be reached: the screen keeps what it shows and the stream goes on.
            guard let live = try? await groups.liveSnapshot(id: id) else { return nil }
            let count = live.answers ?? 0
            let answered = live.answers.map(PollResults.answered) ?? ""
            let people = live.participants
            return "event: state\ndata: {\"version\":\(live.session.version),\"count\":\(count),\"people\":\(people),"
                + "\"answered\":\"\(answered)\",\"joined\":\"\(PollResults.joined(people))\"}\n\n"
        }
    }

    /// A server-sent event stream of the session's changes, each turned into text by
    /// `format` (nil to skip it), with a comment every few seconds so proxies and idle
    /// timers keep the connection. It ends when the session ends or the client goes.
    private func eventStream(_ session: GroupSession, answers: Bool,
                             format: @escaping @Sendable (LiveEvent) async -> String?) -> Response {
        let live = groups.live
        let id = session.id
        let ended = session.status == .ended
        let body = ResponseBody { writer in
            if ended {
                // Nothing more will happen: say where it stands and close.
                if let last = await format(.answered) { try await writer.write(ByteBuffer(string: last)) }
                try await writer.finish(nil)
                return
            }
            let events = await live.subscribe(sessionID: id, answers: answers)
            let (merged, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(16))
            // Changes wait here at most one deep: while one state is being read and sent, a
            // burst of answers folds into the next read (each read shows everything so far).
            let (pending, signal) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .bufferingNewest(1))
            let listen = Task {
                for await event in events { signal.yield(event) }
                signal.finish()
            }
            let forward = Task {
                for await event in pending {
                    if let text = await format(event) { continuation.yield(text) }
                    // A projector needs no more than a few updates a second.
                    if answers { try? await Task.sleep(for: Self.coalescing) }
                }
                continuation.finish()
            }
            let beat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.heartbeat)
                    continuation.yield(": still here\n\n")
                }
            }
            defer {
                listen.cancel()
                forward.cancel()
                beat.cancel()
            }
            try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
            if let first = await format(.answered) { try await writer.write(ByteBuffer(string: first)) }
            // A stream never ends by itself: when the server is asked to stop, end it, so the
            // graceful shutdown isn't held up (browsers reconnect to the next server).
            try await withGracefulShutdownHandler {
                for await text in merged {
                    try await writer.write(ByteBuffer(string: text))
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store",
                                               HTTPField.Name("X-Accel-Buffering")!: "no"], body: body)
    }

    // MARK: Helpers

    private func joinAddress(_ context: WebContext) -> String {
        context.origin.base + "/join"
    }

    private func modulesText(_ ids: [String]) -> String {
        ids.map { curriculum.module(id: $0)?.title ?? $0 }.joined(separator: ", ")
    }

    private func when(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: .current))
    }

    private func time(_ date: Date) -> String {
        date.formatted(Date.FormatStyle(date: .omitted, time: .shortened, timeZone: .current))
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Thrown when a facilitator opens a session another facilitator runs: a 403 that says so.
struct NotYourSession: Error {}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case let .some(value): return try await transform(value)
        case .none: return nil
        }
    }
}
