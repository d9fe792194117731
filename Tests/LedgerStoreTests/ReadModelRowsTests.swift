import KokiTestSupport
@testable import LedgerStore
import Testing

/// A read model's rows picked out by conditions on their columns, in the file: exactly the rows
/// a test of every row would keep, whatever the values, NULLs and bounds.
@Suite struct ReadModelRowsTests {
    static let schema = ReadModelSchema(
        name: "probe", logicVersion: 1, table: Ledger.derivedTablePrefix + "probe", keyColumn: "person",
        partColumn: "year",
        columns: [ReadModelSchema.Column("a", nullable: true), ReadModelSchema.Column("b"),
            ReadModelSchema.Column("c", nullable: true)],
        keyStreamPrefix: "person/")

    static func meets(_ row: ReadModelRow, _ condition: ReadModelCondition) -> Bool {
        let index = schema.columns.firstIndex { $0.name == condition.column }!
        guard let value = row.values[index] else { return false }
        switch condition {
        case .below(_, let bound): return value < bound
        case .above(_, let bound): return value > bound
        }
    }

    /// Bounded in time: a statement reused while it is still stepped loops for ever.
    @Test(.timeLimit(.minutes(1))) func aKeysRowsReadInsideAnotherReadOfThemAreTheSame() throws {
        let ledger = try Ledger.inMemory()
        let rows = (0..<30).map { n in
            ReadModelRow(key: "p\(n % 10)", part: Int64(n / 10), values: [Int64(n), Int64(n), nil])
        }
        try ledger.writingModel(Self.schema) { tx in
            try tx.createTables()
            try tx.insert(rows, into: .maintained)
        }
        let expected = rows.filter { $0.key == "p3" }
        try ledger.readingModel(Self.schema) { tx in
            // Twice, so the second read meets the statement the first left cached.
            for _ in 0..<2 {
                var outer: [ReadModelRow] = []
                try tx.forEachRow(in: .maintained, key: "p3", part: nil) { row in
                    var inner: [ReadModelRow] = []
                    try tx.forEachRow(in: .maintained, key: "p3", part: nil) { inner.append($0) }
                    #expect(inner == expected)
                    var one: [ReadModelRow] = []
                    try tx.forEachRow(in: .maintained, key: "p3", part: row.part) { one.append($0) }
                    #expect(one == [row])
                    outer.append(row)
                }
                #expect(outer == expected)
            }
        }
    }

    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func theRowsMeetingAnyConditionAreThoseATestOfEveryRowKeeps(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let ledger = try Ledger.inMemory()
        let values: [Int64] = [.min, -3, -1, 0, 1, 2, 5, 20_000, .max]
        let rows = (0..<300).map { n in
            ReadModelRow(
                key: "p\(n % 97)", part: Int64(n / 97),
                values: [
                    Bool.random(using: &random) ? nil : values.randomElement(using: &random)!,
                    values.randomElement(using: &random)!,
                    Int.random(in: 0..<3, using: &random) == 0 ? nil : Int64.random(in: -5...5, using: &random),
                ])
        }
        try ledger.writingModel(Self.schema) { tx in
            try tx.createTables()
            try tx.insert(rows, into: .maintained)
        }
        let sorted = rows.sorted { ($0.key, $0.part) < ($1.key, $1.part) }
        for _ in 0..<40 {
            let conditions: [ReadModelCondition] = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                let column = ["a", "b", "c"].randomElement(using: &random)!
                let bound = values.randomElement(using: &random)!
                return Bool.random(using: &random) ? .below(column, bound) : .above(column, bound)
            }
            var read: [ReadModelRow] = []
            try ledger.readingModel(Self.schema) { tx in
                try tx.forEachRow(in: .maintained, meetingAny: conditions) { read.append($0) }
            }
            let expected = sorted.filter { row in conditions.contains { Self.meets(row, $0) } }
            #expect(read == expected, "\(conditions)")
        }
        // No condition meets no row; a column the schema lacks is refused.
        try ledger.readingModel(Self.schema) { tx in
            var none = 0
            try tx.forEachRow(in: .maintained, meetingAny: []) { _ in none += 1 }
            #expect(none == 0)
            #expect {
                try tx.forEachRow(in: .maintained, meetingAny: [.below("a; DROP TABLE x", 1)]) { _ in }
            } throws: { ($0 as? LedgerError)?.message.contains("has no column") == true }
        }
    }

    /// What `rebuild` compares: the rows of the maintained and the rebuilt table that differ —
    /// a value, a NULL against a value, the document, a row only one side has, a value of
    /// another kind written by hand — each named once, in key order, and no other.
    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func theDifferencesAreExactlyTheRowsThatDifferEitherSide(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let schema = ReadModelSchema(
            name: "probe-doc", logicVersion: 1, table: Ledger.derivedTablePrefix + "probe_doc", keyColumn: "person",
            partColumn: "year",
            columns: [ReadModelSchema.Column("a", nullable: true), ReadModelSchema.Column("b")],
            keyStreamPrefix: "person/", document: true)
        let values: [Int64?] = [nil, 0, 1, -1, .min, .max]
        func value() -> Int64? { values.randomElement(using: &random)! }
        func document() -> [UInt8] {
            (0..<Int.random(in: 0...2, using: &random)).map { _ in UInt8.random(in: 0...1, using: &random) }
        }
        let base = (0..<300).map { n in
            ReadModelRow(
                key: "p\(n % 41)", part: Int64(n / 41), values: [value(), value() ?? 7], document: document())
        }
        var (maintained, rebuilt) = (base, base)
        for i in base.indices {
            switch Int.random(in: 0..<12, using: &random) {
            case 0: rebuilt[i].values[0] = value()
            case 1: maintained[i].values[1] = value() ?? 7
            case 2: rebuilt[i].document = document()
            case 3: maintained[i].key = "gone"  // only the rebuilt table has this row
            case 4: rebuilt[i].key = "gone"  // only the maintained one has it
            default: break
            }
        }
        maintained.removeAll { $0.key == "gone" }
        rebuilt.removeAll { $0.key == "gone" }
        // A value of another kind, which no fill writes: text where a number belongs.
        let handWritten = maintained[Int.random(in: 0..<maintained.count, using: &random)]
        func keyed(_ rows: [ReadModelRow]) -> [String: ReadModelRow] {
            Dictionary(uniqueKeysWithValues: rows.map { ("\($0.key)/\($0.part)", $0) })
        }
        let (m, r) = (keyed(maintained), keyed(rebuilt))
        var expected = Set(m.keys).union(r.keys).filter { m[$0] != r[$0] }
        expected.insert("\(handWritten.key)/\(handWritten.part)")
        let ledger = try Ledger.inMemory()
        let found = try ledger.writingModel(schema) { tx in
            try tx.createTables()
            try tx.recreate(.rebuilt)
            try tx.insert(maintained, into: .maintained)
            try tx.insert(rebuilt, into: .rebuilt)
            try (tx as! LedgerTransaction).db.execute(
                sql: "UPDATE \(schema.table) SET b = 'seven' WHERE person = ? AND year = ?",
                arguments: [handWritten.key, handWritten.part])
            return try tx.differences()
        }
        let sorted = found.map { (key: $0.key, part: $0.part) }
        #expect(sorted.map { "\($0.key)/\($0.part)" } == expected.sorted { a, b in
            let (x, y) = (a.split(separator: "/"), b.split(separator: "/"))
            return (x[0], Int(x[1])!) < (y[0], Int(y[1])!)
        })
        #expect(!expected.isEmpty && expected.count < m.count)
    }
}
