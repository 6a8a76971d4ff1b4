import CurriculumKit
import Foundation
import JWTKit
import Runtime

/// Certificates: offering one when a learner meets the course's completion rule, issuing
/// it as a signed Open Badges 3.0 credential, renewing, revoking, the revocation list, and
/// verification by code or by the credential itself.
public struct Certificates: Sendable {
    /// The course runtime.
    public let coursework: Coursework
    private let accounts: StaffAccounts
    /// The issuer's signing key.
    public let key: IssuerKey
    /// The organisation named as issuer.
    public let issuerName: String
    private let now: @Sendable () -> Date

    /// The certificate service, with the store's issuer key (made on first use).
    public static func open(coursework: Coursework, accounts: StaffAccounts, issuerName: String,
                            now: @escaping @Sendable () -> Date = { Date() }) async throws -> Certificates {
        Certificates(coursework: coursework, accounts: accounts, key: try await IssuerKey.load(from: coursework.store),
                     issuerName: issuerName, now: now)
    }

    init(coursework: Coursework, accounts: StaffAccounts, key: IssuerKey, issuerName: String, now: @escaping @Sendable () -> Date) {
        self.coursework = coursework
        self.accounts = accounts
        self.key = key
        self.issuerName = issuerName
        self.now = now
    }

    private var store: any RecordStore { coursework.store }
    private var settings: CourseSettings { coursework.curriculum.settings }

    // MARK: Where a learner stands

    /// What the learner's course page offers.
    public enum Offer: Sendable {
        /// The course issues no certificate.
        case none
        /// Not complete yet.
        case notYet
        /// Complete: they can claim one.
        case claim
        /// They hold one; `renewal` says where a renewal stands once it is due.
        case holding(CertificateRecord, renewal: Renewal?)
        /// Their newest certificate was revoked: a coordinator can help.
        case withdrawn(CertificateRecord)
    }

    /// A renewal that is due.
    public struct Renewal: Sendable {
        /// When the window opened (90 days before expiry).
        public var windowStart: Date
        /// The refresher modules, in course order, with whether each is passed again since the window opened.
        public var modules: [(id: String, title: String, done: Bool)]
        /// Whether every refresher is done, so a new certificate can be claimed.
        public var ready: Bool { modules.allSatisfy(\.done) }
    }

    /// Where the learner stands with certificates.
    public func offer(for learner: Learner) async throws -> Offer {
        guard settings.certificate != nil else { return .none }
        let held = try await store.certificates(learnerID: learner.id)
        guard let newest = held.max(by: { ($0.issuedAt ?? .distantPast) < ($1.issuedAt ?? .distantPast) }) else {
            return try await coursework.progress(of: learner).isComplete ? .claim : .notYet
        }
        if newest.revokedAt != nil {
            guard newest.reissueAllowed else { return .withdrawn(newest) }
            return try await coursework.progress(of: learner).isComplete ? .claim : .notYet
        }
        return .holding(newest, renewal: try await renewal(for: learner, current: newest))
    }

    private func renewal(for learner: Learner, current: CertificateRecord) async throws -> Renewal? {
        guard let start = try await coursework.renewalWindowStart(learnerID: learner.id) else { return nil }
        let attempts = try await store.attempts(learnerID: learner.id, moduleID: nil)
        let adjustments = try await store.adjustments(learnerID: learner.id)
        let wanted = Set(coursework.renewalModules)
        let modules = coursework.curriculum.modules.filter { wanted.contains($0.id) }.map { module in
            let passedAgain = attempts.contains {
                $0.moduleID == module.id && $0.status == .finished && $0.passed == true && $0.startedAt >= start
            } || adjustments.contains { $0.moduleID == module.id && $0.kind == .completeByException && $0.at >= start }
            return (id: module.id, title: module.title, done: passedAgain)
        }
        return Renewal(windowStart: start, modules: modules)
    }

    // MARK: Issuing

    /// Where the issuer's documents live, from the server's public address.
    public struct Addresses: Sendable {
        /// The server's address, without a trailing slash.
        public var base: String

        /// Addresses under `base`.
        public init(base: String) {
            self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        }

        /// The issuer's profile (also the issuer's id).
        public var issuer: String { base + "/issuer" }
        /// The JWKS.
        public var jwks: String { base + "/.well-known/jwks.json" }
        /// The revocation list.
        public var statusList: String { base + "/credentials/status/1" }
        /// The course's achievement.
        public func achievement(_ courseID: String) -> String { base + "/achievements/" + courseID }
        /// A certificate's verify page.
        public func verify(_ code: String) -> String { base + "/verify/" + code }
    }

