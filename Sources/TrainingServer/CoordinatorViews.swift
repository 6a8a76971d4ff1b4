import Foundation

// Typed values for the coordinator's pages (the roster, a learner, cohorts, certificates),
// one struct per template, checked by TemplateKeyTests like the others.

/// The completion report: filters, one page of learners, paging.
struct RosterPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var rows: [RosterRowView]
    /// Whether the course has practical skills (a column for them).
    var hasPracticals = false
    var summary: String
    var cohorts: [ChoiceView]
    var states: [ChoiceView]
    var sorts: [ChoiceView]
    var expires: String
    var search: String
    var csvURL: String
    var previousURL: String?
    var nextURL: String?
    var pageText: String
    var notice: String?
    var hasRows: Bool
}

/// A choice in a `<select>`.
struct ChoiceView: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// One learner in the report.
struct RosterRowView: Sendable {
    var id: String
    var shortID: String
    var displayName: String
    var cohort: String
    var modulesText: String
    var sessions: Int
    /// "1 of 1" signed off; nil when the course has no practicals.
    var practicalsText: String?
    var stateText: String
    var stateClass: String
    var certificateText: String
}

/// One learner, for a coordinator: modules, attendance, certificates and the actions.
struct LearnerDetailPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var id: String
    var shortID: String
    var displayName: String
    var joined: String
    var cohortName: String
    var stateText: String
    var stateClass: String
    var modules: [ModuleReportView]
    var moduleOptions: [ChoiceView]
    var cohortOptions: [ChoiceView]
    var attendance: [AttendanceView]
    var hasAttendance: Bool
    var practicals: [PracticalStandingView] = []
    var hasPracticals = false
    var unsignedOptions: [ChoiceView] = []
    var hasUnsigned = false
    var adjustments: [AdjustmentView]
    var hasAdjustments: Bool
    var certificates: [CertificateRowView]
    var hasCertificates: Bool
    var notice: String?
    var error: String?
    var newCode: String?
    var today: String
}

/// A module's line on a learner's page.
struct ModuleReportView: Sendable {
    var title: String
    var stateText: String
    var stateClass: String
    var best: String
    var attempts: String
    var started: String
    var finished: String
}

/// A group session attended.
struct AttendanceView: Sendable {
    var when: String
    var how: String
}

/// A coordinator's adjustment.
struct AdjustmentView: Sendable {
    var when: String
    var what: String
    var by: String
    var reason: String
}

/// A certificate in a list.
struct CertificateRowView: Sendable {
    var code: String
    var name: String
    var issued: String
    var validUntil: String
    var standing: String
    var standingClass: String
    var canRevoke: Bool
    var learnerID: String?
    var learnerShortID: String?
    var learnerName: String?
}

/// Cohorts and their join links.
struct CohortsPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var cohorts: [CohortView]
    var hasCohorts: Bool
    var error: String?
    var name: String?
    var made: String?
}

/// A cohort with its join link.
struct CohortView: Sendable {
    var id: String
    var name: String
    var link: String
    var members: Int
    var rosterURL: String
}

/// Certificates expiring soon and already expired.
struct ExpiringPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var days: Int
    var soon: [CertificateRowView]
    var hasSoon: Bool
    var expired: [CertificateRowView]
    var hasExpired: Bool
    var notice: String?
    var error: String?
}

// MARK: Certificates for learners and verifiers

/// The printable certificate (A4 or Letter).
struct CertificatePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var certificateName: String
    var holderName: String
    var issuerName: String
    var issued: String
    var validUntil: String?
    var code: String
    var verifyBase: String
    var qrSVG: String
    var version: String?
    var standingNote: String?
    var standingLabel: String?
    var jwtURL: String
    var jsonURL: String
}

/// The verify page, with a result once something was checked.
struct VerifyPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var result: VerifyResult?
    var error: String?
    var code: String?
    var example: String
}

/// What checking found.
struct VerifyResult: Sendable {
    var verdict: String
    var heading: String
    var summary: String
    var facts: [VerifyFact]
}

/// One line of a result.
struct VerifyFact: Sendable {
    var label: String
    var value: String
}

/// The course page's certificate box.
struct CertificateOfferView: Sendable {
    var canClaim: Bool
    var renewing: Bool
    var holding: CertificateHeld?
    var withdrawn: Bool
    var refreshers: [RefresherView]
    var nameError: String?
    var notYetNote: String?
}

/// A certificate the learner holds.
struct CertificateHeld: Sendable {
    var code: String
    var validUntil: String?
    var expired: Bool
    var url: String
}

/// A refresher module for a renewal.
struct RefresherView: Sendable {
    var id: String
    var title: String
    var done: Bool
}

/// A practical skill on a learner's page: signed off (when, by whom) or not yet.
struct PracticalStandingView: Sendable {
    var title: String
    var signedNote: String?
}
