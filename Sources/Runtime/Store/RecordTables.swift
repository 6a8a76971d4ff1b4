import Foundation

/// The tables every store keeps, with their columns, in an order where each table comes
/// after the ones it refers to: what `groundwork migrate` copies from one store to another.
/// Both stores use these table and column names.
public enum RecordTables {
    /// What a column holds.
    public enum Kind: Sendable {
        case text, integer, double, boolean, date, bytes
    }

    /// One value of a row being copied.
    public enum Value: Sendable, Equatable {
        case text(String?)
        case integer(Int64?)
        case double(Double?)
        case boolean(Bool?)
        case date(Date?)
        case bytes(Data?)
    }

    /// A table and its columns.
    public struct Table: Sendable {
        /// Its name.
        public var name: String
        /// Its columns and what they hold.
        public var columns: [(name: String, kind: Kind)]
        /// The column an id sequence numbers, if any.
        public var serial: String?
    }

    /// Every table, referenced ones first.
    public static let all: [Table] = {
        func table(_ name: String, serial: String? = nil, _ columns: (String, Kind)...) -> Table {
            Table(name: name, columns: columns.map { (name: $0.0, kind: $0.1) }, serial: serial)
        }
        return [
            table("learner", ("id", .text), ("display_name", .text), ("code_digest", .text), ("created_at", .date)),
            table("attempt", serial: "id", ("id", .integer), ("learner_id", .text), ("module_id", .text), ("number", .integer),
                  ("seed", .integer), ("module_hash", .text), ("started_at", .date), ("finished_at", .date), ("status", .text),
                  ("score_numerator", .integer), ("score_denominator", .integer), ("passed", .boolean)),
            table("response", ("attempt_id", .integer), ("item_id", .text), ("step", .text), ("sequence", .integer), ("response", .text),
                  ("score_numerator", .integer), ("score_denominator", .integer), ("critical", .boolean), ("answered_at", .date)),
            table("staff", ("id", .text), ("name", .text), ("roles", .text), ("password_hash", .text), ("totp_secret", .text),
                  ("created_at", .date)),
            table("staff_token", ("digest", .text), ("staff_id", .text), ("expires_at", .date)),
            table("audit", serial: "id", ("id", .integer), ("at", .date), ("actor_id", .text), ("actor_name", .text), ("action", .text),
                  ("detail", .text)),
            table("web_session", ("digest", .text), ("kind", .text), ("subject_id", .text), ("created_at", .date), ("last_seen", .date),
                  ("expires_at", .date), ("verified", .boolean), ("flash", .bytes)),
            table("group_session", ("id", .text), ("code", .text), ("facilitator_id", .text), ("module_ids", .text), ("slide", .integer),
                  ("step", .text), ("revealed", .boolean), ("blanked", .boolean), ("show_nicknames", .boolean), ("status", .text),
                  ("opened_at", .date), ("last_activity_at", .date), ("ended_at", .date), ("version", .integer)),
            table("participant", ("id", .text), ("session_id", .text), ("token_digest", .text), ("nickname", .text), ("learner_id", .text),
                  ("joined_at", .date)),
            table("poll_answer", ("session_id", .text), ("poll_key", .text), ("participant_id", .text), ("response", .text),
                  ("answered_at", .date)),
            table("poll_count", ("session_id", .text), ("poll_key", .text), ("response", .text), ("count", .integer)),
            table("attendance", ("learner_id", .text), ("session_id", .text), ("module_ids", .text), ("attended_at", .date),
                  ("recorded_by", .text), ("by_hand", .boolean)),
            table("cohort", ("id", .text), ("name", .text), ("join_key", .text), ("created_at", .date)),
            table("cohort_member", ("learner_id", .text), ("cohort_id", .text)),
            table("module_adjustment", serial: "id", ("id", .integer), ("learner_id", .text), ("module_id", .text), ("kind", .text),
                  ("at", .date), ("recorded_by", .text), ("reason", .text)),
            table("certificate", ("id", .text), ("code", .text), ("learner_id", .text), ("name", .text), ("course_id", .text),
                  ("course_title", .text), ("course_version", .text), ("content_hash", .text), ("issued_at", .date),
                  ("valid_until", .date), ("status_index", .integer), ("revoked_at", .date), ("revoke_reason", .text),
                  ("reissue", .boolean), ("credential", .text), ("renews", .text)),
            table("issuer_key", ("name", .text), ("pem", .text)),
            table("practical_sign_off", ("learner_id", .text), ("practical_id", .text), ("signed_by", .text), ("signer_name", .text),
                  ("session_id", .text), ("reason", .text), ("signed_at", .date)),
        ]
    }()
}
