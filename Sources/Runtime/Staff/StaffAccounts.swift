import Crypto
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP

/// Staff accounts and their rules: who may add whom, one-time sign-in links, passwords
/// (bcrypt), two-step sign-in (TOTP) and the audit log. The CLI and the server only
/// present what it returns.
public struct StaffAccounts: Sendable {
    private let store: any StaffStore & SessionStore
    private let now: @Sendable () -> Date
    private let bcryptCost: UInt8
    /// A hash checked when a name is unknown, so a wrong name takes as long as a wrong password.
    private let decoyHash: String

    /// How long a sign-in link works.
    public static let linkLifetime: TimeInterval = 24 * 3600
    /// bcrypt's cost for new passwords (2^12 rounds, a quarter of a second here).
    public static let defaultBcryptCost: UInt8 = 12

    /// Who did something, for the audit log: a signed-in staff member, or the command line.
    public enum Actor: Sendable {
        /// `groundwork staff …` on the server: whoever can run it already holds the data.
        case commandLine
        /// A signed-in staff member.
        case member(StaffMember)
        /// Someone on the web who isn't (yet) a known staff member: a sign-in with an unknown name.
        case unidentified

        var id: String? {
            if case let .member(member) = self { return member.id }
            return nil
        }

        var name: String {
            switch self {
            case .commandLine: return "command line"
            case let .member(member): return member.name
            case .unidentified: return "unknown visitor"
            }
        }
    }

    /// Creates accounts over a store. Tests pass a low `bcryptCost` to stay quick.
    public init(store: any StaffStore & SessionStore, bcryptCost: UInt8 = StaffAccounts.defaultBcryptCost,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
        self.bcryptCost = bcryptCost
        decoyHash = Bcrypt.hash("groundwork decoy password", cost: bcryptCost)
    }

    // MARK: People

    /// Adds a staff member and returns them with the token of their one-time sign-in link.
    /// From the web only a coordinator may add people.
    public func add(name typed: String, roles: Set<StaffRole>, by actor: Actor) async throws -> (member: StaffMember, token: String) {
        try requireCoordinator(actor)
        let name = try Self.validatedName(typed)
        guard !roles.isEmpty else {
            throw RecordsError(.badDisplayName, "choose at least one role for \(name)", hint: "coordinator, facilitator, or both")
        }
        let member = StaffMember(id: Hex.random(bytes: 16), name: name, roles: roles, createdAt: now())
        try await store.addStaff(member)
        let token = try await newLink(for: member)
        try await audit(actor, "staff added", "\(member.name) as \(Self.rolesText(roles))")
        return (member, token)
    }

    /// Every staff member, by name.
    public func everyone() async throws -> [StaffMember] {
        try await store.allStaff()
    }

    /// The staff member with this name (ignoring case); fails with `.unknownStaff`.
    public func member(named name: String) async throws -> StaffMember {
        guard let member = try await store.staff(name: name.trimmingCharacters(in: .whitespaces)) else {
            throw RecordsError(.unknownStaff, "no staff member is called \(name)", hint: "`groundwork staff list` shows everyone")
        }
        return member
    }

    /// The staff member with this id, or nil.
    public func member(id: String) async throws -> StaffMember? {
        try await store.staff(id: id)
    }

    /// Removes a staff member; their sessions end at once. Nobody removes themselves from
    /// the web, and the last coordinator stays.
    public func remove(_ member: StaffMember, by actor: Actor) async throws {
        try requireCoordinator(actor)
        if case let .member(me) = actor, me.id == member.id {
            throw RecordsError(.notAllowed, "you can't remove yourself", hint: "ask another coordinator")
        }
        try await requireAnotherCoordinator(besides: member)
        _ = try await store.removeStaff(id: member.id)
        try await audit(actor, "staff removed", member.name)
    }

