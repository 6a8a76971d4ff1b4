// Groundwork benchmarks: figures as ratios against a baseline measured in the same run.
//
//   swift run -c release GroundworkBenchmarks [compile|evaluate|records|roster] [--megabytes N] [--postgres URL]
//
// compile:  `groundwork check`'s whole pipeline on a generated course of at least 20 MB,
//           against raw `cmark_parse_document` on the same bytes.
// evaluate: evaluations per second over a realistic mix of question kinds, one core.
// records:  answers recorded per second with durability on, against raw sqlite3 inserts;
//           with --postgres, the same answers on PostgreSQL beside SQLite's.
// roster:   the coordinator's report and CSV over 10,000 learners, against a raw SQL read.
import Ccmark
import CurriculumKit
import Foundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Best of `runs` timings, in seconds.
func best(_ runs: Int, _ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<runs {
        let start = now()
        body()
        fastest = min(fastest, now() - start)
    }
    return fastest
}

// MARK: - A generated course

let lesson = """
## Section NUMBER: Meeting people where they are

People who use drugs often meet judgment when they look for help. A volunteer can change that with a greeting, \
a name, and a clear offer with no conditions. *Dignity* builds trust, and trust brings people back.

Small steps count. Any positive change is worth noticing, and the person decides what comes next.

> [!NOTE]
> Naloxone reverses an opioid overdose for a while. Stay with the person, because it can wear off.

> [!FACILITATOR]
> Allow ten minutes. Ask pairs to practise a greeting, then swap roles.

> [!DISCUSS]
> What helped you feel welcome the last time you walked into a new place?

### Which response fits someone who is weighing a change NUMBER?

> Ray says: "Part of me wants to cut back. Part of me thinks it's fine."

- ( ) Give him a plan with dates
  > A plan comes later; right now he is still deciding.
- (x) Reflect both sides back to him and ask what matters most
  > Yes: hearing both sides in his own words helps him decide.
- (50%) Ask what he enjoys about using
  > Useful, but on its own it explores only one side.
- ( !) Tell him what he must do
  > Orders push people away and end the conversation.

Reflecting both sides is a core listening skill.

```check
b -> 100%
c -> 50%
d -> 0% critical
```

### Which of these does naloxone do NUMBER?

- [x] Reverses an opioid overdose for a while
- [ ] Reverses a stimulant overdose
- [x!] Needs someone to stay with the person afterwards
- [ ] Works for many hours

Naloxone works for 30 to 90 minutes.

```check
a, c -> 100%
a -> 50% critical
```

### Put these steps in order NUMBER

1. Check whether the person responds
2. Call for help
3. Give naloxone
4. Support their breathing

```check
a b c d -> 100%
b a c d -> 83%
```

### Match each word to what it describes NUMBER

- Drug -> The substance and how it acts
- Set -> The person's mood and expectations
- Setting -> The place and the people around

```check
a=1 b=2 c=3 -> 100%
a=1 b=3 c=2 -> 33%
```

### Which medicine reverses an opioid overdose NUMBER?

- = naloxone
- = Narcan

```check
"NALOXONE" -> 100%
```


"""

func generateCourse(megabytes: Int) throws -> (folder: String, bytes: [[UInt8]]) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("groundwork-bench-\(getpid())").path
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let moduleCount = 20
    let perModule = megabytes * 1_000_000 / moduleCount
    var ids: [String] = []
    var files: [[UInt8]] = []
    var counter = 0
    for m in 0..<moduleCount {
        let id = String(format: "module-%02d", m)
        ids.append(id)
        var text = "---\nid: \(id)\ntitle: Module \(m)\nminutes: 30\nobjectives:\n  - Practise.\npass: 80%\nsources:\n  - title: Example\n    url: https://example.org\n---\n\n# Module \(m)\n\nAn introduction.\n\n"
        while text.utf8.count < perModule {
            text += lesson.replacingOccurrences(of: "NUMBER", with: String(counter))
            counter += 1
        }
        let bytes = Array(text.utf8)
        files.append(bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(id).md"))
    }
    let course = "---\nid: bench\ntitle: Bench\nmodules: [\(ids.joined(separator: ", "))]\nreading-grade: 12\n---\n\nWelcome.\n"
    try Data(course.utf8).write(to: URL(fileURLWithPath: "\(folder)/course.md"))
    files.append(Array(course.utf8))
    return (folder, files)
}

// MARK: - compile

