import Foundation
import PostgresNIO
import Runtime

/// A module page's records in one statement: the learner, and as JSON arrays beside them
/// their attempts at the module, the open attempt's answers, the module's adjustments and
/// the learner's certificates. Every learner page and answer reads this, so one round trip
/// instead of five matters on a busy network.
extension PostgresStore {
    public func moduleRecords(learnerID: String, moduleID: String) async throws -> ModuleRecords? {
        try await run {
            for try await (id, name, created, attempts, responses, adjustments, certificates)
                in try await client.execute(ModuleRecordsStatement(learnerID: learnerID, moduleID: moduleID), logger: logger) {
                let decoder = JSONDecoder()
                do {
                    return ModuleRecords(
                        learner: Learner(id: id, displayName: name, createdAt: created),
                        attempts: try decoder.decode([AttemptCells].self, from: Data(attempts.utf8)).map(\.record),
                        openResponses: try decoder.decode([ResponseCells].self, from: Data(responses.utf8)).map(\.record),
                        adjustments: try decoder.decode([AdjustmentCells].self, from: Data(adjustments.utf8)).compactMap(\.record),
                        certificates: try decoder.decode([CertificateCells].self, from: Data(certificates.utf8)).map(\.record))
                } catch let error as RecordsError {
                    throw error
                } catch {
                    throw RecordsError(.unreadable, "the records of learner \(id) in module '\(moduleID)' can't be read back (\(error))",
                                       hint: "the records may be damaged or come from a newer Groundwork; restore them from a backup")
                }
            }
            return nil
        }
    }

    /// A timestamp column as microseconds since 2000 in text, or null: exactly the value
    /// PostgreSQL stores, read back the way PostgresNIO reads a `TIMESTAMPTZ`. (`EXTRACT`
    /// gives an exact numeric from PostgreSQL 14 on.)
    static func micros(_ column: String) -> String {
        "((EXTRACT(EPOCH FROM \(column)) * 1000000)::BIGINT - 946684800000000)::TEXT"
    }
}