    /// Issues the learner's certificate (or its renewal) under the name they typed.
    /// `.notEligible` when they haven't met the rule, `.badDisplayName` for an unusable name.
    public func claim(for learner: Learner, name typed: String, at addresses: Addresses) async throws -> CertificateRecord {
        guard let certificate = settings.certificate else {
            throw RecordsError(.notEligible, "this course doesn't issue certificates")
        }
        let name = try DisplayName.validated(typed)
        var renews: String?
        switch try await offer(for: learner) {
        case .none, .notYet:
            throw RecordsError(.notEligible, "you haven't finished the course yet", hint: "your course page shows what's left")
        case .withdrawn:
            throw RecordsError(.notEligible, "your certificate was withdrawn", hint: "talk to your coordinator")
        case let .holding(current, renewal):
            guard let renewal, renewal.ready else {
                throw RecordsError(.notEligible, "you already hold a certificate that is still valid",
                                   hint: "you can renew it in the 90 days before it expires")
            }
            renews = current.id
        case .claim:
            break
        }
        let issued = now()
        let validUntil = certificate.validFor.map { $0.end(from: issued) }
        for _ in 0..<5 {
            let index = try await store.nextStatusIndex()
            guard index < StatusBits.size else {
                throw RecordsError(.storage, "the revocation list is full (\(StatusBits.size) certificates)",
                                   hint: "this version of Groundwork can't issue more; tell whoever runs the server")
            }
            var record = CertificateRecord(
                id: "urn:uuid:" + UUID().uuidString.lowercased(), code: CertificateCode.generate(), learnerID: learner.id, name: name,
                courseID: settings.id, courseTitle: settings.title, courseVersion: settings.version, contentHash: contentHash,
                issuedAt: issued, validUntil: validUntil, statusIndex: index, credential: nil, renews: renews)
            record.credential = try await sign(record, certificateName: certificate.name, at: addresses)
            do {
                try await store.addCertificate(record)
                return record
            } catch let error as RecordsError where error.kind == .duplicate {
                continue  // another server took the index (or, rarely, the code) first
            }
        }
        throw RecordsError(.storage, "couldn't issue the certificate", hint: "try again")
    }

    /// The course's content hash: one digest over every module's.
    public var contentHash: String {
        Hex.sha256(coursework.curriculum.modules.map(\.hash).joined(separator: "\n"))
    }

    /// The completion rule, in words, for the achievement's criteria.
    public var criteria: String {
        let required = coursework.requiredModules.count
        var text = "Passed all \(required) required modules of \(settings.title), each at its pass mark (the course's default is \(settings.completion.pass)%)"
        let sessions = settings.completion.attendance
        if sessions > 0 { text += ", and took part in \(sessions == 1 ? "a facilitated group session" : "\(sessions) facilitated group sessions")" }
        let practicals = coursework.curriculum.requiredPracticals.map(\.title)
        if !practicals.isEmpty {
            text += ", and was observed by program staff doing every step of the practical skill" + (practicals.count == 1 ? " " : "s ") + practicals.joined(separator: ", ")
        }
        return text + "."
    }

    func sign(_ record: CertificateRecord, certificateName: String, at addresses: Addresses) async throws -> String {
        guard let issuedAt = record.issuedAt else { throw RecordsError(.storage, "a certificate needs an issue date") }
        let issuer = addresses.issuer
        let payload = OpenBadgeCredential(
            context: ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            id: record.id, type: ["VerifiableCredential", "OpenBadgeCredential"],
            issuer: .init(id: issuer, type: ["Profile"], name: issuerName),
            name: certificateName,
            validFrom: CredentialVerifier.text(issuedAt), validUntil: record.validUntil.map(CredentialVerifier.text),
            credentialSubject: .init(
                type: ["AchievementSubject"],
                identifier: [.init(type: "IdentityObject", identityHash: record.name ?? "", identityType: "name", hashed: false)],
                achievement: .init(
                    id: addresses.achievement(settings.id), type: ["Achievement"], achievementType: "Certificate", name: certificateName,
                    description: "Completion of \(settings.title), a course for harm reduction volunteers.",
                    criteria: .init(narrative: criteria), version: record.courseVersion,
                    otherIdentifier: [.init(type: "IdentifierEntry", identifier: "sha256:" + (record.contentHash ?? ""),
                                            identifierType: "identifier")])),
            credentialStatus: .init(id: addresses.statusList + "#\(record.statusIndex)", type: "BitstringStatusListEntry",
                                    statusPurpose: "revocation", statusListIndex: String(record.statusIndex),
                                    statusListCredential: addresses.statusList),
            iss: issuer, jti: record.id, nbf: Int(issuedAt.timeIntervalSince1970),
            exp: record.validUntil.map { Int($0.timeIntervalSince1970) })
        return try await sign(payload)
    }

    private func sign(_ payload: some JWTPayload) async throws -> String {
        var header = JWTHeader()
        header.typ = "JWT"
        header.kid = key.keyID
        do {
            return try await key.signingKeys().sign(payload, kid: JWKIdentifier(string: key.keyID), header: header)
        } catch {
            throw RecordsError(.storage, "couldn't sign the credential: \(error)", hint: "try again")
        }
    }

    // MARK: The learner's own