func benchCompile(megabytes: Int) throws {
    let (folder, files) = try generateCourse(megabytes: megabytes)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let total = Double(files.reduce(0) { $0 + $1.count })
    let mb = total / 1_000_000

    // Check the generated course is clean, so we time the real path, not an error exit.
    // The result is dropped before anything is timed, so both sides start from the same heap.
    let (moduleCount, questions): (Int, Int) = {
        let first = CurriculumCompiler.compile(path: folder)
        guard first.errorCount == 0, let curriculum = first.curriculum else {
            print("generated course has errors: \(first.diagnostics.prefix(3))")
            exit(1)
        }
        return (curriculum.modules.count, curriculum.modules.reduce(0) { $0 + $1.questions.count })
    }()

    let runs = 5
    // Baseline: raw cmark, reading the same files from disk and parsing them.
    let paths = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { "\(folder)/\($0)" }
    let raw = best(runs) {
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            data.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self),
                      let doc = cmark_parse_document(base, buffer.count, CMARK_OPT_DEFAULT) else { return }
                cmark_node_free(doc)
            }
        }
    }
    // The headline: one core. Module files are independent, so `groundwork check` also
    // compiles them on all cores; that figure is reported on its own line.
    let ours = best(runs) {
        let result = CurriculumCompiler.compile(path: folder, parallel: false)
        precondition(result.errorCount == 0)
    }
    let oursParallel = best(runs) {
        let result = CurriculumCompiler.compile(path: folder, parallel: true)
        precondition(result.errorCount == 0)
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print(String(format: "compile: %.1f MB course, %d modules, %d questions, best of %d runs", mb, moduleCount, questions, runs))
    print(String(format: "  raw cmark_parse_document: %7.1f MB/s  (%.3f s)", mb / raw, raw))
    print(String(format: "  groundwork check:         %7.1f MB/s  (%.3f s, one core)", mb / ours, ours))
    print(String(format: "  ratio: %.0f%% of raw cmark throughput (goal: >= 50%%)", 100 * raw / ours))
    print(String(format: "  on %d cores:              %7.1f MB/s  (%.3f s, %.0f%% of raw cmark on one core)",
                 cores, mb / oursParallel, oursParallel, 100 * raw / oursParallel))
}

// MARK: - evaluate

func benchEvaluate() {
    guard let module = CurriculumCompiler.compile(moduleText: "---\nid: m\ntitle: M\n---\n" + lesson.replacingOccurrences(of: "NUMBER", with: "1"))
        .curriculum?.modules.first else {
        print("could not compile the evaluation sample")
        exit(1)
    }
    let q = module.questions
    // A realistic mix: each kind, right and wrong, short answers with accents and case.
    let cases: [(Question, Response)] = [
        (q[0], .choice("b")), (q[0], .choice("d")), (q[0], .choice("c")),
        (q[1], .selection(["a", "c"])), (q[1], .selection(["a", "b"])),
        (q[2], .order(["a", "b", "c", "d"])), (q[2], .order(["b", "a", "d", "c"])),
        (q[3], .matches(["a": 1, "b": 2, "c": 3])), (q[3], .matches(["a": 2, "b": 1, "c": 3])),
        (q[4], .text("  NALOXONE ")), (q[4], .text("Nálòxone")), (q[4], .text("narcan")),
    ]
    let perRound = cases.count
    let rounds = 100_000
    var checksum = 0
    let seconds = best(3) {
        for _ in 0..<rounds {
            for (question, response) in cases {
                if case let .success(evaluation) = Evaluator.evaluate(response, for: question) {
                    checksum &+= evaluation.score.numerator
                }
            }
        }
    }
    // Baseline: the same loop doing only the validation step (a floor for any evaluator).
    let validateSeconds = best(3) {
        for _ in 0..<rounds {
            for (question, response) in cases where Evaluator.validate(response, for: question) == nil {
                checksum &+= 1
            }
        }
    }
    let evaluations = Double(rounds * perRound)
    print(String(format: "evaluate: %d evaluations of %d mixed responses, one core, best of 3", rounds * perRound, perRound))
    print(String(format: "  Evaluator.evaluate: %10.0f evaluations/s (goal: >= 1,000,000)", evaluations / seconds))
    print(String(format: "  validation alone:   %10.0f responses/s (baseline; evaluate is %.0f%% of it)", evaluations / validateSeconds,
                 100 * validateSeconds / seconds))
    if checksum == 42 { print("") }
}

// MARK: - main

var arguments = Array(CommandLine.arguments.dropFirst())
var megabytes = 21
if let i = arguments.firstIndex(of: "--megabytes"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
    megabytes = n
    arguments.removeSubrange(i...(i + 1))
}
// --postgres URL (or $GROUNDWORK_BENCH_POSTGRES): the records benchmark runs on PostgreSQL too.
var postgres = ProcessInfo.processInfo.environment["GROUNDWORK_BENCH_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
if let i = arguments.firstIndex(of: "--postgres"), i + 1 < arguments.count {
    postgres = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
let which = arguments.first ?? "all"
if which == "compile" || which == "all" { try benchCompile(megabytes: megabytes) }
if which == "evaluate" || which == "all" { benchEvaluate() }
if which == "records" || which == "all" { try await benchRecords(postgres: postgres) }
if which == "roster" || which == "all" { try await benchRoster() }
