import Foundation
@testable import CurriculumKit

enum Fixtures {
    /// The folder of test fixtures copied into the test bundle.
    static var root: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil) ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The repository's root (for the bundled Curriculum and the built binary).
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// Compiles a module from text with a standard front matter prepended.
func compileModule(_ body: String, settings: String = "") -> CompileResult {
    CurriculumCompiler.compile(moduleText: "---\nid: m\ntitle: M\n\(settings)---\n\(body)")
}

/// The only question of a module compiled from text.
func question(_ body: String) -> Question? {
    compileModule("\n## Quiz\n\n" + body).curriculum?.modules.first?.questions.first
}