/// The module page's read, prepared once per connection: planning its five subqueries costs
/// four times as much as running them, and every learner page and answer runs it.
struct ModuleRecordsStatement: PostgresPreparedStatement {
    static let name = "groundwork_module_records_v1"
    static let sql = """
        SELECT l.id, l.display_name, l.created_at,
          (SELECT COALESCE(json_agg(json_build_array(id::text, learner_id, module_id, number, seed::text, module_hash,
                                                     \(PostgresStore.micros("started_at")), \(PostgresStore.micros("finished_at")),
                                                     status, score_numerator, score_denominator, passed) ORDER BY number), '[]')::text
           FROM attempt WHERE learner_id = l.id AND module_id = $2),
          (SELECT COALESCE(json_agg(json_build_array(attempt_id::text, item_id, step, sequence, response, score_numerator,
                                                     score_denominator, critical, \(PostgresStore.micros("answered_at")))
                                    ORDER BY sequence), '[]')::text
           FROM response WHERE attempt_id = (SELECT id FROM attempt WHERE learner_id = l.id AND module_id = $2
                                              AND status = 'open' ORDER BY number LIMIT 1)),
          (SELECT COALESCE(json_agg(json_build_array(learner_id, module_id, kind, \(PostgresStore.micros("at")), recorded_by, reason)
                                    ORDER BY id), '[]')::text
           FROM module_adjustment WHERE learner_id = l.id AND module_id = $2),
          (SELECT COALESCE(json_agg(json_build_array(id, code, learner_id, name, course_id, course_title, course_version, content_hash,
                                                     \(PostgresStore.micros("issued_at")), \(PostgresStore.micros("valid_until")),
                                                     status_index, \(PostgresStore.micros("revoked_at")), revoke_reason, reissue,
                                                     credential, renews) ORDER BY issued_at, id), '[]')::text
           FROM certificate WHERE learner_id = l.id)
        FROM learner l WHERE l.id = $1
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text]
    typealias Row = (String, String, Date, String, String, String, String)

    var learnerID: String
    var moduleID: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(learnerID)
        bindings.append(moduleID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The cells of one `json_build_array` row, read in order.
private struct Cells {
    var container: any UnkeyedDecodingContainer

    init(_ decoder: any Decoder) throws { container = try decoder.unkeyedContainer() }

    mutating func string() throws -> String { try container.decode(String.self) }
    mutating func optionalString() throws -> String? { try container.decodeIfPresent(String.self) }
    mutating func int() throws -> Int { try container.decode(Int.self) }
    mutating func optionalInt() throws -> Int? { try container.decodeIfPresent(Int.self) }
    mutating func bool() throws -> Bool { try container.decode(Bool.self) }
    mutating func optionalBool() throws -> Bool? { try container.decodeIfPresent(Bool.self) }

    /// A 64-bit integer sent as text (a JSON number may not hold it exactly).
    mutating func int64() throws -> Int64 {
        let text = try string()
        guard let value = Int64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a 64-bit integer")
        }
        return value
    }

    mutating func date() throws -> Date {
        guard let date = try optionalDate() else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a time is missing")
        }
        return date
    }

    /// A time from ``PostgresStore/micros(_:)``, made the way PostgresNIO makes a `Date`.
    mutating func optionalDate() throws -> Date? {
        guard let text = try optionalString() else { return nil }
        guard let microseconds = Int64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a time")
        }
        return Date(timeInterval: Double(microseconds) / 1_000_000, since: Date(timeIntervalSince1970: 946_684_800))
    }
}

private struct AttemptCells: Decodable {
    let record: AttemptRecord

    init(from decoder: any Decoder) throws {
        var cells = try Cells(decoder)
        let id = try cells.int64(), learner = try cells.string(), module = try cells.string(), number = try cells.int()
        let seed = try cells.int64(), hash = try cells.string(), started = try cells.date(), finished = try cells.optionalDate()
        let status = try cells.string()
        let numerator = try cells.optionalInt(), denominator = try cells.optionalInt(), passed = try cells.optionalBool()
        record = try PostgresStore.attemptRecord(id: id, learner: learner, module: module, number: number, seed: seed, hash: hash,
                                                 started: started, finished: finished, status: status, numerator: numerator,
                                                 denominator: denominator, passed: passed)
    }
}

private struct ResponseCells: Decodable {
    let record: ResponseRecord

    init(from decoder: any Decoder) throws {
        var cells = try Cells(decoder)
        let attempt = try cells.int64(), item = try cells.string(), step = try cells.string(), sequence = try cells.int()
        let json = try cells.string(), numerator = try cells.int(), denominator = try cells.int(), critical = try cells.bool()
        let answered = try cells.date()
        record = try PostgresStore.responseRecord(attempt: attempt, item: item, step: step, sequence: sequence, json: json,
                                                  numerator: numerator, denominator: denominator, critical: critical, answered: answered)
    }
}

private struct AdjustmentCells: Decodable {
    /// Nil for a kind this version doesn't know (skipped, as the other reads skip it).
    let record: ModuleAdjustment?

    init(from decoder: any Decoder) throws {
        var cells = try Cells(decoder)
        let learner = try cells.string(), module = try cells.string(), kind = try cells.string(), at = try cells.date()
        let by = try cells.string(), reason = try cells.string()
        record = ModuleAdjustment.Kind(rawValue: kind).map {
            ModuleAdjustment(learnerID: learner, moduleID: module, kind: $0, at: at, recordedBy: by, reason: reason)
        }
    }
}

private struct CertificateCells: Decodable {
    let record: CertificateRecord

    init(from decoder: any Decoder) throws {
        var cells = try Cells(decoder)
        var record = CertificateRecord(
            id: try cells.string(), code: try cells.string(), learnerID: try cells.optionalString(), name: try cells.optionalString(),
            courseID: try cells.optionalString(), courseTitle: try cells.optionalString(), courseVersion: try cells.optionalString(),
            contentHash: try cells.optionalString(), issuedAt: try cells.optionalDate(), validUntil: try cells.optionalDate(),
            statusIndex: try cells.int(), revokedAt: try cells.optionalDate(), revokeReason: try cells.optionalString(),
            credential: nil, renews: nil)
        record.reissueAllowed = try cells.bool()
        record.credential = try cells.optionalString()
        record.renews = try cells.optionalString()
        self.record = record
    }
}
