import CurriculumKit
import Crypto
import Foundation
import JWTKit
import Runtime
import Testing
@testable import Credentials

/// Issuing, renewing and revoking certificates by the course's rules.
@Suite struct CertificateTests {
    let addresses = Certificates.Addresses(base: "https://training.example.org/")

    func service(_ site: Site) async throws -> Certificates {
        let clock = site.clock
        return try await Certificates.open(coursework: site.coursework, accounts: site.accounts, issuerName: "Example Program",
                                           now: { clock.now })
    }

    @Test func aCertificateIsOfferedOnlyOnceTheCourseIsComplete() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.coursework.register(displayName: "Robin").learner
        guard case .notYet = try await certificates.offer(for: learner) else { Issue.record("offered before completion"); return }
        await #expect(throws: RecordsError.self) { _ = try await certificates.claim(for: learner, name: "Robin Example", at: addresses) }
        try await site.pass("practice", learner)
        guard case .notYet = try await certificates.offer(for: learner) else { Issue.record("offered with a module left"); return }
        try await site.pass("second", learner)
        guard case .claim = try await certificates.offer(for: learner) else { Issue.record("not offered once complete"); return }
    }

    @Test func theCredentialIsAnOpenBadgeSignedWithTheIssuersKey() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        let record = try await certificates.claim(for: learner, name: "  Robin Example ", at: addresses)
        #expect(record.name == "Robin Example")
        #expect(CertificateCode.normalized(record.code) == record.code)
        let issued = try #require(record.issuedAt)
        #expect(record.validUntil == Validity(count: 12, unit: .months).end(from: issued))
        let token = try #require(record.credential)
        #expect(token.split(separator: ".").count == 3)

        let check = await CredentialVerifier(key: certificates.key).check(token, revoked: StatusBits(set: []), at: site.clock.now)
        #expect(check.verdict == .valid && check.revocationChecked)
        let credential = try #require(check.credential)
        #expect(credential.type == ["VerifiableCredential", "OpenBadgeCredential"])
        #expect(credential.context.first == "https://www.w3.org/ns/credentials/v2")
        #expect(credential.issuer.id == "https://training.example.org/issuer" && credential.iss == credential.issuer.id)
        #expect(credential.issuer.name == "Example Program")
        #expect(credential.id == record.id && credential.jti == record.id && record.id.hasPrefix("urn:uuid:"))
        #expect(credential.nbf == Int(issued.timeIntervalSince1970))
        #expect(credential.exp == record.validUntil.map { Int($0.timeIntervalSince1970) })
        #expect(credential.holderName == "Robin Example")
        #expect(credential.contentHash == certificates.contentHash)
        #expect(credential.credentialSubject.achievement.name == "Practice Certificate")
        #expect(credential.credentialSubject.achievement.criteria.narrative.contains("2 required modules"))
        #expect(credential.credentialStatus?.statusListIndex == String(record.statusIndex))
        #expect(credential.credentialStatus?.statusListCredential == "https://training.example.org/credentials/status/1")

        let header = try #require(Base64URL.decode(String(token.split(separator: ".")[0])))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: String])
        #expect(fields["alg"] == "RS256" && fields["kid"] == certificates.key.keyID)
    }

    @Test func aSecondCertificateWaitsForTheRenewalWindow() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        let first = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        await #expect(throws: RecordsError.self) { _ = try await certificates.claim(for: learner, name: "Robin", at: addresses) }
        guard case let .holding(_, renewal) = try await certificates.offer(for: learner) else { Issue.record("not holding"); return }
        #expect(renewal == nil, "no renewal a year before expiry")

        // 60 days before expiry the window is open: the refresher (`practice`) must be passed again.
        site.clock.set(try #require(first.validUntil).addingTimeInterval(-60 * 86_400))
        guard case let .holding(_, due?) = try await certificates.offer(for: learner) else { Issue.record("no renewal in the window"); return }
        #expect(due.modules.map(\.id) == ["practice"] && !due.ready)
        await #expect(throws: RecordsError.self) { _ = try await certificates.claim(for: learner, name: "Robin", at: addresses) }
        try await site.pass("practice", learner)
        guard case let .holding(_, ready?) = try await certificates.offer(for: learner), ready.ready else {
            Issue.record("passing the refresher doesn't make the renewal ready"); return
        }
        let renewed = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        #expect(renewed.renews == first.id && renewed.code != first.code && renewed.statusIndex != first.statusIndex)
        #expect(renewed.validUntil == Validity(count: 12, unit: .months).end(from: try #require(renewed.issuedAt)))
        #expect(first.standing(at: site.clock.now) == .valid, "the old one stays valid to its date")
        guard case let .holding(current, nil) = try await certificates.offer(for: learner) else { Issue.record("renewal still offered"); return }
        #expect(current.id == renewed.id)
    }

    @Test func refresherAttemptsInTheWindowDontCountEarlierOnes() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        try await site.pass("practice", learner)  // both of practice's 2 attempts used
        let first = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        await #expect(throws: RecordsError.self) { _ = try await site.coursework.attempt("practice", for: learner) }
        site.clock.set(try #require(first.validUntil).addingTimeInterval(-10 * 86_400))
        let progress = try await site.coursework.progress(of: learner)
        #expect(progress.modules.first { $0.moduleID == "practice" }?.attemptsLeft == 2, "a fresh set of tries at the refresher")
        let clock = site.clock
        let coordination = Coordination(coursework: site.coursework, accounts: site.accounts,
                                        records: LearnerRecords(store: site.store, hasher: site.coursework.hasher), now: { clock.now })
        let detail = try #require(try await coordination.learner(id: learner.id, by: .member(site.coordinator)))
        #expect(detail.row.modules.first { $0.progress.moduleID == "practice" }?.progress.attemptsLeft == 2,
                "the coordinator's page shows the learner's fresh tries too")
        try await site.pass("practice", learner)
        _ = try await certificates.claim(for: learner, name: "Robin", at: addresses)
    }

    @Test func aRenewalIsStillPossibleAfterExpiry() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        let first = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        site.clock.set(try #require(first.validUntil).addingTimeInterval(30 * 86_400))
        #expect(first.standing(at: site.clock.now) == .expired)
        try await site.pass("practice", learner)
        let renewed = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        #expect(renewed.renews == first.id)
    }

    @Test func revokingNeedsACoordinatorAndAReasonAndStopsRenewal() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        let record = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        let facilitator = try await site.accounts.add(name: "Bea", roles: [.facilitator], by: .commandLine).member
        await #expect(throws: RecordsError.self) { _ = try await certificates.revoke(code: record.code, reason: "x", by: .member(facilitator)) }
        await #expect(throws: RecordsError.self) { _ = try await certificates.revoke(code: record.code, reason: "  ", by: .member(site.coordinator)) }
        let revoked = try await certificates.revoke(code: record.code.lowercased(), reason: "issued to the wrong person",
                                                    by: .member(site.coordinator))
        #expect(revoked.revokedAt != nil)
        #expect(try await certificates.check(credential: try #require(record.credential)).verdict == .revoked)
        #expect(try await certificates.check(code: record.code)?.standing == .revoked)
        guard case .withdrawn = try await certificates.offer(for: learner) else { Issue.record("a revoked certificate isn't withdrawn"); return }
        await #expect(throws: RecordsError.self) { _ = try await certificates.claim(for: learner, name: "Robin", at: addresses) }
        let log = try await site.accounts.auditLog(for: .member(site.coordinator))
        #expect(log.contains { $0.action == "certificate revoked" && $0.detail.contains("issued to the wrong person") })
    }

    @Test func aCoordinatorCanLetTheLearnerClaimAgainAfterRevoking() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        let misprinted = try await certificates.claim(for: learner, name: "Robn", at: addresses)
        _ = try await certificates.revoke(code: misprinted.code, reason: "name misspelt", allowReissue: true, by: .member(site.coordinator))
        guard case .claim = try await certificates.offer(for: learner) else { Issue.record("no new claim after a reissue revoke"); return }
        let corrected = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        #expect(corrected.name == "Robin" && corrected.id != misprinted.id)
        #expect(try await certificates.check(code: misprinted.code)?.standing == .revoked)
    }

    @Test func theStatusListIsSignedAndCarriesTheRevokedBits() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let first = try await certificates.claim(for: try await site.completedLearner("Robin"), name: "Robin", at: addresses)
        let second = try await certificates.claim(for: try await site.completedLearner("Sam"), name: "Sam", at: addresses)
        _ = try await certificates.revoke(code: second.code, reason: "r", by: .member(site.coordinator))
        let list = try await certificates.statusListCredential(at: addresses)
        let bits = try #require(await CredentialVerifier(key: certificates.key).statusBits(list))
        #expect(!bits.isSet(first.statusIndex) && bits.isSet(second.statusIndex))
        let tampered = list.dropLast(4) + "AAAA"
        #expect(await CredentialVerifier(key: certificates.key).statusBits(String(tampered)) == nil)
    }

    @Test func aDeletedLearnersCredentialStillVerifies() async throws {
        let site = try await Site()
        let certificates = try await service(site)
        let learner = try await site.completedLearner()
        let record = try await certificates.claim(for: learner, name: "Robin", at: addresses)
        _ = try await site.store.deleteLearner(id: learner.id)
        #expect(try await certificates.check(credential: try #require(record.credential)).verdict == .valid)
        let kept = try #require(try await certificates.check(code: record.code))
        #expect(kept.record.isRemoved && kept.record.name == nil && kept.record.credential == nil)
    }

    @Test func theIssuerKeyIsMadeOnceAndPublished() async throws {
        let site = try await Site()
        let one = try await IssuerKey.load(from: site.store)
        let two = try await IssuerKey.load(from: site.store)
        #expect(one.keyID == two.keyID && one.publicJWK == two.publicJWK)
        let verifier = try CredentialVerifier(jwks: one.jwksJSON)
        #expect(verifier.keys == [one.publicJWK])
        #expect(one.publicJWK.kty == "RSA" && one.publicJWK.alg == "RS256" && one.publicJWK.e == "AQAB")
        #expect((Base64URL.decode(one.publicJWK.n)?.count ?? 0) == 256, "2048 bits")
        #expect(throws: RecordsError.self) { _ = try CredentialVerifier(jwks: "{\"keys\": []}") }
    }
}