    /// A new one-time link for a staff member who lost their password or authenticator:
    /// their password and two-step secret are cleared and their sessions end.
    public func reset(_ member: StaffMember, by actor: Actor) async throws -> String {
        try requireCoordinator(actor)
        var cleared = member
        cleared.passwordHash = nil
        cleared.totpSecret = nil
        try await store.updateStaff(cleared)
        try await store.removeTokens(staffID: member.id)
        try await store.deleteSessions(kind: .staff, subjectID: member.id)
        let token = try await newLink(for: member)
        try await audit(actor, "staff reset", "\(member.name): new sign-in link, password and two-step cleared")
        return token
    }

    // MARK: Signing in

    /// Whose link this is, without using it; nil when it is unknown or expired.
    public func member(forLink token: String) async throws -> StaffMember? {
        guard let stored = try await store.token(digest: Sessions.digest(token)), stored.expiresAt > now() else { return nil }
        return try await store.staff(id: stored.staffID)
    }

    /// Uses a one-time link to set a password. Fails with `.badPassword` (the link still
    /// works) or `.signInRefused` (the link is used up or expired).
    public func choosePassword(token: String, password: String, confirmation: String) async throws -> StaffMember {
        guard let holder = try await member(forLink: token) else { throw Self.expiredLink }
        guard password == confirmation else {
            throw RecordsError(.badPassword, "the two passwords aren't the same", hint: "type the same password twice")
        }
        if let problem = PasswordPolicy.problem(with: password, name: holder.name) {
            throw RecordsError(.badPassword, problem)
        }
        guard let used = try await store.consumeToken(digest: Sessions.digest(token), at: now()),
              var member = try await store.staff(id: used.staffID) else { throw Self.expiredLink }
        member.passwordHash = Bcrypt.hash(password, cost: bcryptCost)
        try await store.updateStaff(member)
        try await store.deleteSessions(kind: .staff, subjectID: member.id)
        try await audit(.member(member), "password set", member.name)
        return member
    }

    /// Checks a name and password. Fails with `.signInRefused`, saying nothing about which was wrong.
    public func signIn(name: String, password: String) async throws -> StaffMember {
        let found = try await store.staff(name: name.trimmingCharacters(in: .whitespaces))
        guard let member = found, let hash = member.passwordHash else {
            _ = Bcrypt.verify(password, hash: decoyHash)
            try await audit(.unidentified, "sign-in refused", "unknown name or no password yet")
            throw Self.refused
        }
        guard Bcrypt.verify(password, hash: hash) else {
            try await audit(.member(member), "sign-in refused", "wrong password")
            throw Self.refused
        }
        try await audit(.member(member), "signed in", member.usesTwoStep ? "password; code next" : "password")
        return member
    }

    /// Whether `code` is the member's current authenticator code (the previous and next 30 s too, for clock drift).
    public func checkCode(_ code: String, for member: StaffMember) -> Bool {
        guard let secret = member.totpSecret else { return false }
        return Self.check(code, secret: secret, at: now())
    }

    /// Records a refused authenticator code.
    public func codeRefused(_ member: StaffMember) async throws {
        try await audit(.member(member), "sign-in refused", "wrong authenticator code")
    }

    // MARK: Two-step sign-in

    /// A new secret for an authenticator app (shown once, confirmed with ``turnOnTwoStep(for:secret:code:)``).
    public static func newTwoStepSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var rng = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    /// The `otpauth://` link and the key to type by hand for a secret.
    public static func authenticatorSetup(secret: String, name: String, issuer: String) -> (url: String, key: String) {
        let url = TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(name)", issuer: issuer)
        let key = URLComponents(string: url)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return (url, key)
    }

    /// Turns on two-step sign-in once the person typed a code from their app for `secret`.
    public func turnOnTwoStep(for member: StaffMember, secret: String, code: String) async throws -> StaffMember {
        guard secret.count >= 16, Self.check(code, secret: secret, at: now()) else {
            throw RecordsError(.badPassword, "that code doesn't match", hint: "check the app shows Groundwork, then type the code it shows now")
        }
        var updated = member
        updated.totpSecret = secret
        try await store.updateStaff(updated)
        try await audit(.member(member), "two-step on", member.name)
        return updated
    }

