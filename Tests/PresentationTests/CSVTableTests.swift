import Foundation
import Testing
@testable import Presentation

/// CSV for spreadsheets: RFC 4180 quoting, CRLF, a byte-order mark, and no cell a
/// spreadsheet would run as a formula. Covers what display names can't carry to the
/// server's export (tabs, CR and LF are folded or refused by the name rules).
@Suite struct CSVTableTests {
    @Test func cellsThatStartAFormulaArePrefixedWithAnApostrophe() {
        #expect(CSVTable.field("=HYPERLINK(\"http://x\")") == #""'=HYPERLINK(""http://x"")""#)
        #expect(CSVTable.field("=1+1") == "'=1+1")
        #expect(CSVTable.field("+1") == "'+1")
        #expect(CSVTable.field("-2") == "'-2")
        #expect(CSVTable.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVTable.field("\tTab first") == "'\tTab first")
        #expect(CSVTable.field("\rCR first") == "\"'\rCR first\"", "prefixed, then quoted for the CR")
        #expect(CSVTable.field("a=1") == "a=1", "only the first character counts")
        #expect(CSVTable.field("'already") == "'already")
    }

    @Test func fieldsAreQuotedOnlyWhenTheyNeedItWithQuotesDoubled() {
        #expect(CSVTable.field("plain") == "plain")
        #expect(CSVTable.field("") == "")
        #expect(CSVTable.field("Smith, Bo") == "\"Smith, Bo\"")
        #expect(CSVTable.field(#"say "hi""#) == #""say ""hi""""#)
        #expect(CSVTable.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVTable.field("two\r\nlines") == "\"two\r\nlines\"")
        #expect(CSVTable.field("semi;colon") == "semi;colon")
        #expect(CSVTable.field("Zoë 李 ☂") == "Zoë 李 ☂", "any script as it is")
        #expect(CSVTable.field("=1,\"2\"") == #""'=1,""2""""#, "prefixed and quoted")
    }

    @Test func theTextHasAByteOrderMarkAHeaderAndCRLFLineEnds() {
        let table = CSVTable(header: ["id", "name"], rows: [["1", "Robin"], ["2", "Smith, \"Bo\""], ["3", "-3"]])
        let text = table.text
        #expect(Array(text.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(text == "\u{FEFF}id,name\r\n1,Robin\r\n2,\"Smith, \"\"Bo\"\"\"\r\n3,'-3\r\n")
        #expect(CSVTable(header: ["only"]).text == "\u{FEFF}only\r\n", "a header alone")
    }
}
