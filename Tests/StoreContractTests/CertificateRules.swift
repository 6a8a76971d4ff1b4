import Foundation
import Runtime
import Testing

/// What any store must keep for certificates, the issuer key and revocation.
@Suite struct CertificateRules {
    static func certificate(learnerID: String?, index: Int, code: String? = nil, issued: Date = day0,
                            until: Date? = day0 + 365 * 86_400) -> CertificateRecord {
        CertificateRecord(id: "urn:uuid:" + UUID().uuidString.lowercased(), code: code ?? CertificateCode.generate(), learnerID: learnerID,
                          name: "Robin Example", courseID: "course", courseTitle: "The Course", courseVersion: "1", contentHash: "abc",
                          issuedAt: issued, validUntil: until, statusIndex: index, credential: "header.payload.signature")
    }

    @Test(arguments: StoreUnderTest.allCases)
    func certificatesAreFoundByLearnerCodeAndID(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            #expect(try await store.nextStatusIndex() == 0)
            let first = Self.certificate(learnerID: robin.id, index: 0)
            let renewal = Self.certificate(learnerID: robin.id, index: 1, issued: day0 + 86_400)
            try await store.addCertificate(renewal)
            try await store.addCertificate(first)
            #expect(try await store.certificates(learnerID: robin.id) == [first, renewal], "oldest first")
            #expect(try await store.certificate(code: first.code) == first)
            #expect(try await store.certificate(id: renewal.id) == renewal)
            #expect(try await store.certificate(code: "NOPE") == nil)
            #expect(try await store.nextStatusIndex() == 2)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func idCodeAndStatusIndexAreEachUnique(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let first = Self.certificate(learnerID: robin.id, index: 0)
            try await store.addCertificate(first)
            await expectError(.duplicate) { try await store.addCertificate(Self.certificate(learnerID: robin.id, index: 0)) }
            await expectError(.duplicate) { try await store.addCertificate(Self.certificate(learnerID: robin.id, index: 5, code: first.code)) }
            var sameID = Self.certificate(learnerID: robin.id, index: 6)
            sameID.id = first.id
            await expectError(.duplicate) { try await store.addCertificate(sameID) }
            #expect(try await store.certificates(learnerID: robin.id) == [first])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func revokingKeepsTheFirstRevocation(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let certificate = Self.certificate(learnerID: robin.id, index: 3)
            try await store.addCertificate(certificate)
            try await store.addCertificate(Self.certificate(learnerID: robin.id, index: 4))
            #expect(try await store.revokedStatusIndexes().isEmpty)
            #expect(try await store.revokeCertificate(id: certificate.id, at: day0 + 10, reason: "issued by mistake", allowReissue: true))
            #expect(try await store.revokeCertificate(id: certificate.id, at: day0 + 20, reason: "again", allowReissue: false) == false)
            #expect(try await store.revokeCertificate(id: "urn:uuid:nobody", at: day0, reason: "x", allowReissue: false) == false)
            let stored = try #require(try await store.certificate(id: certificate.id))
            #expect(stored.revokedAt == day0 + 10 && stored.revokeReason == "issued by mistake" && stored.reissueAllowed)
            #expect(try await store.revokedStatusIndexes() == [3])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func expiringListsHeldUnrevokedCertificatesSoonestFirst(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner(), sam = newLearner("Sam")
            try await store.createLearner(robin, codeDigest: "r")
            try await store.createLearner(sam, codeDigest: "s")
            let late = Self.certificate(learnerID: robin.id, index: 0, until: day0 + 50 * 86_400)
            let soon = Self.certificate(learnerID: sam.id, index: 1, until: day0 + 10 * 86_400)
            let revoked = Self.certificate(learnerID: sam.id, index: 2, until: day0 + 5 * 86_400)
            let never = Self.certificate(learnerID: sam.id, index: 3, until: nil)
            let far = Self.certificate(learnerID: sam.id, index: 4, until: day0 + 400 * 86_400)
            for certificate in [late, soon, revoked, never, far] { try await store.addCertificate(certificate) }
            _ = try await store.revokeCertificate(id: revoked.id, at: day0, reason: "r", allowReissue: false)
            #expect(try await store.certificates(expiringBefore: day0 + 60 * 86_400).map(\.id) == [soon.id, late.id])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func deletingALearnerKeepsOnlyIDCodeStatusAndRevocation(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let held = Self.certificate(learnerID: robin.id, index: 0)
            let revoked = Self.certificate(learnerID: robin.id, index: 1)
            try await store.addCertificate(held)
            try await store.addCertificate(revoked)
            _ = try await store.revokeCertificate(id: revoked.id, at: day0 + 5, reason: "a reason naming Robin", allowReissue: true)
            #expect(try await store.deleteLearner(id: robin.id))
            let kept = try #require(try await store.certificate(code: held.code))
            #expect(kept == CertificateRecord(id: held.id, code: held.code, learnerID: nil, name: nil, courseID: nil, courseTitle: nil,
                                              courseVersion: nil, contentHash: nil, issuedAt: nil, validUntil: nil, statusIndex: 0,
                                              credential: nil))
            let keptRevoked = try #require(try await store.certificate(id: revoked.id))
            #expect(keptRevoked.revokedAt == day0 + 5 && keptRevoked.revokeReason == nil && keptRevoked.name == nil && !keptRevoked.reissueAllowed)
            #expect(try await store.revokedStatusIndexes() == [1], "a revoked credential they hold stays revoked")
            #expect(try await store.certificates(expiringBefore: .distantFuture).isEmpty)
            #expect(try await store.export(learnerID: robin.id) == nil)
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func theExportHoldsTheLearnersCertificates(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { store in
            let robin = newLearner()
            try await store.createLearner(robin, codeDigest: "r")
            let certificate = Self.certificate(learnerID: robin.id, index: 0)
            try await store.addCertificate(certificate)
            #expect(try await store.export(learnerID: robin.id)?.certificates == [certificate])
        }
    }

    @Test(arguments: StoreUnderTest.allCases)
    func theIssuerKeyIsStoredOnceAndTheFirstWins(_ kind: StoreUnderTest) async throws {
        try await withStore(kind) { (store: any RecordStore) async throws in
            #expect(try await store.issuerKey() == nil)
            #expect(try await store.storeIssuerKey("first key") == "first key")
            #expect(try await store.storeIssuerKey("second key") == "first key", "a second server gets the first key")
            #expect(try await store.issuerKey() == "first key")
        }
    }
}