    /// The learner's certificate with this code; nil when it isn't theirs.
    public func certificate(code typed: String, for learner: Learner) async throws -> CertificateRecord? {
        guard let code = CertificateCode.normalized(typed), let record = try await store.certificate(code: code),
              record.learnerID == learner.id else { return nil }
        return record
    }

    // MARK: Coordinators

    /// Revokes a certificate with a reason for the audit log; verification then says revoked.
    /// With `allowReissue` the learner may claim a new certificate (to correct the printed
    /// name, say); otherwise the revocation stands until a coordinator acts again.
    public func revoke(code typed: String, reason: String, allowReissue: Bool = false,
                       by actor: StaffAccounts.Actor) async throws -> CertificateRecord {
        try accounts.requireCoordinatorRole(actor)
        guard let code = CertificateCode.normalized(typed), let record = try await store.certificate(code: code) else {
            throw RecordsError(.unknownItem, "no certificate has the code \(typed)", hint: "check the code printed on it")
        }
        guard record.revokedAt == nil else {
            throw RecordsError(.notEligible, "certificate \(code) is already revoked")
        }
        try await accounts.auditCoordinatorAction("certificate revoked", "certificate \(code)" + (allowReissue ? ", may claim a new one" : ""),
                                                  reason: reason, by: actor)
        _ = try await store.revokeCertificate(id: record.id, at: now(), reason: reason.trimmingCharacters(in: .whitespacesAndNewlines),
                                              allowReissue: allowReissue)
        return try await store.certificate(code: code) ?? record
    }

    /// Held, unrevoked certificates that expire within `days` days, and those already expired.
    public func expiring(withinDays days: Int, by actor: StaffAccounts.Actor) async throws -> (soon: [CertificateRecord], expired: [CertificateRecord]) {
        try accounts.requireCoordinatorRole(actor)
        let date = now()
        let list = try await store.certificates(expiringBefore: date.addingTimeInterval(Double(days) * 86_400))
        // A learner who renewed keeps the old one; only their newest counts here.
        var newestByLearner: [String: Date] = [:]
        for record in try await renewalsOf(list) { newestByLearner[record.0] = record.1 }
        let current = list.filter { record in
            guard let learner = record.learnerID, let newest = newestByLearner[learner], let issued = record.issuedAt else { return true }
            return issued >= newest
        }
        return (current.filter { ($0.validUntil ?? .distantFuture) > date }, current.filter { ($0.validUntil ?? .distantFuture) <= date })
    }

    private func renewalsOf(_ list: [CertificateRecord]) async throws -> [(String, Date)] {
        var result: [(String, Date)] = []
        for learner in Set(list.compactMap(\.learnerID)) {
            let newest = try await store.certificates(learnerID: learner).filter { $0.revokedAt == nil }.compactMap(\.issuedAt).max()
            if let newest { result.append((learner, newest)) }
        }
        return result
    }

    // MARK: Verification

    /// What the verify page says about a code.
    public struct CodeCheck: Sendable {
        /// The certificate.
        public var record: CertificateRecord
        /// Its standing now.
        public var standing: CertificateRecord.Standing
    }

    /// The certificate with this code and its standing; nil for an unknown or mistyped code.
    public func check(code typed: String) async throws -> CodeCheck? {
        guard let code = CertificateCode.normalized(typed), let record = try await store.certificate(code: code) else { return nil }
        return CodeCheck(record: record, standing: record.standing(at: now()))
    }

    /// Checks a credential file (a VC-JWT, or the decoded JSON with its `proof`-less form
    /// refused) against this issuer's key and revocation list.
    public func check(credential token: String) async throws -> CredentialCheck {
        let revoked = StatusBits(set: try await store.revokedStatusIndexes())
        return await CredentialVerifier(key: key).check(token, revoked: revoked, at: now())
    }

    /// The revocation list, as a signed Bitstring Status List credential.
    public func statusListCredential(at addresses: Addresses) async throws -> String {
        let bits = StatusBits(set: try await store.revokedStatusIndexes())
        let encoded: String
        do { encoded = try bits.encoded() } catch {
            throw RecordsError(.storage, "couldn't compress the revocation list: \(error)")
        }
        let date = now()
        let list = StatusListCredential(
            context: ["https://www.w3.org/ns/credentials/v2"], id: addresses.statusList,
            type: ["VerifiableCredential", "BitstringStatusListCredential"], issuer: addresses.issuer,
            validFrom: CredentialVerifier.text(date),
            credentialSubject: .init(id: addresses.statusList + "#list", type: "BitstringStatusList", statusPurpose: "revocation",
                                     encodedList: encoded),
            iss: addresses.issuer, jti: addresses.statusList, nbf: Int(date.timeIntervalSince1970))
        return try await sign(list)
    }

    /// The issuer's profile document.
    public func issuerProfile(at addresses: Addresses) -> String {
        let profile: [String: Any] = [
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": addresses.issuer, "type": ["Profile"], "name": issuerName, "url": addresses.base,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: profile, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The credential decoded to JSON (what the learner downloads as `.json`).
    public static func decodedJSON(_ token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[1])),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
