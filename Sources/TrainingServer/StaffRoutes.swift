import CurriculumKit
import Foundation
import HTTPTypes
import Hummingbird
import Runtime

/// Thrown when a signed-in staff member's role doesn't include a page: a 403 that says so.
struct NotYourRole: Error {}

/// A signed-in staff member on this request.
struct StaffSignIn: Sendable {
    var member: StaffMember
    var token: String
    /// Whether the second step (the authenticator code) is done, or not needed.
    var verified: Bool
}

/// The staff area under `/staff`: sign-in (with an optional second step), one-time links to
/// choose a password, the home page by role, people and roles, the audit log, and two-step
/// sign-in. Every page checks the person and their role on the server.
struct StaffRoutes: Sendable {
    let accounts: StaffAccounts
    let sessions: Sessions
    let pages: Pages
    let accountLimiter: FailureLimiter
    let clientLimiter: FailureLimiter
    let requireTwoStep: Bool

    static let cookieName = "gw_staff"

    func register(on router: Router<WebContext>) {
        router.get("/staff") { request, context in try await home(request, context) }
        router.post("/staff/sign-in") { request, context in try await signIn(request, context) }
        router.get("/staff/code") { request, context in try await codePage(request, context, error: nil) }
        router.post("/staff/code") { request, context in try await code(request, context) }
        router.post("/staff/sign-out") { request, context in try await signOut(request, context) }
        router.get("/staff/welcome/:token") { request, context in try await passwordPage(request, context) }
        router.post("/staff/welcome") { request, context in try await choosePassword(request, context) }
        router.get("/staff/people") { request, context in try await people(request, context, link: nil, error: nil) }
        router.post("/staff/people") { request, context in try await invite(request, context) }
        router.post("/staff/people/:id/remove") { request, context in try await remove(request, context) }
        router.post("/staff/people/:id/reset") { request, context in try await reset(request, context) }
        router.get("/staff/audit") { request, context in try await audit(request, context) }
        router.get("/staff/two-step") { request, context in try await twoStepPage(request, context, secret: nil, error: nil) }
        router.post("/staff/two-step") { request, context in try await turnOnTwoStep(request, context) }
        router.post("/staff/two-step/off") { request, context in try await turnOffTwoStep(request, context) }
    }

    // MARK: Who is signed in

    /// The staff session in the request's staff cookie, if it is live and its person exists.
    private func current(_ request: Request) async throws -> StaffSignIn? {
        guard let token = request.cookies[Self.cookieName]?.value,
              let session = try await sessions.find(token: token, kind: .staff),
              let member = try await accounts.member(id: session.subjectID) else { return nil }
        return StaffSignIn(member: member, token: token, verified: session.verified)
    }

    /// The signed-in, verified staff member, holding `role` when one is named. Signed out
    /// (or a learner): to the sign-in page. Second step pending: to the code page. The wrong
    /// role: 403. A coordinator on a server that requires two-step and hasn't set it up: to
    /// the set-up page.
    func require(_ request: Request, _ role: StaffRole? = nil, allowTwoStepSetup: Bool = false) async throws -> StaffSignIn {
        guard let signIn = try await current(request) else { throw Redirect(to: "/staff") }
        guard signIn.verified else { throw Redirect(to: "/staff/code") }
        if mustSetUpTwoStep(signIn.member), !allowTwoStepSetup { throw Redirect(to: "/staff/two-step") }
        if let role, !signIn.member.has(role) { throw NotYourRole() }
        return signIn
    }

    private func mustSetUpTwoStep(_ member: StaffMember) -> Bool {
        requireTwoStep && member.has(.coordinator) && !member.usesTwoStep
    }

    /// What every staff page has: course title, language, the form token and who is signed in.
    func chrome(_ context: WebContext, _ signIn: StaffSignIn?) -> (courseTitle: String, language: String, csrf: String, staff: StaffName?) {
        let chrome = pages.chrome(context, learner: nil)
        return (chrome.courseTitle, chrome.language, chrome.csrf, signIn.map { StaffName(name: $0.member.name) })
    }

