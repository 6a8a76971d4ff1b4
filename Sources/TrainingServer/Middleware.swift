import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Runtime

/// Reads the session cookie: a signed-in learner's server-side session, else an anonymous
/// one (a fresh one when there is none or it doesn't check out). Also works out the
/// client's rate-limit key.
struct SessionMiddleware: RouterMiddleware {
    let signer: SessionSigner
    let sessions: Sessions
    let trustedProxies: Set<String>
    let baseURL: String?
    let pages: Pages

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        context.clientKey = ClientAddress.key(peer: context.remoteAddress?.ipAddress,
                                              forwardedFor: request.headers[values: Self.forwardedFor].last,
                                              trustedProxies: trustedProxies)
        context.origin = PublicOrigin.of(host: request.head.authority, forwardedProto: request.headers[Self.forwardedProto],
                                         peer: context.remoteAddress?.ipAddress, baseURL: baseURL, trustedProxies: trustedProxies)
        let value = request.cookies[Session.cookieName]?.value
        var stored: WebSession?
        if let value, let token = SessionSigner.token(in: value) {
            do {
                stored = try await sessions.find(token: token, kind: .learner)
            } catch {
                // The records can't be reached (the database went away): say so kindly, keep
                // the cookie, and let the next request try again.
                context.logger.error("the session couldn't be read", metadata: ["error": "\(error)"])
                var unknown = Session.fresh()
                unknown.isNew = false  // keep the learner's cookie: they are still signed in
                context.session = unknown
                return pages.error(.serviceUnavailable, heading: "Something went wrong on our side",
                                   message: "We can't reach the training records just now. Your answers so far are saved. Try again in a moment.",
                                   context: context)
            }
        }
        if let value, let token = SessionSigner.token(in: value), let stored {
            context.session = .signedIn(learnerID: stored.subjectID, token: token)
        } else if let value, let session = signer.decodeAnonymous(value) {
            context.session = session
        } else {
            context.session = .fresh()
        }
        return try await next(request, context)
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

/// Security headers on every response, and friendly pages for errors: no stack trace or
/// internal message ever reaches the browser.
struct SafetyMiddleware: RouterMiddleware {
    let pages: Pages

    /// No inline script or style, nothing from other origins, forms only to this site.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!

    /// The headers every response carries, pages and the HTTP parser's own errors alike.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        referrerPolicy: "no-referrer",
        frameOptions: "DENY",
        permissionsPolicy: "camera=(), microphone=(), geolocation=()",
    ]

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        let staffArea = request.uri.path == "/staff" || request.uri.path.hasPrefix("/staff/")
        do {
            response = try await next(request, context)
        } catch is NotYourRole {
            response = pages.error(.forbidden, heading: "This page isn't part of your role",
                                   message: "Your staff role doesn't include this page. A coordinator can change roles if you need it.",
                                   context: context, link: ("/staff", "Go to the staff home page"), staffArea: true)
        } catch is NotYourSession {
            response = pages.error(.forbidden, heading: "This session is run by someone else",
                                   message: "Only the facilitator who opened a group session can see or run it. Open a session of your own instead.",
                                   context: context, link: ("/staff/sessions", "Go to your group sessions"), staffArea: true)
        } catch let error as HTTPError {
            response = page(for: error.status, context: context, staffArea: staffArea)
        } catch let error as HTTPResponseError {
            response = page(for: error.status, context: context, staffArea: staffArea)
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(type(of: error))")])
            response = page(for: .internalServerError, context: context, staffArea: staffArea)
        }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    private func page(for status: HTTPResponse.Status, context: WebContext, staffArea: Bool) -> Response {
        let home: (url: String, label: String) = staffArea ? ("/staff", "Go to the staff home page") : ("/", "Go to the start page")
        switch status.code {
        case 404:
            return pages.error(.notFound, heading: "Page not found",
                               message: "There's no page at this address. The link may be old, or a letter may be mistyped.",
                               context: context, link: home, staffArea: staffArea)
        case 413:
            return pages.error(.contentTooLarge, heading: "That was too much to send",
                               message: "The form sent more than Groundwork accepts. Go back and try a shorter answer.",
                               context: context, link: home, staffArea: staffArea)
        case 400..<500:
            return pages.error(status, heading: "That didn't work",
                               message: staffArea ? "Groundwork couldn't use that request. Go back to the staff home page and try again."
                                   : "Groundwork couldn't use that request. Go back to the start page and try again.",
                               context: context, link: home, staffArea: staffArea)
        default:
            return pages.error(.internalServerError, heading: "Something went wrong on our side",
                               message: staffArea ? "Nothing you did caused this. Try again in a moment."
                                   : "Your answers so far are saved. Try again in a moment.",
                               context: context, link: home, staffArea: staffArea)
        }
    }
}

/// One log line per request at debug level (`--log-level debug`): method, path, status and
/// time. Nothing about the learner.
struct RequestLogMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.debug("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.1f", milliseconds)),
        ])
        return response
    }
}
