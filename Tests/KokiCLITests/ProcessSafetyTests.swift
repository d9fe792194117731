import Foundation
import GRDB
import KokiTestSupport
import Testing

/// Several processes on one ledger file, and a process killed in the middle of appending.
@Suite struct ProcessSafetyTests {
    /// Events past the six that set the ledger up (``Secured/ledger(_:operator:roles:)``).
    func verifyOK(_ ledger: String, _ env: [String: String]) throws -> Int {
        let outcome = try KokiProcess.run(["verify", "--ledger", ledger], environment: env)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        // "ok: N events in M commands; ..."
        return (Int(outcome.stdout.split(separator: " ")[1]) ?? -1) - 6
    }

    @Test func twoProcessesExpectingTheSameVersionOneWinsOneConflicts() throws {
        for round in 0..<3 {
            let folder = try TemporaryFolder()
            let ledger = folder.path("race.ledger")
            let barrier = folder.path("go")
            let env = try Secured.ledger(ledger)
            let arguments = [
                "testing", "append", "--ledger", ledger, "--person", "7", "--batch-size", "3",
                "--expected-version", "0", "--wait-for", barrier,
            ]
            let a = try KokiProcess.start(arguments, environment: env)
            let b = try KokiProcess.start(arguments, environment: env)
            FileManager.default.createFile(atPath: barrier, contents: nil)
            let errA = a.2.fileHandleForReading.readDataToEndOfFile()
            let errB = b.2.fileHandleForReading.readDataToEndOfFile()
            a.0.waitUntilExit()
            b.0.waitUntilExit()
            let statuses = [a.0.terminationStatus, b.0.terminationStatus].sorted()
            #expect(statuses == [0, 2], "round \(round)")
            let loser = String(decoding: a.0.terminationStatus == 2 ? errA : errB, as: UTF8.self)
            #expect(loser.contains("stream person/7 is at version 3, but command"), "\(loser)")
            #expect(loser.contains("expected 0; nothing was appended"))
            #expect(try verifyOK(ledger, env) == 3)
        }
    }

    @Test func twoProcessesOnDifferentStreamsBothLandWithDensePositions() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("both.ledger")
        let barrier = folder.path("go")
        let env = try Secured.ledger(ledger)
        let runs = try ["1", "2"].map { person in
            try KokiProcess.start(
                [
                    "testing", "append", "--ledger", ledger, "--person", person,
                    "--batches", "150", "--batch-size", "2", "--wait-for", barrier,
                ], environment: env)
        }
        FileManager.default.createFile(atPath: barrier, contents: nil)
        for (process, out, err) in runs {
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(errors)")
            #expect(printed.split(separator: "\n").count == 150)
        }
        #expect(try verifyOK(ledger, env) == 600)
        let events = try KokiProcess.run(
            ["events", "--ledger", ledger, "--format", "table", "--from", "7", "--through", "606"], environment: env
        ).lines.dropFirst()
        #expect(events.map { Int($0.split(separator: " ")[0]) } == Array(7...606))
        let perStream = try KokiProcess.run(["streams", "--ledger", ledger, "--json"], environment: env).lines.filter {
            $0.contains("person/")
        }
        #expect(perStream.count == 2)
        #expect(perStream.allSatisfy { $0.contains(#""version":300"#) })
        // The two writers really interleaved: each stream's events are not one block.
        let firstStream = try KokiProcess.run(
            [
                "events", "--ledger", ledger, "--stream", "person/1", "--format", "table",
            ], environment: env)
        let positions = firstStream.lines.dropFirst().compactMap { Int($0.split(separator: " ")[0]) }
        #expect(positions.count == 300)
    }

    @Test func aProcessKilledMidAppendLeavesOnlyWholeCommands() throws {
        for round in 0..<3 {
            let folder = try TemporaryFolder()
            let ledger = folder.path("crash.ledger")
            let env = try Secured.ledger(ledger)
            let (process, out, _) = try KokiProcess.start(
                [
                    "testing", "append", "--ledger", ledger, "--person", "9", "--batches", "100000",
                    "--batch-size", "7",
                ], environment: env)
            // Wait until some commands are committed, then kill without warning.
            let handle = out.fileHandleForReading
            var seen = Data()
            while seen.split(separator: UInt8(ascii: "\n")).count < 20 + round * 15 {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)

            let count = try verifyOK(ledger, env)
            #expect(count >= 20 * 7)
            #expect(count % 7 == 0, "only whole commands of 7 events: \(count)")
            // Every command owns exactly its 7 contiguous events.
            let rows = try DatabaseQueue(path: ledger).read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT command_seq, COUNT(*) AS n FROM koki_events WHERE position > 6 GROUP BY command_seq")
            }
            #expect(rows.allSatisfy { ($0["n"] as Int) == 7 })
            #expect(rows.count == count / 7)
            // And the ledger takes new commands after the crash.
            #expect(
                try KokiProcess.run(["testing", "append", "--ledger", ledger, "--person", "9"], environment: env)
                    .status
                    == 0)
            #expect(try verifyOK(ledger, env) == count + 1)
        }
    }
}
