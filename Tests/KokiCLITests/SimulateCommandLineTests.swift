import Foundation
import KokiTestSupport
import Testing

/// `koki simulate`: two processes (each with its own hash seed, so any order taken from a
/// dictionary would show) record the same file byte for byte; the report says every yen is
/// accounted for and the chain verifies; an existing file is refused.
@Suite struct SimulateCommandLineTests {
    @Test func twoProcessesRecordTheSameCityByteForByte() throws {
        let folder = try TemporaryFolder()
        var outputs: [KokiProcess.Outcome] = []
        for name in ["a", "b"] {
            let outcome = try KokiProcess.run([
                "simulate", "--ledger", folder.path("\(name).ledger"), "--insured", "60", "--years", "2", "--seed", "11",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            outputs.append(outcome)
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: folder.path("a.ledger")))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder.path("b.ledger")))
        #expect(a == b)
        let report = outputs[0].stdout
        #expect(report.contains("every yen accounted for: yes"))
        #expect(report.contains("verify: ok"))
        #expect(report.contains("FY2024"))
        // Seed 11's city ends with persons in arrears: the largest one's history is printed.
        #expect(report.contains("history of "))
        // Not a terminal: one plain progress line per simulated month.
        #expect(outputs[0].stderr.split(separator: "\n").filter { $0.contains("months,") }.count == 26)
    }

    @Test func anExistingFileIsRefusedAndLeftAlone() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("x.ledger")
        try Data("not mine".utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try KokiProcess.run(["simulate", "--ledger", path, "--insured", "5", "--years", "1"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("already exists"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("not mine".utf8))
        let bad = try KokiProcess.run(["simulate", "--ledger", folder.path("y.ledger"), "--years", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("--years 0"))
    }
}
