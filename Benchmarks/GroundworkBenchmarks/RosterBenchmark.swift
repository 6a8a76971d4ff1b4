// roster: the coordinator's completion report over 10,000 learners (every module attempted,
// some in cohorts, with attendance): one page of it, and every row written as CSV, through
// Coordination, against reading the same rows with one raw SQL query and no logic.
import CurriculumKit
import Foundation
import GRDB
import Presentation
import Runtime
import SQLiteStore

func benchRoster(learners count: Int = 10_000) async throws {
    guard let curriculum = CurriculumCompiler.compile(path: "Curriculum").curriculum else {
        print("roster: run from the repository root (the bundled Curriculum must compile)")
        return
    }
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-bench-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let (store, hasher) = try DataFolder(path: root).open()
    let modules = curriculum.modules.map(\.id)
    let cohorts = (0..<20).map { Cohort(id: "cohort-\($0)", name: "Cohort \($0)", joinKey: String(format: "%016x", $0), createdAt: Date()) }
    for cohort in cohorts { try await store.createCohort(cohort) }

    // Seed in one transaction: learners, an attempt or two at every module, attendance.
    try await store.database.write { db in
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<count {
            let id = String(format: "%032x", index)
            try db.execute(sql: "INSERT INTO learner (id, display_name, code_digest, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, "Learner \(index)", "digest-\(index)", start])
            if index % 3 != 0 {
                try db.execute(sql: "INSERT INTO cohort_member (learner_id, cohort_id) VALUES (?, ?)",
                               arguments: [id, cohorts[index % cohorts.count].id])
            }
            for (number, module) in modules.enumerated() where (index + number) % 5 != 0 {
                let tries = 1 + (index + number) % 2
                for attempt in 1...tries {
                    let passed = attempt == tries && (index + number) % 4 != 0
                    try db.execute(sql: """
                        INSERT INTO attempt (learner_id, module_id, number, seed, module_hash, started_at, finished_at, status,
                                             score_numerator, score_denominator, passed)
                        VALUES (?, ?, ?, 1, 'h', ?, ?, 'finished', ?, 100, ?)
                        """, arguments: [id, module, attempt, start, start.addingTimeInterval(600), passed ? 90 : 60, passed])
                }
            }
            if index % 2 == 0 {
                try db.execute(sql: """
                    INSERT INTO attendance (learner_id, session_id, module_ids, attended_at, recorded_by, by_hand)
                    VALUES (?, 'session', '[]', ?, 'Bea', 0)
                    """, arguments: [id, start])
            }
        }
    }
    let coursework = Coursework(curriculum: curriculum, store: store, hasher: hasher)
    let accounts = StaffAccounts(store: store, bcryptCost: 4)
    let coordination = Coordination(coursework: coursework, accounts: accounts, records: LearnerRecords(store: store, hasher: hasher))

    // Groundwork: page 1 by name, a filtered page, and the whole CSV.
    var pageSeconds = Double.infinity, filteredSeconds = Double.infinity, csvSeconds = Double.infinity
    var csvBytes = 0
    for _ in 0..<5 {
        var start = now()
        let page = try await coordination.report(Coordination.Query(), by: .commandLine)
        pageSeconds = min(pageSeconds, now() - start)
        precondition(page.total == count && page.rows.count == 50)
        start = now()
        _ = try await coordination.report(Coordination.Query(cohortID: cohorts[3].id, state: .needsHelp), by: .commandLine)
        filteredSeconds = min(filteredSeconds, now() - start)
        start = now()
        let rows = try await coordination.allRows(Coordination.Query(), by: .commandLine)
        var table = CSVTable(header: ["learner_id", "display_name", "module_id", "state", "best"])
        for row in rows {
            for module in row.modules {
                table.rows.append([row.learner.id, row.learner.displayName, module.progress.moduleID, module.progress.state.rawValue,
                                   module.progress.bestScore.map { String($0.percent) } ?? ""])
            }
        }
        csvBytes = table.text.utf8.count
        csvSeconds = min(csvSeconds, now() - start)
    }

    // The store's bulk read alone (the part of the report that is SQL).
    var storeSeconds = Double.infinity
    for _ in 0..<5 {
        let start = now()
        _ = try await store.roster()
        storeSeconds = min(storeSeconds, now() - start)
    }

    // Baseline: the same facts read raw, one query, rows fetched and dropped.
    var rawSeconds = Double.infinity
    for _ in 0..<5 {
        let start = now()
        let fetched = try await store.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT learner.id, learner.display_name, learner.created_at, cohort_member.cohort_id, attempt.module_id, attempt.status,
                       attempt.score_numerator, attempt.score_denominator, attempt.passed, attempt.started_at, attempt.finished_at
                FROM learner LEFT JOIN cohort_member ON cohort_member.learner_id = learner.id
                LEFT JOIN attempt ON attempt.learner_id = learner.id
                """).count
        }
        precondition(fetched > count)
        rawSeconds = min(rawSeconds, now() - start)
    }
    func ms(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }
    print("roster: \(count) learners × \(modules.count) modules")
    print("  raw SQL read of the same rows (baseline): \(ms(rawSeconds))")
    print("  the store's bulk read:    \(ms(storeSeconds))  (\(String(format: "%.1f", storeSeconds / rawSeconds))× the raw read)")
    print("  report, page 1 by name:   \(ms(pageSeconds))  (\(String(format: "%.1f", pageSeconds / rawSeconds))× the raw read)")
    print("  report, cohort + state:   \(ms(filteredSeconds))  (\(String(format: "%.1f", filteredSeconds / rawSeconds))× the raw read)")
    print("  CSV of every row:         \(ms(csvSeconds))  (\(String(format: "%.1f", csvSeconds / rawSeconds))× the raw read, \(csvBytes / 1024) KiB)")
}
