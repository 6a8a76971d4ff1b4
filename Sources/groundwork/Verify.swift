import ArgumentParser
import Credentials
import Foundation
import Runtime
import Stores

/// `groundwork verify FILE`: checks a certificate's credential file offline.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a certificate's credential file (.jwt): signature, dates and revocation.",
        discussion: """
        With --jwks, checks against the issuer's published keys (save them from \
        /.well-known/jwks.json) without any network; add --status-list with the file saved \
        from /credentials/status/1 to check revocation too. Without --jwks, checks against \
        this installation's own key and revocation list (--data or --database).

        Exits 0 only for a valid credential; 1 when it is expired, revoked, not yet valid or \
        not signed by the issuer; 2 when a file can't be read.
        """)

    @Argument(help: "The credential file (.jwt) the holder downloaded.")
    var file: String

    @ArgumentParser.Option(help: "The issuer's JWKS file, for checking without this installation's records.")
    var jwks: String?

    @ArgumentParser.Option(help: "The issuer's status list credential file, for checking revocation with --jwks.")
    var statusList: String?

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        guard let token = read(file, "credential") else { throw ExitCode(2) }
        let verifier: CredentialVerifier
        var revoked: StatusBits?
        if let jwks {
            guard let text = read(jwks, "JWKS") else { throw ExitCode(2) }
            do { verifier = try CredentialVerifier(jwks: text) } catch let error as RecordsError {
                reportError("\(jwks): \(error.message)", hint: error.hint)
                throw ExitCode(2)
            }
            if let statusList {
                guard let text = read(statusList, "status list") else { throw ExitCode(2) }
                guard let bits = await verifier.statusBits(text) else {
                    reportError("\(statusList) isn't a status list signed with these keys", hint: "save it again from the issuer's /credentials/status/1")
                    throw ExitCode(2)
                }
                revoked = bits
            }
        } else {
            do {
                let opened = try await StoreFactory.openExisting(dataOptions.location)
                let key = try await IssuerKey.load(from: opened.store)
                verifier = CredentialVerifier(key: key)
                revoked = StatusBits(set: try await opened.store.revokedStatusIndexes())
            } catch let error as RecordsError {
                reportError(error.message, hint: error.hint ?? "or pass the issuer's keys with --jwks")
                throw ExitCode(2)
            }
        }
        let check = await verifier.check(token, revoked: revoked, at: Date())
        guard let credential = check.credential else {
            print("not valid: \(check.reason ?? "not signed by this issuer")")
            throw ExitCode(1)
        }
        let achievement = credential.credentialSubject.achievement
        print("\(check.verdict.rawValue): \(achievement.name)")
        print("  issued by: \(credential.issuer.name) (\(credential.issuer.id))")
        print("  valid from: \(credential.validFrom)")
        print("  valid until: \(credential.validUntil ?? "no end date")")
        if let version = achievement.version { print("  course version: \(version)") }
        if let hash = credential.contentHash { print("  content version: \(hash.prefix(12))") }
        print("  revocation: \(check.revocationChecked ? (check.verdict == .revoked ? "revoked" : "not revoked") : "not checked (pass --status-list)")")
        if let reason = check.reason, check.verdict != .valid { print("  \(reason)") }
        if check.verdict != .valid { throw ExitCode(1) }
    }

    private func read(_ path: String, _ what: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            reportError("can't read the \(what) file \(path)", hint: "check the path")
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}
