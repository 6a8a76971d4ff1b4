import CurriculumKit
import Foundation
import Testing
@testable import Runtime
@testable import SQLiteStore

/// Resume codes: the word list, generating, reading what people type, and the stored digest.
@Suite struct ResumeCodeTests {
    @Test func wordListIs2048ShortDistinctWords() {
        let words = ResumeWords.all
        #expect(words.count == 2048)
        #expect(Set(words).count == words.count)
        for word in words {
            #expect(word.count >= 3 && word.count <= 6 && word.allSatisfy { $0 >= "a" && $0 <= "z" }, "\(word)")
        }
    }

    @Test func generatedCodesAreFourListedWords() {
        var rng = SeededGenerator(seed: 1)
        var seen = Set<String>()
        for _ in 0..<2000 {
            let code = ResumeCode.generate(using: &rng)
            #expect(code.words.count == 4)
            #expect(code.words.allSatisfy(ResumeWords.contains))
            seen.insert(code.description)
        }
        #expect(seen.count == 2000, "no repeats in 2,000 draws from 2^44")
        #expect(ResumeCode.generate() != ResumeCode.generate())
    }

    @Test(arguments: ["Maple River Candle Seven", "maple.river.candle.seven", "  maple, river,candle -seven "])
    func readsCodesAsPeopleTypeThem(_ typed: String) throws {
        let words = ResumeWords.all
        let expected = [words[0], words[1], words[2], words[3]].joined(separator: "-")
        let variant = typed.lowercased()
            .replacingOccurrences(of: "maple", with: words[0]).replacingOccurrences(of: "river", with: words[1])
            .replacingOccurrences(of: "candle", with: words[2]).replacingOccurrences(of: "seven", with: words[3])
        let upper = typed.first?.isUppercase == true ? variant.capitalized : variant
        #expect(try ResumeCode.parse(upper).get().description == expected)
    }

    @Test func explainsWhatIsWrongWithACode() {
        let tooFew = ResumeCode.parse("one two")
        guard case let .failure(error) = tooFew else { Issue.record("accepted two words"); return }
        #expect(error.kind == .malformedCode)
        #expect(error.message.contains("4 words") && error.message.contains("has 2"))
        let words = ResumeWords.all
        guard case let .failure(unknown) = ResumeCode.parse("\(words[0]) \(words[1]) \(words[2]) qqqqzz") else {
            Issue.record("accepted a word not in the list"); return
        }
        #expect(unknown.message.contains("qqqqzz"))
        #expect(unknown.hint?.isEmpty == false)
        guard case .failure = ResumeCode.parse("") else { Issue.record("accepted nothing"); return }
    }

    @Test func digestIsKeyedAndHidesTheCode() throws {
        var rng = SeededGenerator(seed: 9)
        let code = ResumeCode.generate(using: &rng)
        let a = ResumeCodeHasher(key: Array(repeating: 1, count: 32))
        let b = ResumeCodeHasher(key: Array(repeating: 2, count: 32))
        #expect(a.digest(code) == a.digest(code))
        #expect(a.digest(code) != b.digest(code))
        #expect(a.digest(code).count == 64)
        for word in code.words { #expect(!a.digest(code).contains(word)) }
    }
}