    // MARK: Signing in and out

    private func home(_ request: Request, _ context: WebContext) async throws -> Response {
        guard let signIn = try await current(request) else {
            let c = chrome(context, nil)
            return pages.page("staff-sign-in", StaffSignInPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: nil),
                              context: context)
        }
        guard signIn.verified else { return pages.redirect(to: "/staff/code") }
        let member = signIn.member
        let c = chrome(context, signIn)
        let page = StaffHomePage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff,
                                 rolesText: member.sortedRoles.map(\.label).joined(separator: " and "),
                                 isCoordinator: member.has(.coordinator), isFacilitator: member.has(.facilitator),
                                 twoStepOn: member.usesTwoStep, mustSetUpTwoStep: mustSetUpTwoStep(member))
        return pages.page("staff-home", page, context: context)
    }

    private func signIn(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let accountKey = "name:" + name.lowercased()
        func refuse(_ message: String, status: HTTPResponse.Status) -> Response {
            let c = chrome(context, nil)
            let page = StaffSignInPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: nil,
                                       error: message, name: String(name.prefix(100)))
            return pages.page("staff-sign-in", page, context: context, status: status)
        }
        if await accountLimiter.isBlocked(accountKey) {
            return refuse("Too many tries for this name. Wait 15 minutes, then try again.", status: .tooManyRequests)
        }
        if await clientLimiter.isBlocked(context.clientKey) {
            return refuse("Too many tries from this device. Wait 15 minutes, then try again.", status: .tooManyRequests)
        }
        do {
            let member = try await accounts.signIn(name: name, password: form["password"] ?? "")
            let token = try await sessions.begin(.staff, subjectID: member.id, verified: !member.usesTwoStep)
            var response = pages.redirect(to: member.usesTwoStep ? "/staff/code" : "/staff")
            setCookie(token, on: &response, origin: context.origin)
            return response
        } catch let error as RecordsError where error.kind == .signInRefused {
            await accountLimiter.recordFailure(accountKey)
            await clientLimiter.recordFailure(context.clientKey)
            return refuse("That name and password don't match. Check both and try again.", status: .badRequest)
        }
    }

    private func codePage(_ request: Request, _ context: WebContext, error: String?) async throws -> Response {
        guard let signIn = try await current(request) else { return pages.redirect(to: "/staff") }
        guard !signIn.verified else { return pages.redirect(to: "/staff") }
        let c = chrome(context, nil)
        let page = StaffCodePage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: nil, error: error)
        return pages.page("staff-code", page, context: context, status: error == nil ? .ok : .badRequest)
    }

    private func code(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        guard let signIn = try await current(request) else { return pages.redirect(to: "/staff") }
        guard !signIn.verified else { return pages.redirect(to: "/staff") }
        let accountKey = "name:" + signIn.member.name.lowercased()
        if await accountLimiter.isBlocked(accountKey) {
            try await sessions.end(token: signIn.token)
            return pages.redirect(to: "/staff")
        }
        guard accounts.checkCode(form["code"] ?? "", for: signIn.member) else {
            await accountLimiter.recordFailure(accountKey)
            try await accounts.codeRefused(signIn.member)
            return try await codePage(request, context, error: "That code doesn't match. Type the code your app shows now.")
        }
        try await sessions.verify(token: signIn.token)
        return pages.redirect(to: "/staff")
    }

    private func signOut(_ request: Request, _ context: WebContext) async throws -> Response {
        _ = try await pages.checkedForm(request, context)
        if let signIn = try await current(request) { try await sessions.end(token: signIn.token) }
        var response = pages.redirect(to: "/staff")
        response.headers[values: .setCookie].append("\(Self.cookieName)=; Path=/staff; Max-Age=0; HttpOnly; SameSite=Strict" + context.origin.cookieSuffix)
        return response
    }

    private func setCookie(_ token: String, on response: inout Response, origin: PublicOrigin) {
        response.headers[values: .setCookie].append(
            "\(Self.cookieName)=\(token); Path=/staff; Max-Age=\(Int(Sessions.idleLimit(.staff))); HttpOnly; SameSite=Strict"
                + origin.cookieSuffix)
    }

    // MARK: One-time links

    private func passwordPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let c = chrome(context, nil)
        var page = StaffPasswordPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: nil, expired: true)
        guard let member = try await accounts.member(forLink: token) else {
            return pages.page("staff-password", page, context: context, status: .notFound)
        }
        page.expired = false
        page.memberName = member.name
        page.token = token
        return pages.page("staff-password", page, context: context)
    }

    private func choosePassword(_ request: Request, _ context: WebContext) async throws -> Response {
        let form = try await pages.checkedForm(request, context)
        let token = form["token"] ?? ""
        do {
            let member = try await accounts.choosePassword(token: token, password: form["password"] ?? "",
                                                           confirmation: form["confirm"] ?? "")
            let session = try await sessions.begin(.staff, subjectID: member.id, verified: true)
            var response = pages.redirect(to: mustSetUpTwoStep(member) ? "/staff/two-step" : "/staff")
            setCookie(session, on: &response, origin: context.origin)
            return response
        } catch let error as RecordsError where error.kind == .badPassword {
            let c = chrome(context, nil)
            let page = StaffPasswordPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: nil, expired: false,
                                         memberName: try await accounts.member(forLink: token)?.name ?? "", token: token,
                                         error: sentence(error))
            return pages.page("staff-password", page, context: context, status: .badRequest)
        } catch let error as RecordsError where error.kind == .signInRefused {
            let c = chrome(context, nil)
            let page = StaffPasswordPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: nil, expired: true)
            return pages.page("staff-password", page, context: context, status: .notFound)
        }
    }

    // MARK: People (coordinators)

    private func people(_ request: Request, _ context: WebContext, link: (name: String, url: String)?, error: String?,
                        status: HTTPResponse.Status = .ok, inviteName: String? = nil) async throws -> Response {
        let signIn = try await require(request, .coordinator)
        let c = chrome(context, signIn)
        let people = try await accounts.everyone().map { person -> PersonRow in
            var status: [String] = [person.passwordHash == nil ? "Sign-in link sent" : "Password set"]
            if person.usesTwoStep { status.append("two-step on") }
            return PersonRow(id: person.id, name: person.name, isSelf: person.id == signIn.member.id,
                             rolesText: person.sortedRoles.map(\.label).joined(separator: ", "),
                             statusText: status.joined(separator: ", "))
        }
        let page = StaffPeoplePage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff, people: people,
                                   link: link.map { InviteLink(name: $0.name, url: $0.url) }, error: error,
                                   inviteName: inviteName.map { String($0.prefix(100)) })
        return pages.page("staff-people", page, context: context, status: status)
    }

    private func invite(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await require(request, .coordinator)
        let form = try await pages.checkedForm(request, context)
        let roles = Set(form.all("role").compactMap(StaffRole.init(rawValue:)))
        do {
            let (member, token) = try await accounts.add(name: form["name"] ?? "", roles: roles, by: .member(signIn.member))
            return try await people(request, context, link: (member.name, linkURL(token, context)), error: nil)
        } catch let error as RecordsError where error.category == .badInput || error.kind == .duplicate {
            return try await people(request, context, link: nil, error: sentence(error), status: .badRequest,
                                    inviteName: form["name"])
        }
    }

    private func person(_ context: WebContext) async throws -> StaffMember {
        guard let id = context.parameters.get("id"), let member = try await accounts.member(id: id) else {
            throw HTTPError(.notFound)
        }
        return member
    }

    private func remove(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await require(request, .coordinator)
        _ = try await pages.checkedForm(request, context)
        let member = try await person(context)
        do {
            try await accounts.remove(member, by: .member(signIn.member))
        } catch let error as RecordsError where error.kind == .notAllowed {
            return try await people(request, context, link: nil, error: sentence(error), status: .badRequest)
        }
        return pages.redirect(to: "/staff/people")
    }

    private func reset(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await require(request, .coordinator)
        _ = try await pages.checkedForm(request, context)
        let member = try await person(context)
        guard member.id != signIn.member.id else {
            return try await people(request, context, link: nil, error: "You can't reset your own sign-in here. Ask another coordinator.",
                                    status: .badRequest)
        }
        let token = try await accounts.reset(member, by: .member(signIn.member))
        return try await people(request, context, link: (member.name, linkURL(token, context)), error: nil)
    }

    private func linkURL(_ token: String, _ context: WebContext) -> String {
        context.origin.base + "/staff/welcome/" + token
    }

    private func audit(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await require(request, .coordinator)
        let c = chrome(context, signIn)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy, HH:mm:ss 'UTC'"
        let entries = try await accounts.auditLog(for: .member(signIn.member)).map { entry in
            AuditRow(when: formatter.string(from: entry.at), actor: entry.actorName, action: entry.action, detail: entry.detail)
        }
        let page = StaffAuditPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff, entries: entries)
        return pages.page("staff-audit", page, context: context)
    }

    // MARK: Two-step sign-in

    private func twoStepPage(_ request: Request, _ context: WebContext, secret: String?, error: String?) async throws -> Response {
        let signIn = try await require(request, allowTwoStepSetup: true)
        let c = chrome(context, signIn)
        var page = StaffTwoStepPage(courseTitle: c.courseTitle, language: c.language, csrf: c.csrf, staff: c.staff, error: error)
        if signIn.member.usesTwoStep {
            page.enabled = true
            page.required = requireTwoStep && signIn.member.has(.coordinator)
        } else {
            let secret = secret ?? StaffAccounts.newTwoStepSecret()
            let setup = StaffAccounts.authenticatorSetup(secret: secret, name: signIn.member.name, issuer: "Groundwork")
            page.setup = TwoStepSetup(secret: secret, url: setup.url, secretGroups: Self.grouped(setup.key))
        }
        return pages.page("staff-two-step", page, context: context, status: error == nil ? .ok : .badRequest)
    }

    private func turnOnTwoStep(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await require(request, allowTwoStepSetup: true)
        let form = try await pages.checkedForm(request, context)
        let secret = form["secret"] ?? ""
        do {
            _ = try await accounts.turnOnTwoStep(for: signIn.member, secret: secret, code: form["code"] ?? "")
        } catch let error as RecordsError where error.kind == .badPassword {
            return try await twoStepPage(request, context, secret: secret.isEmpty ? nil : secret, error: sentence(error))
        }
        return pages.redirect(to: "/staff")
    }

    private func turnOffTwoStep(_ request: Request, _ context: WebContext) async throws -> Response {
        let signIn = try await require(request)
        let form = try await pages.checkedForm(request, context)
        if requireTwoStep && signIn.member.has(.coordinator) { throw NotYourRole() }
        do {
            _ = try await accounts.turnOffTwoStep(for: signIn.member, code: form["code"] ?? "")
        } catch let error as RecordsError where error.kind == .badPassword {
            return try await twoStepPage(request, context, secret: nil, error: sentence(error))
        }
        return pages.redirect(to: "/staff")
    }

    /// A key in groups of four letters, easier to type.
    static func grouped(_ key: String) -> String {
        stride(from: 0, to: key.count, by: 4).map { offset -> String in
            let start = key.index(key.startIndex, offsetBy: offset)
            return String(key[start..<(key.index(start, offsetBy: 4, limitedBy: key.endIndex) ?? key.endIndex)])
        }.joined(separator: " ")
    }

}
