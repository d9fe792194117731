import Foundation
import GRDB
import KokiTestSupport
import Testing

/// `koki balances`, `koki rebuild` and `koki arrears list` on the stored read model, through
/// the binary: the maintained table answers and proves equal to a rebuild; an altered row is
/// found (exit 1) and mended; a replay copy, which holds no read model, still answers.
@Suite struct ReadModelCommandLineTests {
    @Test func balancesRebuildCheckAndAReplayCopy() throws {
        let folder = try TemporaryFolder()
        let ledger = folder.path("city.ledger")
        let simulate = try KokiProcess.run([
            "simulate", "--ledger", ledger, "--insured", "40", "--years", "2", "--seed", "4", "--quiet",
        ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        // A simulated city has no operators: `koki init` secures it (and wraps its keys).
        let admin = try Secured.initialize(ledger, folder: folder.url.path)
        let env = try Secured.enroll("op", admin: admin, folder: folder.url.path)

        let balances = try KokiProcess.run(["balances", "--json"], environment: env)
        #expect(balances.status == 0, "\(balances.stderr)")
        let years = balances.stdout.split(separator: "\n")
        #expect(years.count == 2 && years[0].contains("\"fiscalYear\":2024") && years[1].contains("\"collectionRate\""))

        let check = try KokiProcess.run(["rebuild", "--check"], environment: env)
        #expect(check.status == 0 && check.stdout.contains("is equal") && check.stdout.contains("nothing changed"))
        // The balances, the debit states and the premiums read together in one pass; the register after.
        #expect(check.stdout.contains("balances, debits, premiums: read together in one pass of the ledger"))
        #expect(check.stdout.contains("(its own part: ") && check.stdout.contains("register: folded"))

        // Someone alters a row of the read model by hand: the check names it and exits 1.
        let victim = try DatabaseQueue(path: ledger).write { db -> String in
            let person = try String.fetchOne(db, sql: "SELECT person FROM rm_balances ORDER BY person LIMIT 1")!
            try db.execute(
                sql: "UPDATE rm_balances SET credited = credited + 100 WHERE person = ?", arguments: [person])
            return person
        }
        let found = try KokiProcess.run(["rebuild", "--check"], environment: env)
        #expect(found.status == 1 && found.stdout.contains("differ") && found.stdout.contains(victim))
        let mended = try KokiProcess.run(["rebuild"], environment: env)
        #expect(mended.status == 0 && mended.stdout.contains("swapped in"))
        #expect(try KokiProcess.run(["rebuild", "--check"], environment: env).status == 0)
        let status = try KokiProcess.run(["rebuild", "--status"], environment: env)
        #expect(status.stdout.contains("snapshot at position"))

        // The register's entries too: `insured list` builds the table, a swapped entry is found
        // (exit 1) and mended, and the list reads the same before and after.
        let insured = try KokiProcess.run(["insured", "list", "--on", "2025-10-01"], environment: env)
        #expect(insured.status == 0 && insured.stdout.split(separator: "\n").count > 30, "\(insured.stderr)")
        let registered = try KokiProcess.run(["rebuild", "--status", "--json"], environment: env).stdout
        #expect(registered.contains("\"model\":\"register\"") && !registered.contains("\"rows\":0"))
        let swapped = try DatabaseQueue(path: ledger).write { db -> String in
            let rows = try Row.fetchAll(
                db, sql: "SELECT person, document FROM rm_register WHERE part = 1 AND length(document) > 3 ORDER BY person LIMIT 2")
            try db.execute(
                sql: "UPDATE rm_register SET document = ? WHERE person = ? AND part = 1",
                arguments: [rows[1]["document"] as Data, rows[0]["person"] as String])
            return rows[0]["person"]
        }
        let foundEntry = try KokiProcess.run(["rebuild", "--check"], environment: env)
        #expect(
            foundEntry.status == 1 && foundEntry.stdout.contains("1 entry differs") && foundEntry.stdout.contains(swapped),
            "\(foundEntry.stdout)")
        #expect(try KokiProcess.run(["rebuild"], environment: env).status == 0)
        let checked = try KokiProcess.run(["rebuild", "--check", "--json"], environment: env)
        #expect(checked.status == 0 && checked.stdout.contains("\"model\":\"register\""))
        let lines = checked.stdout.split(separator: "\n")
        let balancesLine = lines.first.map(String.init) ?? ""
        #expect(!balancesLine.contains("\"sharedSeconds\":null") && balancesLine.contains("\"sharedTotalSeconds\":"))
        #expect(lines.contains { $0.contains("\"model\":\"register\"") && $0.contains("\"sharedSeconds\":null") })
        // Each model's line says it began once: nothing else recorded commands meanwhile.
        #expect(lines.count == 5 && lines.allSatisfy { $0.contains("\"attempts\":1") }, "\(checked.stdout)")
        #expect(!(try KokiProcess.run(["rebuild", "--check"], environment: env).stdout.contains("begun again")))
        #expect(try KokiProcess.run(["insured", "list", "--on", "2025-10-01"], environment: env).stdout == insured.stdout)

        // A replay copy through an earlier head carries the read model as it stood then.
        let head = try KokiProcess.run(["head"], environment: env).stdout
        #expect(!head.isEmpty)
        let list = try KokiProcess.run(["arrears", "list", "--on", "2026-05-01", "--json"], environment: env)
        #expect(list.status == 0 && list.stdout.contains("\"owed\""), "\(list.stderr)")
        // The list kept its candidates' arrears facts: one given another's is found and mended,
        // and the list reads the same from the kept facts as it did folding the streams.
        let kept = try KokiProcess.run(["rebuild", "--status"], environment: env).stdout
        #expect(kept.contains("arrears: at position") && !kept.contains(" 0 persons kept"), "\(kept)")
        let altered = try DatabaseQueue(path: ledger).write { db -> String in
            let people = try String.fetchAll(
                db, sql: "SELECT person FROM rm_arrears ORDER BY length(document) DESC, person LIMIT 2")
            try db.execute(
                sql: "UPDATE rm_arrears SET document = (SELECT document FROM rm_arrears WHERE person = ?) "
                    + "WHERE person = ?", arguments: [people[1], people[0]])
            return people[0]
        }
        let foundFacts = try KokiProcess.run(["rebuild", "--check"], environment: env)
        #expect(
            foundFacts.status == 1 && foundFacts.stdout.contains("1 person's facts differ")
                && foundFacts.stdout.contains(altered), "\(foundFacts.stdout)")
        #expect(try KokiProcess.run(["rebuild"], environment: env).status == 0)
        #expect(try KokiProcess.run(["rebuild", "--check"], environment: env).status == 0)
        let again = try KokiProcess.run(["arrears", "list", "--on", "2026-05-01", "--json"], environment: env)
        #expect(again.stdout == list.stdout)
        let copy = folder.path("copy.ledger")
        let replay = try KokiProcess.run(["replay", "--until", "2026-03-01", "--into", copy], environment: env)
        #expect(replay.status == 0)
        let position = replay.stdout.split(separator: " ")[3]  // "replayed through position N into …"
        let then = try KokiProcess.run(
            ["balances"], environment: ["KOKI_LEDGER": copy, "KOKI_SESSION": env["KOKI_SESSION"]!])
        #expect(then.status == 0 && then.stderr.contains("stored table at position"), "\(then.stderr)")
        // The same as the ledger itself says it knew at that position.
        let thenJSON = try KokiProcess.run(
            ["balances", "--json"], environment: ["KOKI_LEDGER": copy, "KOKI_SESSION": env["KOKI_SESSION"]!]
        ).stdout
        let knownJSON = try KokiProcess.run(["balances", "--json", "--known-at", String(position)], environment: env)
        #expect(!thenJSON.isEmpty && thenJSON == knownJSON.stdout, "\(knownJSON.stderr)")
        #expect(
            try KokiProcess.run(
                ["rebuild", "--status"], environment: ["KOKI_LEDGER": copy, "KOKI_SESSION": env["KOKI_SESSION"]!]
            ).stdout.contains("rows"))
        #expect(
            try KokiProcess.run(["verify"], environment: ["KOKI_LEDGER": copy, "KOKI_SESSION": env["KOKI_SESSION"]!])
                .status == 0)
    }
}
