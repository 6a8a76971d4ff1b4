import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Runtime
import Testing
@testable import TrainingServer

/// Where links point and whether cookies say `Secure`: the `--base-url` decides, else the
/// request's host, with `https` believed only from a trusted proxy's `X-Forwarded-Proto`.
@Suite struct PublicOriginTests {
    let proxy: Set<String> = ["127.0.0.1"]

    @Test func theBaseURLDecidesWhenGiven() {
        let origin = PublicOrigin.of(host: "10.0.0.5:8080", forwardedProto: "http", peer: "127.0.0.1",
                                     baseURL: "https://training.example.org//", trustedProxies: proxy)
        #expect(origin == PublicOrigin(base: "https://training.example.org", isSecure: true), "trailing slashes go")
        let plain = PublicOrigin.of(host: "x", forwardedProto: "https", peer: "127.0.0.1", baseURL: "http://lan.example:8080",
                                    trustedProxies: proxy)
        #expect(plain == PublicOrigin(base: "http://lan.example:8080", isSecure: false),
                "an http base URL is not made secure by a header")
        #expect(PublicOrigin.of(host: nil, forwardedProto: nil, peer: nil, baseURL: "HTTPS://Training.Example.org",
                                trustedProxies: []).isSecure)
    }

    @Test func withoutABaseURLOnlyATrustedProxySaysHTTPS() {
        let trusted = PublicOrigin.of(host: "training.example.org", forwardedProto: "https", peer: "127.0.0.1", baseURL: nil,
                                      trustedProxies: proxy)
        #expect(trusted == PublicOrigin(base: "https://training.example.org", isSecure: true))
        let mapped = PublicOrigin.of(host: "training.example.org", forwardedProto: "HTTPS, http", peer: "::ffff:127.0.0.1",
                                     baseURL: nil, trustedProxies: proxy)
        #expect(mapped.isSecure, "the first scheme of a proxy chain, from an IPv4-mapped peer")
        let stranger = PublicOrigin.of(host: "training.example.org", forwardedProto: "https", peer: "203.0.113.9", baseURL: nil,
                                       trustedProxies: proxy)
        #expect(stranger == PublicOrigin(base: "http://training.example.org", isSecure: false), "anyone else can't claim it")
        let odd = PublicOrigin.of(host: "training.example.org", forwardedProto: "javascript", peer: "127.0.0.1", baseURL: nil,
                                  trustedProxies: proxy)
        #expect(odd.base == "http://training.example.org", "only http or https")
    }

    @Test func aHostThatCantGoInALinkIsNotUsed() {
        for host in ["evil.example/<script>", "a b", "", "exa\"mple.org", String(repeating: "a", count: 300)] {
            #expect(PublicOrigin.of(host: host, forwardedProto: nil, peer: nil, baseURL: nil, trustedProxies: []).base
                    == "http://127.0.0.1:8080", "\(host.prefix(30))")
        }
        #expect(PublicOrigin.of(host: "[2001:db8::1]:8443", forwardedProto: nil, peer: nil, baseURL: nil, trustedProxies: []).base
                == "http://[2001:db8::1]:8443")
    }

    /// The `Set-Cookie` headers a response carries for `name`.
    func cookies(_ name: String, _ page: Browser.Page) -> [String] {
        page.headers[values: .setCookie].filter { $0.hasPrefix(name + "=") }
    }

    func secure(_ header: String) -> Bool {
        header.split(separator: ";").dropFirst().contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "secure" }
    }

    @Test func everyCookieIsSecureBehindAnHTTPSBaseURL() async throws {
        let site = try TestSite(baseURL: "https://training.example.org")
        defer { site.remove() }
        let (_, link) = try await site.staff.add(name: "Bea", roles: [.facilitator, .coordinator], by: .commandLine)
        _ = try await site.staff.choosePassword(token: link, password: StaffRouteTests.password, confirmation: StaffRouteTests.password)
        try await site.test { client in
            let learner = Browser(client)
            let first = try await learner.get("/")
            #expect(cookies("gw_session", first).allSatisfy(secure(_:)) && !cookies("gw_session", first).isEmpty,
                    "the anonymous session cookie")
            let started = try await learner.post("/start", [("name", "Robin")])
            #expect(started.status == .seeOther)
            #expect(cookies("gw_session", started).count == 1 && cookies("gw_session", started).allSatisfy(secure(_:)),
                    "the signed-in cookie: \(cookies("gw_session", started))")
            try await learner.get("/")
            let out = try await learner.post("/sign-out", [])
            #expect(!cookies("gw_session", out).isEmpty && cookies("gw_session", out).allSatisfy(secure(_:)))

            let staff = Browser(client)
            let signedIn = try await StaffRouteTests().signIn(staff, "Bea")
            #expect(signedIn.status == .seeOther)
            #expect(cookies("gw_staff", signedIn).count == 1 && cookies("gw_staff", signedIn).allSatisfy(secure(_:)),
                    "\(cookies("gw_staff", signedIn))")
            try await staff.get("/staff/sessions")
            let opened = try await staff.post("/staff/sessions", [("module", "second")])
            let control = try #require(opened.location)
            let page = try await staff.get(control)
            #expect(page.body.contains("https://training.example.org/join"), "the join slide's address")
            let code = try GroupRouteTests().joinCode(page.body)

            let phone = Browser(client)
            try await phone.get("/join")
            let joined = try await phone.post("/join", [("code", code)])
            #expect(joined.status == .seeOther)
            #expect(cookies("gw_live", joined).count == 1 && cookies("gw_live", joined).allSatisfy(secure(_:)), "\(cookies("gw_live", joined))")

            try await staff.get("/staff")
            let staffOut = try await staff.post("/staff/sign-out", [])
            #expect(!cookies("gw_staff", staffOut).isEmpty && cookies("gw_staff", staffOut).allSatisfy(secure(_:)), "the clearing cookie too")
        }
    }

    @Test func plainHTTPCookiesAreNotSecureAndAStrangersHeaderChangesNothing() async throws {
        let site = try TestSite()
        defer { site.remove() }
        try await site.test { client in
            let learner = Browser(client)
            learner.extraHeaders[HTTPField.Name("X-Forwarded-Proto")!] = "https"
            let first = try await learner.get("/")
            #expect(!cookies("gw_session", first).isEmpty && !cookies("gw_session", first).contains(where: secure(_:)),
                    "a Secure cookie on plain HTTP would never come back")
            let started = try await learner.post("/start", [("name", "Robin")])
            #expect(!cookies("gw_session", started).contains(where: secure(_:)))
            #expect(try await learner.follow(started).body.contains("Robin"), "and the learner stays signed in")
        }
    }
}