    /// Turns two-step sign-in off, with a current code.
    public func turnOffTwoStep(for member: StaffMember, code: String) async throws -> StaffMember {
        guard checkCode(code, for: member) else {
            throw RecordsError(.badPassword, "that code doesn't match", hint: "type the code your app shows now")
        }
        var updated = member
        updated.totpSecret = nil
        try await store.updateStaff(updated)
        try await audit(.member(member), "two-step off", member.name)
        return updated
    }

    // MARK: Audit log

    /// The newest entries, for a coordinator.
    public func auditLog(limit: Int = 200, for viewer: Actor) async throws -> [AuditEntry] {
        try requireCoordinator(viewer)
        return try await store.auditLog(limit: limit)
    }

    /// Checks that `actor` may act as a coordinator, then writes what they did, and why, to
    /// the audit log. `.notAllowed` for anyone else; `.missingReason` when `reason` is blank.
    public func auditCoordinatorAction(_ action: String, _ detail: String, reason: String, by actor: Actor) async throws {
        try requireCoordinator(actor)
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else {
            throw RecordsError(.missingReason, "say why, for the audit log", hint: "write a short reason, such as “missed the session, joined the next one”")
        }
        try await audit(actor, action, detail + " · reason: " + String(why.prefix(500)))
    }

    /// Checks that `actor` may act as a coordinator; `.notAllowed` otherwise.
    public func requireCoordinatorRole(_ actor: Actor) throws {
        try requireCoordinator(actor)
    }

    // MARK: Helpers

    static let refused = RecordsError(.signInRefused, "that name and password don't match",
                                      hint: "check both and try again; a coordinator can send you a new sign-in link")
    static let expiredLink = RecordsError(.signInRefused, "this sign-in link no longer works",
                                          hint: "links work once and for 24 hours; ask a coordinator for a new one")

    private func newLink(for member: StaffMember) async throws -> String {
        let token = Sessions.newToken()
        try await store.addToken(StaffToken(digest: Sessions.digest(token), staffID: member.id,
                                            expiresAt: now() + Self.linkLifetime))
        return token
    }

    /// The command line and coordinators may manage staff; nobody else.
    private func requireCoordinator(_ actor: Actor) throws {
        switch actor {
        case .commandLine: return
        case let .member(member) where member.has(.coordinator): return
        case .member, .unidentified:
            throw RecordsError(.notAllowed, "only coordinators can do this", hint: "ask a coordinator")
        }
    }

    private func requireAnotherCoordinator(besides member: StaffMember) async throws {
        guard member.has(.coordinator) else { return }
        let others = try await store.allStaff().filter { $0.id != member.id && $0.has(.coordinator) }
        guard !others.isEmpty else {
            throw RecordsError(.notAllowed, "\(member.name) is the only coordinator",
                               hint: "make someone else a coordinator first, so somebody can still manage staff")
        }
    }

    private func audit(_ actor: Actor, _ action: String, _ detail: String) async throws {
        try await store.appendAudit(AuditEntry(at: now(), actorID: actor.id, actorName: actor.name,
                                               action: action, detail: detail))
    }

    static func check(_ code: String, secret: String, at date: Date) -> Bool {
        let digits = code.filter(\.isNumber)
        guard digits.count == 6, let number = Int(digits) else { return false }
        let totp = TOTP(secret: secret)
        return [-30.0, 0, 30].contains { totp.compute(date: date + $0) == number }
    }

    /// The roles as words: "coordinator and facilitator".
    public static func rolesText(_ roles: Set<StaffRole>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: " and ")
    }

    /// A staff name: what a display name may be, up to 60 characters.
    static func validatedName(_ typed: String) throws -> String {
        try DisplayName.validated(typed)
    }
}
